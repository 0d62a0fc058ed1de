/**
 * The pages' two static assets: one stylesheet and one small script (copy
 * buttons; every page works without it). Served under content-hashed names
 * with a year's cache lifetime, so a change is a new URL, never a stale file.
 */

const STYLE = `:root{color-scheme:light dark;--bg:#fdfdfc;--fg:#1c1d1f;--muted:#50545a;--line:#d8dadd;--accent:#0b57d0;--accent-bg:#e8f0fe;--focus:#b3261e;--card:#ffffff}
@media (prefers-color-scheme:dark){:root{--bg:#121316;--fg:#e6e7e9;--muted:#aeb3ba;--line:#34373c;--accent:#8ab4f8;--accent-bg:#1f2a3d;--focus:#f2b8b5;--card:#1a1c20}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
a{color:var(--accent);text-underline-offset:2px}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
header.site{border-bottom:1px solid var(--line)}
header.site .wrap{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;justify-content:space-between;padding-top:.75rem;padding-bottom:.75rem}
header.site .brand{font-weight:700;font-size:1.1rem;color:var(--fg);text-decoration:none}
nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
main{padding:1rem 0 2rem}
h1{font-size:1.8rem;line-height:1.2;margin:1rem 0 .5rem}
h2{font-size:1.3rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
.lead{color:var(--muted);margin-top:0}
.subscribe{background:var(--accent-bg);border-radius:.5rem;padding:1rem;margin:1rem 0}
.subscribe h2{margin-top:0;font-size:1.1rem}
.subscribe .field{display:grid;grid-template-columns:6.5rem minmax(0,1fr) auto;gap:.5rem;align-items:center;margin:.4rem 0}
.subscribe label{font-weight:600}
.subscribe input{min-width:0;font:inherit;font-size:.9rem;padding:.35rem .5rem;border:1px solid var(--line);border-radius:.3rem;background:var(--card);color:var(--fg)}
.subscribe button{font:inherit;font-size:.9rem;padding:.35rem .8rem;border:1px solid var(--accent);border-radius:.3rem;background:var(--card);color:var(--accent);cursor:pointer}
.subscribe p{margin:.5rem 0 0;font-size:.9rem}
ol.articles{list-style:none;margin:0;padding:0}
ol.articles li{display:flow-root;border-top:1px solid var(--line);padding:.9rem 0}
ol.articles img{float:right;margin:0 0 .5rem 1rem;width:8rem;height:auto;aspect-ratio:auto;border-radius:.3rem;object-fit:cover;max-width:35%}
.meta{color:var(--muted);font-size:.9rem;margin:0 0 .25rem}
.excerpt{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.feeds a{margin-right:.5rem;white-space:nowrap}
.table-wrap{overflow-x:auto}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th .meta{display:block;font-weight:400;margin:.1rem 0 0;overflow-wrap:anywhere}
form.filter{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0 1rem}
form.filter input,form.filter select,form.filter button{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:.3rem;background:var(--card);color:var(--fg)}
nav.pages{display:flex;justify-content:space-between;margin-top:1rem}
pre{background:var(--accent-bg);border-radius:.4rem;padding:.75rem;overflow-x:auto;font-size:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}
footer.site{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;padding:1rem 0 2rem}
footer.site ul{list-style:none;padding:0;margin:.25rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
@media (max-width:30rem){h1{font-size:1.45rem}.subscribe .field{grid-template-columns:minmax(0,1fr) auto;gap:.25rem .5rem}.subscribe label{grid-column:1/-1}ol.articles img{width:6rem}th.hide-narrow,td.hide-narrow{display:none}}
`;

const COPY_SCRIPT = `for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Selected: press Ctrl+C";
    }
  });
}
`;

/** FNV-1a, 32 bits, hex: a content-derived name, computed synchronously when the module loads. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export interface Asset {
  path: string;
  body: string;
  contentType: string;
}

/** An asset under `/assets/{name}-{hash}.{extension}`. */
export function hashedAsset(name: string, extension: "css" | "js", body: string): Asset {
  return {
    path: `/assets/${name}-${fnv1a(body)}.${extension}`,
    body,
    contentType: extension === "css" ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
  };
}

export const ASSETS = {
  style: hashedAsset("style", "css", STYLE),
  copy: hashedAsset("copy", "js", COPY_SCRIPT),
} as const;

/**
 * `/embed.js`: the `<feedloom-feed>` web component, as the module text the
 * service sends (a string, so that Node and the Worker serve the same bytes).
 * No dependencies. It reads a JSON Feed with CORS (ours send it, so no proxy),
 * and puts feed data into the page only as text or as checked http(s) URLs:
 * never through innerHTML. Styles go in through a constructed stylesheet, which
 * a host's strict CSP does not block as it would a <style> element.
 *
 *   <feedloom-feed src="https://FEEDS/topics/ai/feed.json" limit="5" layout="cards"
 *                  image="true" excerpt="false" date="true" provider="true"></feedloom-feed>
 *
 * Hosts restyle it with CSS custom properties (--feedloom-*) and ::part(item),
 * ::part(title), ::part(meta), ::part(excerpt), ::part(image), ::part(status), ::part(list).
 */
export const EMBED_COMPONENT = `const CSS = \`:host{display:block;font:var(--feedloom-font,inherit);color:var(--feedloom-color,inherit)}
ol{list-style:none;margin:0;padding:0;display:grid;gap:var(--feedloom-gap,.75rem)}
:host([layout=cards]) ol{grid-template-columns:repeat(auto-fill,minmax(var(--feedloom-card-width,14rem),1fr))}
li{display:flow-root;border-bottom:1px solid var(--feedloom-border,color-mix(in srgb,currentColor 18%,transparent));padding-bottom:var(--feedloom-gap,.75rem)}
:host([layout=cards]) li{border:1px solid var(--feedloom-border,color-mix(in srgb,currentColor 18%,transparent));border-radius:var(--feedloom-radius,.5rem);padding:.75rem;background:var(--feedloom-card-background,transparent)}
a{color:var(--feedloom-link,inherit);font-weight:600;text-decoration:underline;text-underline-offset:2px}
a:focus-visible{outline:2px solid currentColor;outline-offset:2px}
[part=meta]{display:block;font-size:.85em;opacity:.75;margin-top:.15rem}
p{margin:.35rem 0 0;overflow-wrap:anywhere}
img{display:block;width:100%;height:auto;aspect-ratio:16/9;object-fit:cover;border-radius:var(--feedloom-radius,.35rem);margin-bottom:.5rem;background:color-mix(in srgb,currentColor 8%,transparent)}
:host(:not([layout=cards])) img{float:right;width:6rem;margin:0 0 .25rem .75rem}
[part=status]{margin:0;opacity:.8}\`;
const TEXT_LIMIT = 400;
let sheet;
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}
function httpUrl(value, base) {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  try {
    const url = new URL(String(value), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
function clip(value) {
  const text = String(value ?? "").replace(/\\s+/g, " ").trim();
  return text.length > TEXT_LIMIT ? text.slice(0, TEXT_LIMIT - 1) + "\\u2026" : text;
}
function el(name, part, text) {
  const node = document.createElement(name);
  if (part) node.setAttribute("part", part);
  if (text !== undefined) node.textContent = text;
  return node;
}
// Dates as the pages and the iframe show them ("1 Dec 2026"), whatever the visitor's locale.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const showDate = (date) => date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
// A busy server answers 503 (or 429) with Retry-After; a network can drop a request. Tried this often,
// waiting as the server says (at most a minute), else 1, 2 and 4 s.
const ATTEMPTS = 4;
const LONGEST_WAIT_S = 60;
const wait = (seconds) => new Promise((done) => setTimeout(done, seconds * 1000));
function retryAfter(response, attempt) {
  const said = Number(response?.headers.get("retry-after"));
  return Number.isFinite(said) && said >= 0 ? Math.min(said, LONGEST_WAIT_S) : 2 ** attempt;
}
async function fetchFeed(src, stillWanted) {
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(src, { headers: { Accept: "application/feed+json, application/json" } });
      if (response.ok) return await response.json();
    } catch {
      response = undefined; // the network failed: tried again like a 503
    }
    const again = !response || response.status === 503 || response.status === 429;
    if (!again || attempt + 1 >= ATTEMPTS || !stillWanted()) throw new Error(String(response?.status ?? "network"));
    await wait(retryAfter(response, attempt));
  }
}

class FeedloomFeed extends HTMLElement {
  static observedAttributes = ["src", "limit", "layout", "image", "excerpt", "date", "provider"];
  #root = this.attachShadow({ mode: "open" });
  #request = 0;
  #connected = false;

  constructor() {
    super();
    this.#root.adoptedStyleSheets = [styles()];
  }
  connectedCallback() {
    this.#connected = true;
    this.#load();
  }
  attributeChangedCallback(name, before, after) {
    if (this.#connected && before !== after) this.#load();
  }
  #flag(name, fallback) {
    const value = this.getAttribute(name);
    return value === null ? fallback : !/^(false|no|off|0)$/i.test(value);
  }
  #status(text, link) {
    const status = el("p", "status", text);
    status.setAttribute("role", "status");
    if (link) {
      status.append(" ");
      const a = el("a", "link", "Open the feed");
      a.href = link;
      status.append(a);
    }
    this.#root.replaceChildren(status);
  }
  async #load() {
    const request = ++this.#request;
    const src = httpUrl(this.getAttribute("src") ?? "", document.baseURI);
    if (!src) return this.#status("This feed has no valid http(s) src.");
    this.setAttribute("aria-busy", "true");
    this.#status("Loading\\u2026");
    let feed;
    try {
      feed = await fetchFeed(src, () => request === this.#request);
    } catch {
      if (request === this.#request) {
        this.removeAttribute("aria-busy");
        this.#status("This feed could not be loaded.", src);
      }
      return;
    }
    if (request !== this.#request) return;
    this.removeAttribute("aria-busy");
    this.#render(feed, src);
  }
  #render(feed, src) {
    const limit = Math.min(50, Math.max(1, parseInt(this.getAttribute("limit") ?? "5", 10) || 5));
    const items = (Array.isArray(feed?.items) ? feed.items : []).slice(0, limit);
    if (items.length === 0) return this.#status("No articles yet.", httpUrl(feed?.home_page_url, src));
    const cards = this.getAttribute("layout") === "cards";
    const show = { image: this.#flag("image", cards), excerpt: this.#flag("excerpt", cards), date: this.#flag("date", true), provider: this.#flag("provider", true) };
    const list = el("ol", "list");
    for (const item of items) {
      const li = el("li", "item");
      const image = show.image && httpUrl(item?.image, src);
      if (image) {
        const img = el("img", "image");
        img.alt = "";
        img.loading = "lazy";
        img.decoding = "async";
        img.referrerPolicy = "no-referrer";
        // A publisher's image that fails leaves no broken-image box: the item reads as one without.
        img.addEventListener("error", () => img.remove(), { once: true });
        img.src = image;
        li.append(img);
      }
      const href = httpUrl(item?.url, src);
      const title = el(href ? "a" : "span", "title", clip(item?.title || item?.summary || "Untitled"));
      if (href) title.href = href;
      li.append(title);
      const meta = [];
      const author = show.provider && Array.isArray(item?.authors) && item.authors[0]?.name;
      if (author) meta.push(el("span", undefined, clip(author)));
      const published = show.date && new Date(String(item?.date_published));
      if (published && !isNaN(published.getTime())) {
        const time = el("time", undefined, showDate(published));
        time.dateTime = published.toISOString();
        meta.push(time);
      }
      if (meta.length > 0) {
        const line = el("span", "meta");
        meta.forEach((part, index) => line.append(...(index > 0 ? [" \\u00b7 ", part] : [part])));
        li.append(line);
      }
      if (show.excerpt && item?.summary) li.append(el("p", "excerpt", clip(item.summary)));
      list.append(li);
    }
    this.#root.replaceChildren(list);
  }
}
if (!customElements.get("feedloom-feed")) customElements.define("feedloom-feed", FeedloomFeed);
`;

/**
 * `/embed/...` pages post their height to the parent, so that the host's
 * snippet can size the iframe; the pages work without it.
 */
export const EMBED_RESIZE = `const post = () => parent.postMessage({ type: "feedloom:height", height: Math.ceil(document.documentElement.scrollHeight) }, "*");
new ResizeObserver(post).observe(document.documentElement);
addEventListener("load", post);
`;

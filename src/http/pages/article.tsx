/**
 * One article's page, at `/articles/{uuid}/`: its title, provider, date,
 * excerpt, image, topics and related links, and the link to read it at its
 * provider. Fediverse posts link here (their `url`), so a reader who taps one
 * lands on this site, one tap from the story. Its canonical URL is the
 * story's own, so search engines credit the provider.
 */
import { topicKey } from "../../content/keys.js";
import { articlePath, feedPath, opmlPath, pagePath } from "../../scheme/paths.js";
import { ROUTES } from "../../scheme/routes.js";
import { HttpError } from "../errors.js";
import type { Site } from "../site.js";
import { html, feedSet } from "./routes.js";
import { Layout, SubscribeBox, safeImage, safeLink, showDate } from "./view.js";

export function articleRoutes(site: Site): void {
  const { config, store } = site;
  site.route(ROUTES.articlePage, async (c) => {
    const id = `urn:uuid:${c.req.param("id") ?? ""}`;
    const article = await store.article(id);
    if (!article)
      throw new HttpError(404, `no article ${JSON.stringify(c.req.param("id"))} is published here`);
    return site.send(c, articlePath(id), async () => {
      const origin = site.origin(c);
      const provider = { kind: "provider" as const, key: article.provider.domain };
      const feeds = feedSet(
        origin,
        `${config.siteTitle}: ${article.provider.name}`,
        feedPath(provider),
        opmlPath(provider),
      );
      const link = safeLink(article.url);
      const image = article.image && safeImage(article.image.url);
      const page = (
        <Layout
          title={`${article.title}: ${config.siteTitle}`}
          description={article.summary || article.title}
          site={config.siteTitle}
          base={config.basePath}
          feeds={[feeds]}
          {...(link ? { canonical: link } : {})}
        >
          <article class="story">
            <h1>{article.title}</h1>
            <p class="meta">
              <a href={`${config.basePath}${pagePath(provider)}`}>{article.provider.name}</a>
              {" · "}
              <time datetime={article.published}>{showDate(article.published)}</time>
            </p>
            {image ? (
              <img
                src={image}
                alt=""
                decoding="async"
                referrerpolicy="no-referrer"
                width={article.image?.width ?? 640}
                height={article.image?.height ?? 360}
              />
            ) : null}
            {article.summary ? <p class="lead">{article.summary}</p> : null}
            {link ? (
              <p>
                <a class="read" href={link}>
                  Read it at {article.provider.name}
                </a>
              </p>
            ) : null}
            {article.topics.length > 0 ? (
              <p>
                Topics:{" "}
                {article.topics.map((topic, position) => (
                  <>
                    {position > 0 ? ", " : null}
                    <a
                      href={`${config.basePath}${pagePath({ kind: "topic", key: topicKey(topic) })}`}
                    >
                      {topic}
                    </a>
                  </>
                ))}
              </p>
            ) : null}
            {article.related.length > 0 ? (
              <section aria-labelledby="related">
                <h2 id="related">Related coverage</h2>
                <ul>
                  {article.related.flatMap((related) => {
                    const href = safeLink(related.url);
                    return href ? (
                      <li>
                        <a href={href}>{related.title}</a>
                        {related.providerName ? ` (${related.providerName})` : ""}
                      </li>
                    ) : (
                      []
                    );
                  })}
                </ul>
              </section>
            ) : null}
          </article>
          <SubscribeBox feeds={feeds} id="provider" heading={`Follow ${article.provider.name}`} />
        </Layout>
      );
      return html(page.toString(), article.published);
    });
  });
}

-- feedloom's content in Cloudflare D1. Every feed page reads about `limit`
-- rows, never the whole table (D1 bills rows read): a page is a range of
-- ranks, an article's position counted from the oldest in its scope (so that
-- a new newest article shifts no other rank). Filtered pages (?since, ?q) walk
-- the date indexes, in feed order: newest first, ties by id.

-- One row per published article; `data` is the article as the feeds need it.
CREATE TABLE articles (
  id TEXT NOT NULL PRIMARY KEY,      -- urn:uuid of the article's URL
  published TEXT NOT NULL,           -- UTC, YYYY-MM-DDTHH:MM:SSZ: text order is time order
  provider_key TEXT NOT NULL,
  rank INTEGER NOT NULL,             -- position among all articles, 1 = the oldest
  provider_rank INTEGER NOT NULL,    -- position among its provider's articles
  topic_ranks TEXT NOT NULL,         -- JSON {topic key: position in that topic}: what publish compares
  search TEXT NOT NULL,              -- lowercased title and excerpt, for ?q=
  data TEXT NOT NULL,                -- the article, JSON
  hash TEXT NOT NULL                 -- of `data` and the keys: publish writes only what changed
) WITHOUT ROWID;
CREATE INDEX articles_by_rank ON articles (rank);
CREATE INDEX articles_by_provider_rank ON articles (provider_key, provider_rank);
CREATE INDEX articles_by_date ON articles (published DESC, id);
CREATE INDEX articles_by_provider ON articles (provider_key, published DESC, id);

-- A topic's articles, in feed order.
CREATE TABLE article_topics (
  topic_key TEXT NOT NULL,
  published TEXT NOT NULL,
  article_id TEXT NOT NULL,
  rank INTEGER NOT NULL,             -- position in the topic, 1 = the oldest
  PRIMARY KEY (topic_key, published DESC, article_id)
) WITHOUT ROWID;
CREATE INDEX article_topics_by_rank ON article_topics (topic_key, rank);
CREATE INDEX article_topics_by_article ON article_topics (article_id);

-- Topics and providers: what the directories list, and each feed's count and newest date.
CREATE TABLE groups (
  kind TEXT NOT NULL,                -- 'topic' or 'provider'
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  count INTEGER NOT NULL,
  newest TEXT NOT NULL,
  logo TEXT,                         -- providers: JSON image
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- version (part of every cache key), articles (how many), newest (date).
CREATE TABLE meta (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

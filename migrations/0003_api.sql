-- Articles written through the publishing API (docs/api.md) on a Worker with D1: the file text
-- each key holds, as the data folder holds it on Node. GET answers from here; the article it
-- became is its row in `articles` (none while it is marked `published: false`).
CREATE TABLE article_sources (
  key TEXT NOT NULL PRIMARY KEY,     -- the file name without .md
  article_id TEXT NOT NULL,          -- urn:uuid of its webUrl: its row in articles
  text TEXT NOT NULL,                -- the markdown file
  etag TEXT NOT NULL                 -- what GET and If-Match name it by
) WITHOUT ROWID;
CREATE INDEX article_sources_by_article ON article_sources (article_id);

-- The last writes through the API (the newest 100), which /stats/ lists: when, by which token, and
-- each key with its result. Written in the same transaction as the write it records.
CREATE TABLE api_writes (
  id INTEGER PRIMARY KEY,            -- in the order written
  at TEXT NOT NULL,                  -- UTC, YYYY-MM-DDTHH:MM:SSZ
  token TEXT NOT NULL,               -- the token's name (never its secret)
  summary TEXT NOT NULL              -- "key result, key result, …", cut at 400 characters
);

-- ActivityPub on a Worker (docs/federation.md): what a Node server keeps under STATE_DIR. Nothing
-- here is read or written while FEDERATION is off, and the triggers record nothing until
-- federation has started (its first round writes fed_meta 'started').

-- The key pair every account signs with (JWK), made once by the first Worker that needs it. The
-- private half is never served or logged.
CREATE TABLE fed_keys (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  keys TEXT NOT NULL
);

-- Who follows which account. Never served as a list: the followers collection gives a count.
CREATE TABLE fed_followers (
  account TEXT NOT NULL,             -- our account's handle
  actor TEXT NOT NULL,               -- the follower's actor id
  inbox TEXT NOT NULL,
  shared_inbox TEXT,                 -- its server's, when it has one
  follow TEXT NOT NULL,              -- the Follow's id
  since TEXT NOT NULL,
  PRIMARY KEY (account, actor)
) WITHOUT ROWID;
CREATE INDEX fed_followers_by_actor ON fed_followers (actor);

-- What followers heard of each article: "version handle handle…" (the accounts that posted it).
-- Only articles that were fresh when federation saw them: older ones were never posted.
CREATE TABLE fed_posted (
  article_id TEXT NOT NULL PRIMARY KEY,  -- urn:uuid, as in articles
  entry TEXT NOT NULL
) WITHOUT ROWID;

-- Articles added, changed or removed since the last round of posts, however they were written
-- (publish, the API): the round reads these and the fresh articles not yet posted, nothing else.
CREATE TABLE fed_pending (
  article_id TEXT NOT NULL PRIMARY KEY
) WITHOUT ROWID;

-- Each activity once, and one row per inbox still to deliver it to.
CREATE TABLE fed_activities (
  id TEXT NOT NULL PRIMARY KEY,
  key_id TEXT NOT NULL,              -- the posting account's key
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE fed_queue (
  activity TEXT NOT NULL,
  inbox TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  first_at INTEGER NOT NULL,         -- ms since the epoch
  next_at INTEGER NOT NULL,          -- due then; a Worker delivering it holds it a while ahead
  PRIMARY KEY (activity, inbox)
) WITHOUT ROWID;
CREATE INDEX fed_queue_by_next ON fed_queue (next_at);

-- 'started' (when federation first recorded the live articles), 'round' (each round's number:
-- a round applies only if no other one did meanwhile).
CREATE TABLE fed_meta (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER fed_article_added AFTER INSERT ON articles
  WHEN EXISTS (SELECT 1 FROM fed_meta WHERE key = 'started')
BEGIN
  INSERT OR IGNORE INTO fed_pending (article_id) VALUES (NEW.id);
END;

CREATE TRIGGER fed_article_changed AFTER UPDATE OF hash, published ON articles
  WHEN (OLD.hash IS NOT NEW.hash OR OLD.published IS NOT NEW.published)
    AND EXISTS (SELECT 1 FROM fed_meta WHERE key = 'started')
BEGIN
  INSERT OR IGNORE INTO fed_pending (article_id) VALUES (NEW.id);
END;

CREATE TRIGGER fed_article_removed AFTER DELETE ON articles
  WHEN EXISTS (SELECT 1 FROM fed_meta WHERE key = 'started')
BEGIN
  INSERT OR IGNORE INTO fed_pending (article_id) VALUES (OLD.id);
END;

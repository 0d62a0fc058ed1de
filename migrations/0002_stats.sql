-- Subscriber statistics (docs/statistics.md), written only when STATS_TOKEN is set.
-- No address is stored: a reader is a 24-bit keyed hash of feed, address and
-- User-Agent, under a key made each day and deleted after 7 days.

-- One random key per UTC day; the last 7 tell a returning reader apart from a new one.
CREATE TABLE stats_keys (
  day TEXT NOT NULL PRIMARY KEY,     -- YYYY-MM-DD
  key TEXT NOT NULL                  -- 32 random bytes, base64
) WITHOUT ROWID;

-- The readers of a feed on a day (kept 8 days). superseded_on: the next day the same
-- reader polled within 6 days, so that a reader counts once over a rolling 7 days.
CREATE TABLE stats_clients (
  path TEXT NOT NULL,
  day TEXT NOT NULL,
  hash INTEGER NOT NULL,
  superseded_on TEXT,
  PRIMARY KEY (path, day, hash)
) WITHOUT ROWID;

-- Aggregators' subscriber counts: the latest of a day, per service and feed-id (kept 8 days).
CREATE TABLE stats_claims (
  path TEXT NOT NULL,
  service TEXT NOT NULL,
  feed_id TEXT NOT NULL,             -- '' when the service names none
  day TEXT NOT NULL,
  subscribers INTEGER NOT NULL,
  PRIMARY KEY (path, service, feed_id, day)
) WITHOUT ROWID;

-- A feed's totals of a closed day, final once the day is over (kept STATS_RETENTION_DAYS).
CREATE TABLE stats_days (
  path TEXT NOT NULL,
  day TEXT NOT NULL,
  individuals INTEGER NOT NULL,
  aggregators TEXT NOT NULL,         -- JSON {service: subscribers}
  PRIMARY KEY (path, day)
) WITHOUT ROWID;
CREATE INDEX stats_days_by_day ON stats_days (day);

-- =====================================================================================================
-- Both databases: what JdbcStore.deleteUnreferencedBlobs needs to find blobs no run references.
--
-- blobs.put_at  when putBlob last stored the bytes or was asked to store them again (epoch ms; at
--   most BLOB_GRACE_MS / 2 behind the last put, so that most puts stay reads). A blob put within
--   BLOB_GRACE_MS is never deleted: a run puts its files and manifest before it starts and
--   references them. Existing blobs start from created_at.
--   index blobs_put_at (put_at)                      the sweep's candidates
--
-- blob_refs     what a run snapshot (a manifest: JSON object path -> blob hash) names: one row
--   (blob = the manifest, ref = each hash it names, and the manifest itself), written by the sweep
--   the first time it sees a manifest referenced by a run, dropped with the manifest. A blob is
--   referenced when a run's snapshot is it, or names it through these rows.
--   index blob_refs_ref (ref)
--
-- runs.snapshot gets an index: "is this blob a run's snapshot" is the sweep's question.
-- =====================================================================================================

ALTER TABLE blobs ADD COLUMN put_at BIGINT NOT NULL DEFAULT 0;
UPDATE blobs SET put_at = created_at;
CREATE INDEX blobs_put_at ON blobs (put_at);

CREATE INDEX runs_snapshot ON runs (snapshot);

CREATE TABLE blob_refs (
  blob TEXT NOT NULL REFERENCES blobs (hash) ON DELETE CASCADE,
  ref  TEXT NOT NULL,
  PRIMARY KEY (blob, ref)
);
CREATE INDEX blob_refs_ref ON blob_refs (ref);

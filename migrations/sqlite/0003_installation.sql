-- The installation's identity: one row, made when the database is created, named in support packets
-- (`metadata.yaml` server_id) so support can tell packets of one installation from another's.

CREATE TABLE installation (
    id          TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

INSERT INTO installation (id, created_at) VALUES (lower(hex(randomblob(13))), CAST(strftime('%s', 'now') AS INTEGER));

-- The installation's identity: one row, made when the database is created, named in support packets
-- (`metadata.yaml` server_id) so support can tell packets of one installation from another's.

CREATE TABLE installation (
    id          TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

INSERT INTO installation (id, created_at)
VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 26), CAST(extract(epoch FROM now()) AS BIGINT));

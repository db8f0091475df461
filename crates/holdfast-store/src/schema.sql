CREATE TRIGGER live_check_ins_delete AFTER DELETE ON checkins
        WHEN OLD.voided = 0
    BEGIN
        UPDATE totals SET value = value - 1 WHERE name = 'live_check_ins';
    END;

CREATE TRIGGER live_check_ins_insert AFTER INSERT ON checkins
        WHEN NEW.voided = 0
    BEGIN
        UPDATE totals SET value = value + 1 WHERE name = 'live_check_ins';
    END;

CREATE TRIGGER live_check_ins_void AFTER UPDATE OF voided ON checkins
        WHEN (OLD.voided = 0) != (NEW.voided = 0)
    BEGIN
        UPDATE totals SET value = value + (CASE WHEN NEW.voided = 0 THEN 1 ELSE -1 END)
            WHERE name = 'live_check_ins';
    END;

CREATE TABLE attention (
        key         TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        document_id TEXT NOT NULL,
        summary     TEXT NOT NULL
    ) STRICT;

CREATE TABLE changes (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id TEXT NOT NULL REFERENCES documents(id),
        hash        BLOB NOT NULL,
        bytes       BLOB NOT NULL,
        written_at  TEXT NOT NULL,
        UNIQUE (document_id, hash)
    ) STRICT;

CREATE TABLE checkins (
        id          TEXT PRIMARY KEY,
        document_id TEXT NOT NULL,
        action_id   TEXT NOT NULL,
        shift_id    TEXT,
        member_id   TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('in', 'out')),
        at          TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        device      TEXT NOT NULL,
        voided      INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;

CREATE TABLE documents (
        id         TEXT PRIMARY KEY,
        audience   TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;

CREATE TABLE epochs (
        document_id TEXT PRIMARY KEY,
        number      INTEGER NOT NULL,
        base        BLOB NOT NULL,
        retired     BLOB NOT NULL,
        erased      TEXT NOT NULL
    ) STRICT;

CREATE TABLE hall_browsers (
        id         TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        label      TEXT NOT NULL,
        member_id  TEXT,
        role       TEXT,
        created_at TEXT NOT NULL,
        paired_at  TEXT,
        revoked_at TEXT,
        revoked_by TEXT
    ) STRICT;

CREATE TABLE invites (
        tag        TEXT PRIMARY KEY,
        psk        BLOB NOT NULL,
        member_id  TEXT NOT NULL,
        role       TEXT NOT NULL,
        label      TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at    TEXT,
        used_by    TEXT
    ) STRICT;

CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

CREATE TABLE records (
        collection  TEXT NOT NULL,
        id          TEXT NOT NULL,
        document_id TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (collection, id)
    ) STRICT, WITHOUT ROWID;

CREATE TABLE refused_changes (
        hash        BLOB PRIMARY KEY,
        document_id TEXT NOT NULL,
        deps        BLOB NOT NULL,
        author      TEXT NOT NULL,
        reason      TEXT NOT NULL,
        refused_at  TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;

CREATE TABLE signatures (
        hash      BLOB PRIMARY KEY,
        signature BLOB NOT NULL
    ) STRICT, WITHOUT ROWID;

CREATE TABLE snapshots (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        bytes       BLOB NOT NULL,
        up_to_seq   INTEGER NOT NULL,
        written_at  TEXT NOT NULL
    ) STRICT;

CREATE TABLE sync_events (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        at     TEXT NOT NULL,
        peer   TEXT NOT NULL,
        event  TEXT NOT NULL
    ) STRICT;

CREATE TABLE sync_peers (
        peer_key       TEXT PRIMARY KEY,
        device_id      TEXT NOT NULL,
        address        TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        changes_sent     INTEGER NOT NULL,
        changes_received INTEGER NOT NULL
    ) STRICT;

CREATE TABLE sync_states (
        peer_key    TEXT NOT NULL,
        document_id TEXT NOT NULL,
        state       BLOB NOT NULL,
        PRIMARY KEY (peer_key, document_id)
    ) STRICT, WITHOUT ROWID;

CREATE TABLE totals (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) STRICT;

CREATE TABLE unsynced_changes (
        document_id TEXT NOT NULL,
        hash        BLOB NOT NULL,
        PRIMARY KEY (document_id, hash)
    ) STRICT, WITHOUT ROWID;

CREATE INDEX attention_by_document ON attention(document_id);

CREATE INDEX changes_by_document ON changes(document_id, seq);

CREATE INDEX checkins_by_action ON checkins(action_id, member_id, at, kind, voided);

CREATE INDEX checkins_by_member ON checkins(member_id, at);

CREATE INDEX devices_by_public_key ON records(json_extract(data, '$.public_key'))
        WHERE collection = 'devices';

CREATE INDEX documents_by_audience ON documents(audience, id);

CREATE INDEX members_by_merged_into ON records(json_extract(data, '$.merged_into'))
        WHERE collection = 'members';

CREATE INDEX records_by_document ON records(document_id);

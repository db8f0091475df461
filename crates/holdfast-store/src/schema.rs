//! The SQLite schema, as numbered append-only migrations.
//!
//! A migration, once released, is never edited: a change to the schema is a
//! new entry at the end of `MIGRATIONS`. `user_version` records how many have
//! run. The tests build every database from empty and compare the result with
//! the snapshot in `schema.sql`.

use rusqlite::Connection;

use crate::error::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    // 1: documents, their changes and snapshots; projections; attention; meta.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE documents (
        id         TEXT PRIMARY KEY,
        audience   TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;

    -- Automerge changes not yet folded into a snapshot, one row per change,
    -- in arrival order. The hash lets a load check each row.
    CREATE TABLE changes (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id TEXT NOT NULL REFERENCES documents(id),
        hash        BLOB NOT NULL,
        bytes       BLOB NOT NULL,
        written_at  TEXT NOT NULL,
        UNIQUE (document_id, hash)
    ) STRICT;
    CREATE INDEX changes_by_document ON changes(document_id, seq);

    CREATE TABLE snapshots (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        bytes       BLOB NOT NULL,
        up_to_seq   INTEGER NOT NULL,
        written_at  TEXT NOT NULL
    ) STRICT;

    -- Every record of every document as JSON, for lists and reports.
    CREATE TABLE records (
        collection  TEXT NOT NULL,
        id          TEXT NOT NULL,
        document_id TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (collection, id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX records_by_document ON records(document_id);

    -- Check-ins are the bulk of the record, so they get typed columns that
    -- aggregate without parsing JSON.
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
    CREATE INDEX checkins_by_action ON checkins(action_id, member_id, at);
    CREATE INDEX checkins_by_member ON checkins(member_id, at);

    -- What merges left for a person to decide, recomputed per document.
    CREATE TABLE attention (
        key         TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        document_id TEXT NOT NULL,
        summary     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX attention_by_document ON attention(document_id);
    "#,
    // 2: sync: invites this device issued, per-peer sync state, a record of
    // whom this device synced with, and refused connections.
    r#"
    -- Invites live only on the device that issued them: the pre-shared key
    -- is what a new device proves it holds when it pairs.
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

    -- Automerge's per-peer sync state, so that a reconnect resumes instead of
    -- starting over.
    CREATE TABLE sync_states (
        peer_key    TEXT NOT NULL,
        document_id TEXT NOT NULL,
        state       BLOB NOT NULL,
        PRIMARY KEY (peer_key, document_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE sync_peers (
        peer_key       TEXT PRIMARY KEY,
        device_id      TEXT NOT NULL,
        address        TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        changes_sent     INTEGER NOT NULL,
        changes_received INTEGER NOT NULL
    ) STRICT;

    -- Changes made on this device that no other device is known to hold
    -- yet; a row goes when a sync shows a peer has the change.
    CREATE TABLE unsynced_changes (
        document_id TEXT NOT NULL,
        hash        BLOB NOT NULL,
        PRIMARY KEY (document_id, hash)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE sync_events (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        at     TEXT NOT NULL,
        peer   TEXT NOT NULL,
        event  TEXT NOT NULL
    ) STRICT;
    "#,
    // 3: which history (epoch) of each document this device holds, after
    // re-bases that removed erased members from the history.
    r#"
    CREATE TABLE epochs (
        document_id TEXT PRIMARY KEY,
        number      INTEGER NOT NULL,
        base        BLOB NOT NULL,
        retired     BLOB NOT NULL,
        erased      TEXT NOT NULL
    ) STRICT;
    "#,
    // 4: authority: the signature that came with every change (so it can go
    // on to the next device), and the changes this device refused.
    r#"
    -- One row per change hash: the Ed25519 signature by the key in the
    -- author's device record. Kept after compaction; sync and bundles send
    -- it beside the change.
    CREATE TABLE signatures (
        hash      BLOB PRIMARY KEY,
        signature BLOB NOT NULL
    ) STRICT, WITHOUT ROWID;

    -- Changes refused at the door (unsigned, forged, from a revoked device,
    -- beyond their author's authority). Never applied and never forwarded;
    -- listed for stewards.
    CREATE TABLE refused_changes (
        hash        BLOB PRIMARY KEY,
        document_id TEXT NOT NULL,
        deps        BLOB NOT NULL,
        author      TEXT NOT NULL,
        reason      TEXT NOT NULL,
        refused_at  TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 5: browsers at the hall, each with its own identity on the hub that
    // serves them. Never synced: a browser is a guest of this hub only.
    r#"
    -- A browser that opened the hub's link. `token_hash` is the hash of the
    -- secret in its cookie. `member_id` and `role` are set when it is paired
    -- with an invite; until then it may only read.
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
    "#,
    // 6: a covering index for turnout, and running totals the dashboard
    // shows, kept by triggers in the same transaction as the rows they
    // count. Counting 120,000 check-ins took over 100 ms on an encrypted
    // database, where every page read is decrypted.
    r#"
    -- Who came to an action, and a member's last check-in there, are
    -- answered from the index alone: reading each row meant a page read
    -- (decrypted) per check-in, 80 ms for the dashboard's five actions.
    DROP INDEX checkins_by_action;
    CREATE INDEX checkins_by_action ON checkins(action_id, member_id, at, kind, voided);

    CREATE TABLE totals (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) STRICT;

    INSERT INTO totals (name, value)
        SELECT 'live_check_ins', COUNT(*) FROM checkins WHERE voided = 0;

    CREATE TRIGGER live_check_ins_insert AFTER INSERT ON checkins
        WHEN NEW.voided = 0
    BEGIN
        UPDATE totals SET value = value + 1 WHERE name = 'live_check_ins';
    END;

    CREATE TRIGGER live_check_ins_delete AFTER DELETE ON checkins
        WHEN OLD.voided = 0
    BEGIN
        UPDATE totals SET value = value - 1 WHERE name = 'live_check_ins';
    END;

    CREATE TRIGGER live_check_ins_void AFTER UPDATE OF voided ON checkins
        WHEN (OLD.voided = 0) != (NEW.voided = 0)
    BEGIN
        UPDATE totals SET value = value + (CASE WHEN NEW.voided = 0 THEN 1 ELSE -1 END)
            WHERE name = 'live_check_ins';
    END;
    "#,
    // 7: what a sync session asks of a hub that holds thousands of
    // members' arrivals and paired devices: the device with the peer's
    // key, which walk-ins were merged into its member (their arrivals go to
    // that member's phone too), and the documents of every audience but
    // arrivals.
    r#"
    CREATE INDEX members_by_merged_into ON records(json_extract(data, '$.merged_into'))
        WHERE collection = 'members';

    -- And the documents a member's phone is sent, without reading every
    -- member's arrivals to find them.
    CREATE INDEX documents_by_audience ON documents(audience, id);

    -- And the device at the other end of each connection, by its key.
    CREATE INDEX devices_by_public_key ON records(json_extract(data, '$.public_key'))
        WHERE collection = 'devices';
    "#,
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to the latest schema, each step in its own transaction.
pub fn migrate(connection: &mut Connection) -> Result<()> {
    let current: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > latest_version() {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: latest_version(),
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index as i64 + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
/// The schema as SQLite reports it, one statement per entry, in a stable order.
pub fn dump(connection: &Connection) -> Result<String> {
    let mut statement = connection.prepare(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name",
    )?;
    let statements: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(statements.join(";\n\n") + ";\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_from_empty_match_the_schema_snapshot() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, latest_version());
        let actual = dump(&connection).unwrap();
        let snapshot_path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.sql");
        if std::env::var_os("HOLDFAST_UPDATE_SCHEMA").is_some() {
            std::fs::write(snapshot_path, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(snapshot_path).unwrap();
        assert_eq!(
            actual, expected,
            "schema changed: review it, then rerun with HOLDFAST_UPDATE_SCHEMA=1"
        );
    }

    /// A digest of each released migration's text, in order. A database
    /// out there has run each of these exactly as written; changing one
    /// would leave such databases with a schema no new one has. A change to
    /// the schema is a new migration, whose digest is appended here in the
    /// same commit.
    const RELEASED: &[u64] = &[
        0xfa85_f859_8f91_9a17,
        0x1de4_6a3a_9861_324f,
        0x958c_7fd8_d08d_98f5,
        0x8383_bf67_43c1_d37f,
        0xed0a_e1db_9d42_fc0a,
        0x46b2_c974_9b62_6170,
        0x22ad_c017_ac98_4737,
    ];

    /// FNV-1a: stable across builds and platforms, which is all a guard
    /// against edits needs.
    fn digest(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    #[test]
    fn released_migrations_are_never_edited() {
        let digests: Vec<u64> = MIGRATIONS.iter().map(|text| digest(text)).collect();
        assert!(
            RELEASED.len() <= digests.len(),
            "a released migration was removed"
        );
        for (index, (released, now)) in RELEASED.iter().zip(&digests).enumerate() {
            assert_eq!(
                released,
                now,
                "migration {} was released and must not change; put the change in a new migration (digests now: {digests:#x?})",
                index + 1
            );
        }
        // A new migration's digest is listed in the commit that adds it;
        // from then on the migration is frozen.
        assert_eq!(
            RELEASED.len(),
            digests.len(),
            "list the new migration's digest in RELEASED: {digests:#x?}"
        );
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        let before = dump(&connection).unwrap();
        migrate(&mut connection).unwrap();
        assert_eq!(before, dump(&connection).unwrap());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut connection),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }
}

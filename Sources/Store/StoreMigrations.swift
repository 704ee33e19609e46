/// One schema step: the SQL that takes the database from `version - 1` to `version`.
struct StoreMigration: Sendable {
    var version: Int
    var sql: String
}

/// The store's schema history, oldest first, applied at open in one transaction per step and
/// recorded in `PRAGMA user_version`.
///
/// Never edit a step that has shipped: add a new one. Times are integer milliseconds since the
/// epoch (UTC) in every table; priorities are stored as their rank (0 emergency ... 3 bulk);
/// states and outcomes as their raw names.
enum StoreMigrations {
    static let all: [StoreMigration] = [
        StoreMigration(version: 1, sql: initialSchema),
        StoreMigration(version: 2, sql: contactsSchema),
        StoreMigration(version: 3, sql: inboundSchema),
        StoreMigration(version: 4, sql: claimOwnerSchema),
        StoreMigration(version: 5, sql: sharedBoxesSchema),
        StoreMigration(version: 6, sql: finalStateIndexSchema),
        StoreMigration(version: 7, sql: receiptWaitSchema),
        StoreMigration(version: 8, sql: sentDeadlineSchema),
    ]

    /// The newest schema version this code can migrate to.
    static var latestVersion: Int { all.last?.version ?? 0 }

    private static let initialSchema = """
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT,
            text TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            cancelled_at INTEGER
        );

        CREATE TABLE sms_queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient TEXT NOT NULL,
            text TEXT NOT NULL,
            priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
            state TEXT NOT NULL,
            provider_id TEXT,
            provider_message_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            not_before INTEGER,
            expires_at INTEGER,
            lease_until INTEGER,
            last_reason TEXT,
            broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
            idempotency_key TEXT UNIQUE
        );
        CREATE INDEX sms_queue_claim ON sms_queue(state, priority, id);
        CREATE INDEX sms_queue_provider_message ON sms_queue(provider_id, provider_message_id);
        CREATE INDEX sms_queue_broadcast ON sms_queue(broadcast_id, state);
        CREATE INDEX sms_queue_queued_expiry ON sms_queue(expires_at)
            WHERE state = 'queued' AND expires_at IS NOT NULL;
        CREATE INDEX sms_queue_sending_lease ON sms_queue(lease_until) WHERE state = 'sending';
        CREATE INDEX sms_queue_queued_not_before ON sms_queue(not_before)
            WHERE state = 'queued' AND not_before IS NOT NULL;
        CREATE INDEX sms_queue_final_updated ON sms_queue(updated_at)
            WHERE state IN ('delivered', 'failed', 'expired', 'cancelled');

        CREATE TABLE sms_attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id INTEGER NOT NULL REFERENCES sms_queue(id) ON DELETE CASCADE,
            provider_id TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            outcome TEXT,
            provider_message_id TEXT,
            detail TEXT,
            finished_at INTEGER
        );
        CREATE INDEX sms_attempts_message ON sms_attempts(message_id, id);
        CREATE INDEX sms_attempts_provider_message ON sms_attempts(provider_id, provider_message_id);
        CREATE INDEX sms_attempts_open ON sms_attempts(message_id) WHERE outcome IS NULL;

        CREATE TABLE sms_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id INTEGER NOT NULL REFERENCES sms_queue(id) ON DELETE CASCADE,
            at INTEGER NOT NULL,
            state TEXT NOT NULL,
            provider_id TEXT,
            reason TEXT
        );
        CREATE INDEX sms_events_message ON sms_events(message_id, id);

        CREATE TABLE sms_daily_summary (
            day TEXT NOT NULL,
            state TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, state, provider_id)
        ) WITHOUT ROWID;
        """

    /// Contacts, their groups, and a broadcast-wide idempotency key.
    ///
    /// `contacts.variables` is a JSON object of text values (template variables from an import).
    /// Deleting a group removes its memberships, not its contacts. The broadcast key is a partial
    /// unique index because `ALTER TABLE ... ADD COLUMN` cannot add a `UNIQUE` constraint.
    private static let contactsSchema = """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            number TEXT NOT NULL UNIQUE,
            name TEXT,
            variables TEXT NOT NULL DEFAULT '{}',
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );

        CREATE TABLE contact_groups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE group_members (
            group_id INTEGER NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            PRIMARY KEY (group_id, contact_id)
        ) WITHOUT ROWID;
        CREATE INDEX group_members_contact ON group_members(contact_id);

        ALTER TABLE broadcasts ADD COLUMN idempotency_key TEXT;
        CREATE UNIQUE INDEX broadcasts_idempotency_key ON broadcasts(idempotency_key)
            WHERE idempotency_key IS NOT NULL;
        """

    /// Messages received by any provider, complete (a concatenated message is one row) and decoded.
    ///
    /// `smsc_timestamp` is the SMSC's time of receipt in milliseconds (UTC) when the provider gives
    /// it; `parts` counts the SMS parts the message took.
    private static let inboundSchema = """
        CREATE TABLE inbound_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            received_at INTEGER NOT NULL,
            provider_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            text TEXT NOT NULL,
            smsc_timestamp INTEGER,
            parts INTEGER NOT NULL DEFAULT 1 CHECK (parts >= 1)
        );
        CREATE INDEX inbound_messages_received ON inbound_messages(received_at, id);
        """

    /// The owner of each claim (`ClaimOwner`), `NULL` for a message that is not `sending` or was
    /// claimed without an owner.
    private static let claimOwnerSchema = """
        ALTER TABLE sms_queue ADD COLUMN claim_owner TEXT;
        """

    /// Receipt adoption and boxes sharing one queue.
    ///
    /// `sms_attempts_unresolved` indexes the few ambiguous attempts whose provider message id was
    /// never recorded, the candidates for a receipt matching no recorded id. `lifeline_boxes`
    /// lists the boxes of a shared queue with their providers (ids separated by newlines) and
    /// their latest heartbeat, and `sms_queue.handoff_node` names the box a message was handed
    /// off to. One box on SQLite leaves both empty; they exist so both dialects have one schema.
    static let sharedBoxesSchema = """
        CREATE INDEX sms_attempts_unresolved ON sms_attempts(provider_id, message_id)
            WHERE outcome = 'ambiguous' AND provider_message_id IS NULL;

        CREATE TABLE lifeline_boxes (
            node TEXT PRIMARY KEY,
            provider_ids TEXT NOT NULL,
            heartbeat_at INTEGER NOT NULL
        );

        ALTER TABLE sms_queue ADD COLUMN handoff_node TEXT;
        """

    /// The finished-message index of retention pruning, with its states compared one by one.
    ///
    /// SQLite 3.40 evaluates the condition of a partial index on every `UPDATE` that writes one
    /// of its columns, for the old and the new row. Written as `state IN (...)`, each evaluation
    /// built a temporary table of the four names, two per state change. In the SMPP benchmark
    /// that was about 30% of the writer thread's instructions (callgrind). The `OR` chain compares
    /// in place. A query that names the index must state the same condition in the same form, as
    /// retention pruning does.
    static let finalStateIndexSchema = """
        DROP INDEX sms_queue_final_updated;
        CREATE INDEX sms_queue_final_updated ON sms_queue(updated_at)
            WHERE state = 'delivered' OR state = 'failed' OR state = 'expired' OR state = 'cancelled';
        """

    /// Messages waiting for the delivery receipt of an ambiguous attempt: `unknown` with a
    /// `not_before`, the end of the wait, after which a claim puts them back in the queue.
    ///
    /// Earlier versions kept a message's last `not_before` when it became `unknown`. Those values
    /// are cleared first, or the message would be taken for one whose wait has ended.
    static let receiptWaitSchema = """
        UPDATE sms_queue SET not_before = NULL WHERE state = 'unknown';
        CREATE INDEX sms_queue_unknown_not_before ON sms_queue(not_before)
            WHERE state = 'unknown' AND not_before IS NOT NULL;
        """

    /// The `sent` messages of each provider and priority in the order of their latest update, for
    /// the sweep of delivery deadlines (`MessageStore.sentMessagesPastDeadline`).
    ///
    /// The provider comes first because a message sent through a provider that sends no receipts
    /// stays `sent` for good: the sweep seeks the providers that send them and never reads the
    /// others. The condition is a single comparison, cheap to evaluate on every state change.
    static let sentDeadlineSchema = """
        CREATE INDEX sms_queue_sent_deadline ON sms_queue(provider_id, priority, updated_at, id)
            WHERE state = 'sent';
        """
}

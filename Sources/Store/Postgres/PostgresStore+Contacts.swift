import Foundation

/// Contacts and groups on the shared database, with the semantics of `SQLiteStore`'s functions
/// of the same names.
extension PostgresStore {
    /// Adds or updates contacts and makes them members of `group`, in one transaction, as
    /// `SQLiteStore` does. Two imports of the same number at once both succeed: the second waits
    /// for the first on the unique number and then updates the row.
    /// - Returns: what happened to each contact, in the order given.
    public func importContacts(
        _ contacts: [ContactImport],
        intoGroup group: String,
        now: Date
    ) async throws -> [ContactImportOutcome] {
        let outcomes = try await executor.run { connection in
            try connection.transaction {
                let groupID = try PostgresStore.ensureGroup(named: group, now: now, on: connection)
                var outcomes: [ContactImportOutcome] = []
                outcomes.reserveCapacity(contacts.count)
                for contact in contacts {
                    let (contactID, outcome) = try PostgresStore.upsert(contact, now: now, on: connection)
                    try connection.execute(
                        """
                        INSERT INTO group_members (group_id, contact_id) VALUES ($1::bigint, $2::bigint)
                        ON CONFLICT DO NOTHING
                        """,
                        [.integer(groupID), .integer(contactID)]
                    )
                    outcomes.append(outcome)
                }
                return outcomes
            }
        }
        logger.trace("Imported contacts", metadata: ["store.count": "\(outcomes.count)"])
        return outcomes
    }

    /// Returns every group with its member count, sorted by name.
    public func contactGroups() async throws -> [ContactGroupSummary] {
        try await executor.run { connection in
            try connection.rows(
                """
                SELECT g.id, g.name, g.created_at, COUNT(m.contact_id)
                FROM contact_groups g LEFT JOIN group_members m ON m.group_id = g.id
                GROUP BY g.id ORDER BY g.name
                """
            ).map { row in
                ContactGroupSummary(id: try row.int64(0), name: try row.text(1), memberCount: try row.int(3), createdAt: try row.date(2))
            }
        }
    }

    /// Returns the members of `group` in the order they were first imported, or `nil` when no
    /// group has this name.
    public func contacts(inGroup group: String) async throws -> [ContactRecord]? {
        try await executor.run { connection in
            guard
                let groupID = try connection.firstRow("SELECT id FROM contact_groups WHERE name = $1::text", [.text(group)])?
                    .int64(0)
            else { return nil }
            return try connection.rows(
                """
                SELECT c.id, c.number, c.name, c.variables, c.created_at
                FROM group_members m JOIN contacts c ON c.id = m.contact_id
                WHERE m.group_id = $1::bigint ORDER BY c.id
                """,
                [.integer(groupID)]
            ).map(PostgresStore.readContact)
        }
    }

    /// Returns every contact, in a group or not, in the order they were first imported.
    public func allContacts() async throws -> [ContactRecord] {
        try await executor.run { connection in
            try connection.rows("SELECT id, number, name, variables, created_at FROM contacts ORDER BY id")
                .map(PostgresStore.readContact)
        }
    }

    /// Deletes a group and its memberships. The contacts themselves stay.
    /// - Returns: `false` when no group has this name.
    public func deleteContactGroup(_ group: String) async throws -> Bool {
        try await executor.run { connection in
            try connection.execute("DELETE FROM contact_groups WHERE name = $1::text", [.text(group)]).affectedRows == 1
        }
    }

    // MARK: Rows

    private static func ensureGroup(named name: String, now: Date, on connection: PostgresConnection) throws -> Int64 {
        try connection.execute(
            "INSERT INTO contact_groups (name, created_at) VALUES ($1::text, $2::bigint) ON CONFLICT (name) DO NOTHING",
            [.text(name), PostgresValue(now)]
        )
        guard let row = try connection.firstRow("SELECT id FROM contact_groups WHERE name = $1::text", [.text(name)]) else {
            throw PostgresError(code: .uniqueViolation, message: "the contact group was inserted and removed concurrently")
        }
        return try row.int64(0)
    }

    private static func upsert(
        _ contact: ContactImport,
        now: Date,
        on connection: PostgresConnection
    ) throws -> (Int64, ContactImportOutcome) {
        let inserted = try connection.firstRow(
            """
            INSERT INTO contacts (number, name, variables, created_at, updated_at)
            VALUES ($1::text, $2::text, $3::text, $4::bigint, $4::bigint)
            ON CONFLICT (number) DO NOTHING
            RETURNING id
            """,
            [.text(contact.number), PostgresValue(contact.name), .text(SQLiteStore.encodeVariables(contact.variables)), PostgresValue(now)]
        )
        if let inserted { return (try inserted.int64(0), .inserted) }
        guard
            let existing = try connection.firstRow(
                "SELECT id, variables FROM contacts WHERE number = $1::text FOR UPDATE",
                [.text(contact.number)]
            )
        else {
            throw PostgresError(code: .uniqueViolation, message: "the contact was inserted and removed concurrently")
        }
        let id = try existing.int64(0)
        let merged = SQLiteStore.decodeVariables(try existing.text(1)).merging(contact.variables) { _, imported in imported }
        try connection.execute(
            "UPDATE contacts SET name = COALESCE($1::text, name), variables = $2::text, updated_at = $3::bigint WHERE id = $4::bigint",
            [PostgresValue(contact.name), .text(SQLiteStore.encodeVariables(merged)), PostgresValue(now), .integer(id)]
        )
        return (id, .updated)
    }

    static func readContact(_ row: PostgresRow) throws -> ContactRecord {
        ContactRecord(
            id: try row.int64(0),
            number: try row.text(1),
            name: row.optionalText(2),
            variables: SQLiteStore.decodeVariables(try row.text(3)),
            createdAt: try row.date(4)
        )
    }
}

import CSQLite3

extension SQLiteStatement {
    /// SQLite copies the bytes before the bind call returns (`SQLITE_TRANSIENT`, a macro that does
    /// not import into Swift).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds `values` to parameters 1...n in order.
    /// - Throws: `SQLiteError` with code `.range` when there are more values than parameters.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let result: Int32
        switch value {
        case .null:
            result = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            result = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            result = sqlite3_bind_double(handle, index, real)
        case .text(let text):
            // The byte count, not -1, so that text holding NUL characters is stored whole.
            // A trailing NUL keeps the buffer non-empty, so empty text binds as '' and not as NULL.
            var utf8 = Array(text.utf8)
            let count = utf8.count
            utf8.append(0)
            result = utf8.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { characters in
                    sqlite3_bind_text64(
                        handle,
                        index,
                        characters.baseAddress,
                        sqlite3_uint64(count),
                        Self.transient,
                        UInt8(SQLITE_UTF8)
                    )
                }
            }
        case .blob(let bytes):
            result = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob64(handle, index, buffer.baseAddress, sqlite3_uint64(buffer.count), Self.transient)
            }
        }
        guard result == SQLITE_OK else {
            throw SQLiteError(result: result, connection: sqlite3_db_handle(handle), sql: sql)
        }
    }
}

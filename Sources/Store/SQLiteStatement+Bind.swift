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
            result = bindText(text, at: index)
        case .blob(let bytes):
            result = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob64(handle, index, buffer.baseAddress, sqlite3_uint64(buffer.count), Self.transient)
            }
        }
        guard result == SQLITE_OK else {
            throw SQLiteError(result: result, connection: sqlite3_db_handle(handle), sql: sql)
        }
    }

    /// Binds text with its byte count, not -1, so that text holding NUL characters is stored whole.
    ///
    /// The UTF-8 bytes of a native string are bound in place, and SQLite copies them. A bridged
    /// string is made contiguous first. Empty text binds a pointer to a NUL byte, so it stores ''
    /// and not NULL.
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        var text = text
        text.makeContiguousUTF8()
        let bound = text.utf8.withContiguousStorageIfAvailable { bytes -> Int32 in
            guard let start = bytes.baseAddress, !bytes.isEmpty else { return bindEmptyText(at: index) }
            return start.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                sqlite3_bind_text64(
                    handle,
                    index,
                    characters,
                    sqlite3_uint64(bytes.count),
                    Self.transient,
                    UInt8(SQLITE_UTF8)
                )
            }
        }
        return bound ?? SQLITE_MISUSE
    }

    private func bindEmptyText(at index: Int32) -> Int32 {
        "".withCString { empty in
            sqlite3_bind_text64(handle, index, empty, 0, Self.transient, UInt8(SQLITE_UTF8))
        }
    }
}

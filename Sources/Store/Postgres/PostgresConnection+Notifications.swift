import CLibPQ

/// Asynchronous notifications (`LISTEN`/`NOTIFY`): the socket to wait on, reading what arrived,
/// and taking the notifications out.
extension PostgresConnection {
    /// The connection's socket, to wait on with `poll` for notifications; -1 when closed.
    public var socketDescriptor: Int32 {
        handle.map { PQsocket($0) } ?? -1
    }

    /// Reads whatever the server sent without blocking (`PQconsumeInput`).
    /// - Throws: `PostgresError` with `.connectionFailure` when the connection is lost.
    public func consumeInput() throws(PostgresError) {
        guard let handle, PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(code: .connectionFailure, message: "the connection to \(target) was lost")
        }
    }

    /// Removes and returns the channels of the notifications received so far, oldest first.
    public func takeNotifications() -> [String] {
        guard let handle else { return [] }
        var channels: [String] = []
        while let notification = PQnotifies(handle) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }
}

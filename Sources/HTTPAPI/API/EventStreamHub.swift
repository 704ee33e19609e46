import Foundation

/// The open server-sent event streams: at most `maxStreams` at once, all ended on stop.
actor EventStreamHub {
    let maxStreams: Int
    private var streams: [ObjectIdentifier: EventStream] = [:]
    private var closed = false

    init(maxStreams: Int) {
        self.maxStreams = maxStreams
    }

    /// Opens a new stream, or returns `nil` when `maxStreams` are open or the server is stopping.
    func open() -> EventStream? {
        guard !closed, streams.count < maxStreams else { return nil }
        let stream = EventStream()
        let key = ObjectIdentifier(stream)
        streams[key] = stream
        stream.onFinish { [weak self] in
            Task { await self?.remove(key) }
        }
        return stream
    }

    /// The number of open streams.
    var count: Int { streams.count }

    private func remove(_ key: ObjectIdentifier) {
        streams[key] = nil
    }

    /// Ends every stream and refuses new ones.
    func closeAll() {
        closed = true
        for stream in streams.values { stream.close() }
    }
}

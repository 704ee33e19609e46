import Foundation

/// The open server-sent event streams: at most `maxStreams` at once, all ended on stop.
actor EventStreamHub {
    /// How long `closeAll()` waits for clients to receive the end of their streams.
    static let drainTimeout: Duration = .seconds(2)

    let maxStreams: Int
    private var streams: [ObjectIdentifier: EventStream] = [:]
    private var closed = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

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
        if streams.isEmpty { resumeDrainWaiters() }
    }

    /// Ends every stream, refuses new ones, and waits until the connections have sent the end of
    /// their streams (at most `drainTimeout`), so stopping the server does not cut them off.
    func closeAll() async {
        closed = true
        for stream in streams.values { stream.close() }
        guard !streams.isEmpty else { return }
        let timeout = Task { [weak self] in
            try? await Task.sleep(for: EventStreamHub.drainTimeout)
            await self?.resumeDrainWaiters()
        }
        await withCheckedContinuation { drainWaiters.append($0) }
        timeout.cancel()
    }

    private func resumeDrainWaiters() {
        for waiter in drainWaiters { waiter.resume() }
        drainWaiters = []
    }
}

import Foundation

/// A TCP listener on 127.0.0.1 that accepts connections and never reads or responds, so a
/// client sees its request leave and waits until its own timeout.
///
/// Accepted sockets stay open until `close()`, which stops the accepting thread (within 200 ms)
/// and closes every socket.
final class ChaosBlackHole: @unchecked Sendable {
    // @unchecked: `accepted` and `stopped` are only touched under `lock`.
    private let listener: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Listens on `port`, which must be free.
    init(port: UInt16) throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            let code = errno
            Foundation.close(listener)
            throw FailoverPoolTests.WaitFailure(description: "black hole cannot listen on port \(port): errno \(code)")
        }
        Thread { [self] in acceptLoop() }.start()
    }

    /// How many connections were accepted so far.
    var connectionCount: Int { lock.withLock { accepted.count } }

    /// Stops accepting and closes the listener and every accepted socket.
    func close() {
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        finished.wait()
        Foundation.close(listener)
        for descriptor in lock.withLock({ accepted }) { Foundation.close(descriptor) }
    }

    private func acceptLoop() {
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !lock.withLock({ stopped }) {
            guard poll(&entry, 1, 200) > 0 else { continue }
            let descriptor = accept(listener, nil, nil)
            if descriptor >= 0 { lock.withLock { accepted.append(descriptor) } }
        }
        finished.signal()
    }
}

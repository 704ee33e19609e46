import Foundation

/// A TCP relay from an address of the test's own network namespace to a port on 127.0.0.1, so
/// a daemon in another namespace reaches the in-process SMSC simulator (which listens on
/// 127.0.0.1 only) across a veth link.
///
/// Each accepted connection gets one upstream connection and one thread copying bytes both ways
/// until either side closes. `close()` stops accepting (within 200 ms) and shuts every socket
/// down, which ends the copying threads.
final class ChaosRelay: @unchecked Sendable {
    // @unchecked: `sockets` and `stopped` are only touched under `lock`; `listener` and `port`
    // are set in `init` before the accepting thread starts.
    let port: UInt16
    private let listener: Int32
    private let targetPort: UInt16
    private let lock = NSLock()
    private var sockets: [Int32] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Listens on `listenAddress` (an IPv4 literal) at a port the kernel picks, relaying to
    /// 127.0.0.1:`targetPort`.
    init(listenAddress: String, targetPort: UInt16) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(listenAddress)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let code = errno
            Foundation.close(descriptor)
            throw FailoverPoolTests.WaitFailure(description: "relay cannot listen on \(listenAddress): errno \(code)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
        self.targetPort = targetPort
        Thread { [self] in acceptLoop() }.start()
    }

    /// Stops accepting and shuts down the listener and every relayed connection.
    func close() {
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        finished.wait()
        Foundation.close(listener)
        // Under the lock: a copying thread deregisters its sockets before closing them, so no
        // descriptor number shut down here can belong to something else by then.
        lock.withLock {
            for descriptor in sockets { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !lock.withLock({ stopped }) {
            guard poll(&entry, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            guard let upstream = connectUpstream() else {
                Foundation.close(client)
                continue
            }
            let registered = lock.withLock { () -> Bool in
                if stopped { return false }
                sockets += [client, upstream]
                return true
            }
            guard registered else {
                Foundation.close(client)
                Foundation.close(upstream)
                continue
            }
            Thread { [self] in copyBothWays(client, upstream) }.start()
        }
        finished.signal()
    }

    private func connectUpstream() -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = targetPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Foundation.close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Copies until either side ends or fails, then closes both sockets, so the other peer gets a close too.
    private func copyBothWays(_ first: Int32, _ second: Int32) {
        var entries = [pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 16_384)
        copying: while true {
            guard poll(&entries, 2, 1_000) >= 0 else { break }
            for (index, entry) in entries.enumerated() where entry.revents != 0 {
                let target = index == 0 ? second : first
                let count = read(entry.fd, &buffer, buffer.count)
                guard count > 0, writeAll(target, buffer, count: count) else { break copying }
            }
            if lock.withLock({ stopped }) { break }
        }
        lock.withLock { sockets.removeAll { $0 == first || $0 == second } }
        Foundation.close(first)
        Foundation.close(second)
    }

    private func writeAll(_ descriptor: Int32, _ buffer: [UInt8], count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, count - offset) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}

import Diagnostics

/// Finds the port of a modem by the identity it reports, among the ports a `PortSearch` lists.
///
/// Each candidate not held by another session of this process is opened, asked `AT` (twice at
/// most, since the first command after opening is often lost) and then its identity command, and
/// closed again unless it matches. A candidate that cannot be opened or stays silent is skipped
/// after `timeout` per command, so a search over a modem's diagnostics and PPP ports costs a few
/// timeouts. The previous path is tried first, so a modem that did not move is found at once.
struct ModemLocator: Sendable {
    let identity: ModemIdentity
    let search: PortSearch
    let baudRate: Int
    let timeout: Duration
    let logger: Logger

    /// A port found, with the claim the caller now holds on it and must release on close.
    struct Found: Sendable {
        var path: String
        var claim: String
    }

    /// Searches the candidates and returns the first whose modem reports `identity`.
    /// - Throws: `ModemError.notFound` with every path tried.
    func locate(preferring previous: String?) async throws(ModemError) -> Found {
        var candidates = search.candidates()
        if let previous, let index = candidates.firstIndex(of: previous) {
            candidates.remove(at: index)
            candidates.insert(previous, at: 0)
        }
        var tried: [String] = []
        for path in candidates {
            guard let claim = SerialPortClaims.claim(path, exclusive: true) else {
                logger.trace("Port held by another modem session, skipped", metadata: ["modem.path": path])
                continue
            }
            tried.append(path)
            if await reports(identity, at: path) {
                logger.debug("Modem found", metadata: ["modem.path": path, "modem.identity": identity.description])
                return Found(path: path, claim: claim)
            }
            SerialPortClaims.release(claim)
        }
        throw .notFound(identity: identity.description, searched: tried)
    }

    /// Opens `path`, reads the identity and closes it again; `false` on any failure.
    private func reports(_ identity: ModemIdentity, at path: String) async -> Bool {
        let port: SerialPort
        do {
            port = try SerialPort(path: path, baudRate: baudRate)
        } catch {
            logger.trace("Candidate port not opened", metadata: ["modem.path": path, "modem.error": error.description])
            return false
        }
        let channel = ATChannel(transport: port, logger: logger, onUnsolicited: { _ in })
        var answered = false
        for _ in 0..<2 where !answered {
            answered = (try? await channel.execute("AT", timeout: timeout))?.final == .ok
        }
        guard answered else {
            await channel.close()
            return false
        }
        for command in identity.commands {
            guard let response = try? await channel.execute(command, timeout: timeout), response.final == .ok else {
                continue
            }
            let matched = response.lines.contains(where: identity.matchesAnswer)
            await channel.close()
            return matched
        }
        await channel.close()
        return false
    }
}

import Foundation

/// A throwaway CA and a server certificate it signs, made with `openssl req` and `openssl x509`
/// in a fresh temporary directory. Both are P-256 and valid for one day.
///
/// `remove()` deletes the directory; the owner calls it when the test ends.
struct TestCertificateAuthority {
    /// The temporary directory holding every file.
    let directory: String
    /// The CA certificate (PEM): what a client names as its CA file.
    let caPath: String
    /// The server certificate signed by the CA, with `subjectAltName` as given to `make`.
    let serverCertificatePath: String
    let serverKeyPath: String

    /// One `openssl` run that failed or outlived its deadline.
    struct ToolError: Error, CustomStringConvertible {
        var command: String
        var status: Int32?
        var output: String
        var description: String {
            "\(command) " + (status.map { "exited with \($0)" } ?? "timed out") + ": \(output)"
        }
    }

    /// Makes the CA and a server certificate for `alternativeName` (for example `IP:127.0.0.1`).
    /// - Throws: `ToolError` when an `openssl` command fails or runs past 30 seconds.
    static func make(name: String, alternativeName: String = "IP:127.0.0.1") async throws -> TestCertificateAuthority {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-cloud-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let authority = TestCertificateAuthority(
            directory: directory,
            caPath: "\(directory)/\(name)-ca.pem",
            serverCertificatePath: "\(directory)/\(name).pem",
            serverKeyPath: "\(directory)/\(name).key"
        )
        do {
            try await authority.generate(name: name, alternativeName: alternativeName)
        } catch {
            authority.remove()
            throw error
        }
        return authority
    }

    private func generate(name: String, alternativeName: String) async throws {
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let caKey = "\(directory)/\(name)-ca.key"
        let request = "\(directory)/\(name).csr"
        let extensions = "\(directory)/\(name).ext"
        try await Self.openssl(
            ["req", "-x509"] + curve + [
                "-keyout", caKey, "-out", caPath, "-days", "1", "-subj", "/CN=lifeline-test-\(name)-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]
        )
        try await Self.openssl(
            ["req", "-new"] + curve + ["-keyout", serverKeyPath, "-out", request, "-subj", "/CN=lifeline-test-\(name)"]
        )
        let lines = ["subjectAltName=\(alternativeName)", "basicConstraints=CA:FALSE", "extendedKeyUsage=serverAuth"]
        try (lines.joined(separator: "\n") + "\n").write(toFile: extensions, atomically: true, encoding: .utf8)
        try await Self.openssl([
            "x509", "-req", "-in", request, "-CA", caPath, "-CAkey", caKey, "-set_serial", "1", "-days", "1",
            "-out", serverCertificatePath, "-extfile", extensions,
        ])
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `/usr/bin/openssl` with `arguments` on a thread of its own, killing it after 30 seconds.
    private static func openssl(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let finished: (status: Int32?, output: String) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = DispatchTime.now() + .seconds(30)
                let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: deadline, execute: watchdog)
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                watchdog.cancel()
                let status = process.terminationReason == .exit ? process.terminationStatus : nil
                continuation.resume(returning: (status, text))
            }
        }
        guard finished.status == 0 else {
            throw ToolError(
                command: "openssl " + arguments.prefix(2).joined(separator: " "),
                status: finished.status,
                output: String(finished.output.suffix(2000))
            )
        }
    }
}

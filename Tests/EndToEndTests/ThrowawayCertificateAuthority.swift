import Foundation

/// A certificate authority made for one test with `openssl`, and a server certificate it signed.
///
/// Both keys are P-256, both certificates are valid for one day, and the files live in the
/// directory given, which the caller removes.
struct ThrowawayCertificateAuthority {
    /// A failed `openssl` run, with its arguments and output.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The CA certificate (PEM), for a client's `ca_file`.
    let caCertificatePath: String
    /// The server certificate (PEM), signed by the CA.
    let serverCertificatePath: String
    /// The server's private key (PEM, unencrypted).
    let serverKeyPath: String

    /// Makes a CA and a server certificate whose subjectAltName is `alternativeName` (for
    /// example `IP:127.0.0.1`), in `directory`. Each `openssl` run is stopped after 60 s.
    ///
    /// - Throws: `Failure` when an `openssl` run exits non-zero.
    static func make(alternativeName: String, in directory: String) async throws -> ThrowawayCertificateAuthority {
        let caKey = directory + "/ca.key"
        let caCertificate = directory + "/ca.pem"
        let serverKey = directory + "/server.key"
        let request = directory + "/server.csr"
        let serverCertificate = directory + "/server.pem"
        let extensions = directory + "/server.ext"
        try "subjectAltName=\(alternativeName)\nbasicConstraints=CA:FALSE\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await openssl(
            ["req", "-x509"] + newKey + [
                "-keyout", caKey, "-out", caCertificate, "-days", "1", "-subj", "/CN=lifeline-test-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]
        )
        try await openssl(["req"] + newKey + ["-keyout", serverKey, "-out", request, "-subj", "/CN=lifeline-test-server"])
        try await openssl([
            "x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial",
            "-out", serverCertificate, "-days", "1", "-extfile", extensions,
        ])
        return ThrowawayCertificateAuthority(
            caCertificatePath: caCertificate,
            serverCertificatePath: serverCertificate,
            serverKeyPath: serverKey
        )
    }

    private static func openssl(_ arguments: [String]) async throws {
        let result = try await LifelineBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/openssl"),
            arguments,
            timeout: .seconds(60)
        )
        guard result.status == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
    }
}

/// TLS to the SMSC: which CAs to trust and whether to check the certificate at all.
///
/// With the defaults the SMSC's certificate must chain to a CA in the system store (Debian's
/// /etc/ssl/certs) and name the host the link connects to (a DNS name, or an IP address in its
/// subjectAltName). TLS 1.2 is the oldest version offered.
public struct SMPPTLSSettings: Equatable, Sendable {
    /// A PEM file with the CA certificates that may sign the SMSC's certificate, used instead of
    /// the system store. Carriers with a private CA provide one.
    public var caFile: String?
    /// Whether the certificate chain and host name are checked. `false` accepts any certificate,
    /// which lets anyone on the path read and change the traffic: for tests only.
    public var verifiesPeer: Bool

    public init(caFile: String? = nil, verifiesPeer: Bool = true) {
        self.caFile = caFile
        self.verifiesPeer = verifiesPeer
    }
}

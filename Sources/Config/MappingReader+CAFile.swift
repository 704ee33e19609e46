/// The `ca_file` key of a cloud provider: the CAs trusted for its API's certificate.
extension MappingReader {
    /// Largest CA file accepted, about 20 times the size of Debian 12's whole CA bundle (209 KiB).
    static let maximumCAFileSize = 4 << 20

    /// The text every PEM certificate starts with.
    static let pemCertificateMarker = "-----BEGIN CERTIFICATE-----"

    /// Reads `ca_file`: the path of a readable PEM file with at least one certificate. Returns
    /// the path resolved against the config file's directory, or nil when the key is absent or
    /// after reporting an issue that names the key, the path and the fix.
    func cloudCAFile() -> String? {
        optional("ca_file") { value -> String? in
            let form = "the path of a PEM file with the CA certificate that signs the provider's API certificate"
            guard let written = value.string(expected: form) else { return nil }
            let path = decoder.resolve(path: written)
            let fix =
                "give the PEM file with the CA certificate that signs the API's certificate (for a proxy that "
                + "inspects TLS, its CA), or remove ca_file to trust the system's CAs"
            switch FileContents.load(path: path, maximumSize: Self.maximumCAFileSize) {
            case .failure(.notFound):
                return value.fail("ca_file \(path) does not exist; \(fix)")
            case .failure(.permissionDenied):
                return value.fail("ca_file \(path) is not readable (permission denied); let the lifeline user read it")
            case .failure(let error):
                return value.fail("ca_file \(path) cannot be read: \(error.reason); \(fix)")
            case .success(let contents):
                guard String(decoding: contents.bytes, as: UTF8.self).contains(Self.pemCertificateMarker) else {
                    return value.fail(
                        "ca_file \(path) contains no PEM certificate (no \(Self.pemCertificateMarker) line); give "
                            + "the CA certificate in PEM form, converting a DER file with "
                            + "openssl x509 -inform der -in FILE -out FILE.pem"
                    )
                }
                return path
            }
        }
    }
}

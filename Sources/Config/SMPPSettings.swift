import Foundation

/// An SMPP 3.4 link to a carrier's SMSC.
public struct SMPPSettings: Sendable, Equatable {
    /// The bind PDU that opens the session.
    public enum BindMode: String, Sendable, Equatable, CaseIterable {
        /// `bind_transceiver`: submits and receipts on one connection.
        case transceiver
        /// `bind_transmitter`: submits only.
        case transmitter
        /// `bind_receiver`: receipts and inbound messages only.
        case receiver
        /// Two sessions, `bind_transmitter` for submits and `bind_receiver` for receipts and
        /// inbound messages, for SMSCs that refuse `bind_transceiver`.
        case transmitterReceiver = "transmitter_receiver"
    }

    /// The form in which a text longer than one SMS goes to the SMSC.
    public enum LongMessages: String, Sendable, Equatable, CaseIterable {
        /// One `submit_sm` per segment with a concatenation header in the text (`esm_class` 0x40).
        case udh
        /// One `submit_sm` per segment with the `sar_*` parameters; the SMSC adds the header.
        case sar
        /// One `submit_sm` with the whole text in `message_payload`; the SMSC splits it.
        case payload
    }

    /// The layout of GSM 7-bit text the SMSC expects when `data_coding` is 0.
    public enum GSMPacking: String, Sendable, Equatable, CaseIterable {
        /// One septet per octet, the common choice on SMPP links.
        case unpacked
        /// Septets packed into octets as on the air interface.
        case packed
    }

    /// The SMSC's message id notation, so that `submit_sm_resp` ids match receipt ids.
    public enum MessageIDFormat: String, Sendable, Equatable, CaseIterable {
        /// Compare the ids as text.
        case asIs = "as_is"
        /// The ids are hexadecimal numbers (compared by value).
        case hex
        /// The ids are decimal numbers (compared by value).
        case decimal
    }

    /// SMPP 3.4 limits: `system_id` is a C-Octet String of 16 octets, `password` of 9, `system_type` of 13.
    public static let maximumSystemIDLength = 15
    public static let maximumPasswordLength = 8
    public static let maximumSystemTypeLength = 12

    public var host: String
    /// Default 2775, the port IANA lists for SMPP.
    public var port: Int = 2775
    public var systemID: String
    public var password: Secret
    /// Default empty; some carriers require a value.
    public var systemType: String = ""
    /// Default `transceiver`.
    public var bind: BindMode = .transceiver
    /// Requests in flight without a response; default 10, range 1 to 100.
    public var window: Int = 10
    /// Idle time before an `enquire_link`; default 30 s.
    public var enquireLink: Duration = .seconds(30)
    /// Time to wait for any response PDU; default 10 s.
    public var responseTimeout: Duration = .seconds(10)
    /// `source_addr` of submitted messages: a number or an alphanumeric sender. `nil` leaves it
    /// empty for the SMSC to fill in.
    public var source: String?
    /// Sends a password longer than 8 characters unchanged; default false, which rejects it at load.
    public var allowLongPassword = false
    /// Default `unpacked`.
    public var dataCodingGSM: GSMPacking = .unpacked
    /// Default `as_is`.
    public var messageIDFormat: MessageIDFormat = .asIs
    /// TLS to the SMSC; default false.
    public var tls = false
    /// A PEM file with the CA certificates that may sign the SMSC's certificate; `nil` uses the
    /// system store. Only with `tls`.
    public var caFile: String?
    /// Whether the SMSC's certificate is checked; default true. False is for tests only and
    /// draws a warning at load. Only with `tls`.
    public var verify = true
    /// Default `udh`.
    public var longMessages: LongMessages = .udh
    /// The TCP port to accept the SMSC's `outbind` on; `nil` (default) ignores outbinds.
    public var outbindPort: Int?
    /// The IPv4 address the outbind port listens on; default `0.0.0.0` (every interface).
    public var outbindAddress = "0.0.0.0"
    /// The `system_id` the SMSC's outbind must carry; `nil` (default) expects `system_id`, the
    /// link's own. Set it for an SMSC that puts its own name there. Only with `outbind_port`.
    public var outbindSystemID: String?

    public init(host: String, systemID: String, password: Secret) {
        self.host = host
        self.systemID = systemID
        self.password = password
    }

    static func decode(_ reader: MappingReader) -> SMPPSettings? {
        let hostForm = "the SMSC's host name or IP address"
        let host = reader.required("host", expected: hostForm) {
            $0.string(expected: hostForm, where: ValueShape.isHost)
        }
        let port = reader.optional("port") { $0.int(in: 1...65535) }
        let systemIDForm = "a system_id of 1 to \(maximumSystemIDLength) characters (SMPP 3.4 limit)"
        let systemID = reader.required("system_id", expected: systemIDForm) {
            $0.string(expected: systemIDForm) { $0.utf8.count <= maximumSystemIDLength }
        }
        let password = reader.secret("password", required: true)
        let systemTypeForm = "a system_type of at most \(maximumSystemTypeLength) characters"
        let systemType = reader.optional("system_type") {
            $0.string(expected: systemTypeForm) { $0.utf8.count <= maximumSystemTypeLength }
        }
        let bind = reader.optional("bind") { $0.enumeration(BindMode.self) }
        let window = reader.optional("window") { $0.int(in: 1...100) }
        let enquireLink = reader.optional("enquire_link") { $0.duration(in: .seconds(1)...Duration.seconds(600)) }
        let responseTimeout = reader.optional("response_timeout") {
            $0.duration(in: .seconds(1)...Duration.seconds(300))
        }
        let source = reader.optional("source") {
            $0.string(expected: ValueShape.smppSourceForm, where: ValueShape.isSMPPSource)
        }
        let allowLongPassword = reader.optional("allow_long_password") { $0.bool() } ?? false
        let packing = reader.optional("data_coding_gsm") { $0.enumeration(GSMPacking.self) }
        let idFormat = reader.optional("message_id_format") { $0.enumeration(MessageIDFormat.self) }
        let tls = reader.optional("tls") { $0.bool() } ?? false
        let caFile = reader.optional("ca_file") { value -> String? in
            guard let path = value.string(expected: "the path of a PEM file with the SMSC's CA certificate") else {
                return nil
            }
            let resolved = reader.decoder.resolve(path: path)
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                let reason = FileManager.default.fileExists(atPath: resolved) ? "is not readable" : "does not exist"
                return value.fail(
                    "ca_file \(resolved) \(reason); give the PEM file with the CA certificate the carrier issued"
                )
            }
            return resolved
        }
        let verify = reader.optional("verify") { $0.bool() }
        let longMessages = reader.optional("long_messages") { $0.enumeration(LongMessages.self) }
        let outbindPort = reader.optional("outbind_port") { $0.int(in: 1...65535) }
        let outbindAddress = reader.optional("outbind_address") {
            $0.string(expected: "an IPv4 address such as 0.0.0.0") { text in
                var address = in_addr()
                return inet_pton(AF_INET, text, &address) == 1
            }
        }
        let outbindSystemID = reader.optional("outbind_system_id") {
            $0.string(expected: systemIDForm) { !$0.isEmpty && $0.utf8.count <= maximumSystemIDLength }
        }
        if outbindPort == nil, reader.child("outbind_system_id") != nil {
            reader.child("outbind_system_id")?.report(
                "outbind_system_id applies only to outbinds; add outbind_port or remove outbind_system_id"
            )
        }
        if !tls {
            for key in ["ca_file", "verify"] where reader.child(key) != nil {
                reader.child(key)?.report("\(key) applies only to TLS; add tls: true or remove \(key)")
            }
        }
        if tls, verify == false {
            reader.decoder.warn(
                file: reader.decoder.fileName,
                "\(reader.path(of: "verify")) is false: the SMSC's certificate is not checked, so anyone on the "
                    + "path can read and change the traffic, password included. Use it for tests only; set ca_file "
                    + "to the carrier's CA instead"
            )
        }

        if let password, password.count > maximumPasswordLength, !allowLongPassword,
            let origin = reader.secretOrigin("password")
        {
            origin.report(
                "the password has \(password.count) characters but SMPP 3.4 allows at most \(maximumPasswordLength); "
                    + "set allow_long_password: true if the carrier accepts longer ones (it is never cut short)"
            )
            return nil
        }
        guard let host, let systemID, let password else { return nil }
        var settings = SMPPSettings(host: host, systemID: systemID, password: password)
        settings.port = port ?? settings.port
        settings.systemType = systemType ?? settings.systemType
        settings.bind = bind ?? settings.bind
        settings.window = window ?? settings.window
        settings.enquireLink = enquireLink ?? settings.enquireLink
        settings.responseTimeout = responseTimeout ?? settings.responseTimeout
        settings.source = source
        settings.allowLongPassword = allowLongPassword
        settings.dataCodingGSM = packing ?? settings.dataCodingGSM
        settings.messageIDFormat = idFormat ?? settings.messageIDFormat
        settings.tls = tls
        settings.caFile = caFile
        settings.verify = verify ?? true
        settings.longMessages = longMessages ?? settings.longMessages
        settings.outbindPort = outbindPort
        settings.outbindAddress = outbindAddress ?? settings.outbindAddress
        settings.outbindSystemID = outbindSystemID
        return settings
    }
}

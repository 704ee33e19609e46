/// Everything one SMPP carrier link needs: where, who, how, and the timers.
///
/// Call `validate()` before connecting: a password SMPP 3.4 does not allow is rejected rather
/// than cut short, because a silently truncated password shows up only as `ESME_RINVPASWD`
/// at 3 a.m.
public struct SMPPLinkSettings: Equatable, Sendable {
    /// The SMSC's host name or IPv4/IPv6 address.
    public var host: String
    /// The SMSC's TCP port, commonly 2775.
    public var port: UInt16
    /// `system_id`: at most 15 characters.
    public var systemID: String
    /// `password`: at most 8 characters unless `allowNonstandardPasswordLength`. Never logged.
    public var password: String
    /// `system_type`: at most 12 characters; empty unless the carrier requires one.
    public var systemType: String
    /// The bind command. Transceiver by default, so receipts arrive on the same connection.
    public var bindMode: BindMode
    /// `addr_ton` of the bind.
    public var addressTON: UInt8
    /// `addr_npi` of the bind.
    public var addressNPI: UInt8
    /// `address_range` of the bind; at most 40 characters.
    public var addressRange: String
    /// How many submits may wait for their response at once. 10 by default, a common carrier limit.
    public var windowSize: Int
    /// How long the link may be idle before an `enquire_link` probes it. 30 s by default.
    public var enquireLinkInterval: Duration
    /// How long any request (bind, submit, enquire_link, unbind) waits for its response. 10 s by
    /// default; a submit past it ends `ambiguous`, an `enquire_link` past it declares the link dead.
    public var responseTimeout: Duration
    /// How long a TCP connect may take. 10 s by default.
    public var connectTimeout: Duration
    /// `source_addr` put into submits made with `makeSubmitSM`.
    public var sourceAddress: String
    /// `source_addr_ton`: 5 for an alphanumeric sender, 1 for an international number.
    public var sourceAddressTON: UInt8
    /// `source_addr_npi`.
    public var sourceAddressNPI: UInt8
    /// `registered_delivery` put into submits made with `makeSubmitSM`; 0x01 requests final receipts.
    public var registeredDelivery: UInt8
    /// Sends a password longer than 8 characters as is, for SMSCs that accept one.
    public var allowNonstandardPasswordLength: Bool
    /// The rule for comparing receipt ids with `submit_sm_resp` ids on this link.
    public var messageIDMatching: MessageIDMatching
    /// TLS to the SMSC; `nil` for plain TCP.
    public var tls: SMPPTLSSettings?
    /// The form for a text longer than one SMS: UDH (default), SAR parameters, or `message_payload`.
    public var longMessages: LongMessageMode
    /// Whether GSM 7-bit text (`data_coding` 0) travels packed, septets into octets, in both
    /// directions. False by default: one septet per octet, the common form on SMPP links.
    public var packsGSM: Bool
    /// Binds a transmitter and a separate receiver instead of one session in `bindMode`, for
    /// SMSCs that refuse `bind_transceiver`. Read by `SMPPLink`; one `ESMEClient` is always one session.
    public var bindsTransmitterAndReceiver: Bool
    /// The address and port that accept the SMSC's `outbind`; `nil` to ignore outbinds. Read by `SMPPLink`.
    public var outbindListener: SMPPOutbindListener?
    /// Whether a `deliver_sm` is answered only when the owner calls its `DeliverSMResponder`,
    /// after storing what it carried, instead of at once. False by default. A receipt or inbound
    /// SMS lost with the process is then sent again by the SMSC, which keeps every unanswered
    /// `deliver_sm` for the next session bound with the same `system_id`.
    public var defersDeliverResponse = false

    public init(
        host: String,
        port: UInt16,
        systemID: String,
        password: String,
        systemType: String = "",
        bindMode: BindMode = .transceiver,
        addressTON: UInt8 = 0,
        addressNPI: UInt8 = 0,
        addressRange: String = "",
        windowSize: Int = 10,
        enquireLinkInterval: Duration = .seconds(30),
        responseTimeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(10),
        sourceAddress: String = "",
        sourceAddressTON: UInt8 = 0,
        sourceAddressNPI: UInt8 = 0,
        registeredDelivery: UInt8 = 1,
        allowNonstandardPasswordLength: Bool = false,
        messageIDMatching: MessageIDMatching = .asIs,
        tls: SMPPTLSSettings? = nil,
        longMessages: LongMessageMode = .udh,
        packsGSM: Bool = false,
        bindsTransmitterAndReceiver: Bool = false,
        outbindListener: SMPPOutbindListener? = nil
    ) {
        self.host = host
        self.port = port
        self.systemID = systemID
        self.password = password
        self.systemType = systemType
        self.bindMode = bindMode
        self.addressTON = addressTON
        self.addressNPI = addressNPI
        self.addressRange = addressRange
        self.windowSize = windowSize
        self.enquireLinkInterval = enquireLinkInterval
        self.responseTimeout = responseTimeout
        self.connectTimeout = connectTimeout
        self.sourceAddress = sourceAddress
        self.sourceAddressTON = sourceAddressTON
        self.sourceAddressNPI = sourceAddressNPI
        self.registeredDelivery = registeredDelivery
        self.allowNonstandardPasswordLength = allowNonstandardPasswordLength
        self.messageIDMatching = messageIDMatching
        self.tls = tls
        self.longMessages = longMessages
        self.packsGSM = packsGSM
        self.bindsTransmitterAndReceiver = bindsTransmitterAndReceiver
        self.outbindListener = outbindListener
    }

    /// Checks every field against SMPP 3.4's limits and the timers against zero.
    ///
    /// - Throws: `SMPPLinkSettingsError` naming the field, its length and the fix.
    public func validate() throws(SMPPLinkSettingsError) {
        guard !host.isEmpty else { throw .missingHost }
        guard !systemID.isEmpty else { throw .missingSystemID }
        let systemIDLimit = BindRequest.systemIDMaxLength - 1
        guard systemID.utf8.count <= systemIDLimit else {
            throw .systemIDTooLong(length: systemID.utf8.count, maxLength: systemIDLimit)
        }
        let passwordLimit = BindRequest.passwordMaxLength - 1
        if password.utf8.count > passwordLimit && !allowNonstandardPasswordLength {
            throw .passwordTooLong(length: password.utf8.count, maxLength: passwordLimit)
        }
        // Even with the opt-in, a C-Octet string needs its NUL within the 16-bit frame budget.
        guard password.utf8.count <= 64 else { throw .passwordTooLong(length: password.utf8.count, maxLength: 64) }
        let systemTypeLimit = BindRequest.systemTypeMaxLength - 1
        guard systemType.utf8.count <= systemTypeLimit else {
            throw .fieldTooLong(name: "system_type", length: systemType.utf8.count, maxLength: systemTypeLimit)
        }
        let rangeLimit = BindRequest.addressRangeMaxLength - 1
        guard addressRange.utf8.count <= rangeLimit else {
            throw .fieldTooLong(name: "address_range", length: addressRange.utf8.count, maxLength: rangeLimit)
        }
        let addressLimit = SubmitSM.addressMaxLength - 1
        guard sourceAddress.utf8.count <= addressLimit else {
            throw .fieldTooLong(name: "source_addr", length: sourceAddress.utf8.count, maxLength: addressLimit)
        }
        guard (1...1000).contains(windowSize) else { throw .windowSizeOutOfRange(windowSize) }
        for (name, value) in [
            ("enquire_link_interval", enquireLinkInterval),
            ("response_timeout", responseTimeout),
            ("connect_timeout", connectTimeout),
        ] where value <= .zero {
            throw .nonPositiveDuration(name: name, value: value)
        }
    }

    /// The bind request these settings produce.
    public var bindRequest: BindRequest {
        BindRequest(
            mode: bindMode,
            systemID: systemID,
            password: password,
            systemType: systemType,
            addressTON: addressTON,
            addressNPI: addressNPI,
            addressRange: addressRange
        )
    }

    /// Makes a `submit_sm` with this link's source address and `registered_delivery`.
    ///
    /// - Parameters:
    ///   - destination: the recipient's number without `+` (TON international, NPI E.164).
    ///   - shortMessage: text already encoded for `dataCoding`, with its UDH when `esmClass` has 0x40.
    public func makeSubmitSM(
        destination: String,
        shortMessage: [UInt8],
        dataCoding: UInt8 = 0,
        esmClass: UInt8 = 0,
        parameters: [TLV] = []
    ) -> SubmitSM {
        SubmitSM(
            sourceAddressTON: sourceAddressTON,
            sourceAddressNPI: sourceAddressNPI,
            sourceAddress: sourceAddress,
            destinationAddressTON: 1,
            destinationAddressNPI: 1,
            destinationAddress: destination,
            esmClass: esmClass,
            registeredDelivery: registeredDelivery,
            dataCoding: dataCoding,
            shortMessage: shortMessage,
            parameters: parameters
        )
    }
}

extension SMPPLinkSettings: CustomStringConvertible {
    /// The settings for logs, with the password masked.
    public var description: String {
        "\(bindMode) \(systemID)@\(host):\(port)\(tls == nil ? "" : " tls") window=\(windowSize) password=*****"
    }
}

/// The address and port an `SMPPLink` listens on for the SMSC's `outbind` (plain TCP, IPv4).
///
/// An outbind is accepted only when its password is the link's and its `system_id` is `systemID`,
/// or the link's own `system_id` when that is `nil`. SMPP 3.4 describes the outbind's `system_id`
/// as the SMSC's identifier, so `systemID` is there for an SMSC that sends its own name.
public struct SMPPOutbindListener: Equatable, Sendable {
    /// The IPv4 address to listen on: `0.0.0.0` for every interface.
    public var address: String
    /// The TCP port; 0 picks a free one (for tests).
    public var port: UInt16
    /// The `system_id` the SMSC's outbind must carry; `nil` expects the link's own `system_id`.
    public var systemID: String?

    public init(address: String = "0.0.0.0", port: UInt16, systemID: String? = nil) {
        self.address = address
        self.port = port
        self.systemID = systemID
    }
}

/// A field of `SMPPLinkSettings` that SMPP 3.4 or this client does not allow.
public enum SMPPLinkSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingHost
    case missingSystemID
    /// `system_id` over 15 characters.
    case systemIDTooLong(length: Int, maxLength: Int)
    /// `password` over 8 characters without the opt-in.
    case passwordTooLong(length: Int, maxLength: Int)
    case fieldTooLong(name: String, length: Int, maxLength: Int)
    case windowSizeOutOfRange(Int)
    case nonPositiveDuration(name: String, value: Duration)

    public var description: String {
        switch self {
        case .missingHost:
            "host is empty; set the SMSC's address"
        case .missingSystemID:
            "system_id is empty; set the account name the carrier gave"
        case .systemIDTooLong(let length, let maxLength):
            "system_id has \(length) characters; SMPP 3.4 allows \(maxLength)"
        case .passwordTooLong(let length, let maxLength):
            "password has \(length) characters; SMPP 3.4 allows \(maxLength). It is not truncated:"
                + " ask the carrier for a shorter one, or set allow_nonstandard_password_length"
                + " if the SMSC accepts longer passwords"
        case .fieldTooLong(let name, let length, let maxLength):
            "\(name) has \(length) characters; SMPP 3.4 allows \(maxLength)"
        case .windowSizeOutOfRange(let size):
            "window size \(size) is outside 1...1000"
        case .nonPositiveDuration(let name, let value):
            "\(name) is \(value); it must be positive"
        }
    }
}

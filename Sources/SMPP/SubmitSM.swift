/// `submit_sm` (section 4.4): one message, or one segment of a long one, for the SMSC to send.
///
/// `shortMessage` contains octets already encoded for `dataCoding` (GSM 03.38 packed or unpacked as
/// the carrier expects, UCS-2, …), with a UDH in front when `esmClass` has bit 6 (0x40) set.
/// Messages over 254 octets go in the `message_payload` parameter with an empty `shortMessage`.
public struct SubmitSM: Equatable, Sendable {
    /// Octets allowed for `service_type`, NUL included.
    public static let serviceTypeMaxLength = 6
    /// Octets allowed for `source_addr` and `destination_addr`, NUL included.
    public static let addressMaxLength = 21
    /// Octets allowed for `schedule_delivery_time` and `validity_period`, NUL included.
    public static let timeMaxLength = 17
    /// Octets allowed in `short_message`.
    public static let shortMessageMaxLength = 254

    /// `service_type`; empty for the SMSC default.
    public var serviceType: String
    /// `source_addr_ton`: 0 unknown, 1 international, 5 alphanumeric.
    public var sourceAddressTON: UInt8
    /// `source_addr_npi`: 0 unknown, 1 E.164.
    public var sourceAddressNPI: UInt8
    /// `source_addr`: the sender shown on the handset.
    public var sourceAddress: String
    /// `dest_addr_ton`.
    public var destinationAddressTON: UInt8
    /// `dest_addr_npi`.
    public var destinationAddressNPI: UInt8
    /// `destination_addr`: the recipient, without `+` when TON is international.
    public var destinationAddress: String
    /// `esm_class`: 0x40 when `shortMessage` starts with a UDH.
    public var esmClass: UInt8
    /// `protocol_id`.
    public var protocolID: UInt8
    /// `priority_flag`.
    public var priorityFlag: UInt8
    /// `schedule_delivery_time`; empty for immediate delivery.
    public var scheduleDeliveryTime: String
    /// `validity_period`; empty for the SMSC default.
    public var validityPeriod: String
    /// `registered_delivery`: 0x01 requests a final delivery receipt.
    public var registeredDelivery: UInt8
    /// `replace_if_present_flag`.
    public var replaceIfPresentFlag: UInt8
    /// `data_coding`: 0x00 SMSC default alphabet, 0x08 UCS-2, …
    public var dataCoding: UInt8
    /// `sm_default_msg_id`.
    public var smDefaultMessageID: UInt8
    /// `short_message`: the encoded text, at most 254 octets; `sm_length` is derived from it.
    public var shortMessage: [UInt8]
    /// Optional parameters: SAR fields, `message_payload`, …
    public var parameters: [TLV]

    public init(
        serviceType: String = "",
        sourceAddressTON: UInt8 = 0,
        sourceAddressNPI: UInt8 = 0,
        sourceAddress: String = "",
        destinationAddressTON: UInt8 = 1,
        destinationAddressNPI: UInt8 = 1,
        destinationAddress: String,
        esmClass: UInt8 = 0,
        protocolID: UInt8 = 0,
        priorityFlag: UInt8 = 0,
        scheduleDeliveryTime: String = "",
        validityPeriod: String = "",
        registeredDelivery: UInt8 = 0,
        replaceIfPresentFlag: UInt8 = 0,
        dataCoding: UInt8 = 0,
        smDefaultMessageID: UInt8 = 0,
        shortMessage: [UInt8],
        parameters: [TLV] = []
    ) {
        self.serviceType = serviceType
        self.sourceAddressTON = sourceAddressTON
        self.sourceAddressNPI = sourceAddressNPI
        self.sourceAddress = sourceAddress
        self.destinationAddressTON = destinationAddressTON
        self.destinationAddressNPI = destinationAddressNPI
        self.destinationAddress = destinationAddress
        self.esmClass = esmClass
        self.protocolID = protocolID
        self.priorityFlag = priorityFlag
        self.scheduleDeliveryTime = scheduleDeliveryTime
        self.validityPeriod = validityPeriod
        self.registeredDelivery = registeredDelivery
        self.replaceIfPresentFlag = replaceIfPresentFlag
        self.dataCoding = dataCoding
        self.smDefaultMessageID = smDefaultMessageID
        self.shortMessage = shortMessage
        self.parameters = parameters
    }

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        let fields = try MessageFields(reading: &reader)
        self.init(fields)
    }

    init(_ fields: MessageFields) {
        self.init(
            serviceType: fields.serviceType,
            sourceAddressTON: fields.sourceAddressTON,
            sourceAddressNPI: fields.sourceAddressNPI,
            sourceAddress: fields.sourceAddress,
            destinationAddressTON: fields.destinationAddressTON,
            destinationAddressNPI: fields.destinationAddressNPI,
            destinationAddress: fields.destinationAddress,
            esmClass: fields.esmClass,
            protocolID: fields.protocolID,
            priorityFlag: fields.priorityFlag,
            scheduleDeliveryTime: fields.scheduleDeliveryTime,
            validityPeriod: fields.validityPeriod,
            registeredDelivery: fields.registeredDelivery,
            replaceIfPresentFlag: fields.replaceIfPresentFlag,
            dataCoding: fields.dataCoding,
            smDefaultMessageID: fields.smDefaultMessageID,
            shortMessage: fields.shortMessage,
            parameters: fields.parameters
        )
    }

    var fields: MessageFields {
        MessageFields(
            serviceType: serviceType,
            sourceAddressTON: sourceAddressTON,
            sourceAddressNPI: sourceAddressNPI,
            sourceAddress: sourceAddress,
            destinationAddressTON: destinationAddressTON,
            destinationAddressNPI: destinationAddressNPI,
            destinationAddress: destinationAddress,
            esmClass: esmClass,
            protocolID: protocolID,
            priorityFlag: priorityFlag,
            scheduleDeliveryTime: scheduleDeliveryTime,
            validityPeriod: validityPeriod,
            registeredDelivery: registeredDelivery,
            replaceIfPresentFlag: replaceIfPresentFlag,
            dataCoding: dataCoding,
            smDefaultMessageID: smDefaultMessageID,
            shortMessage: shortMessage,
            parameters: parameters
        )
    }

    func write(to writer: inout PDUWriter) {
        fields.write(to: &writer)
    }

    /// Checks the limits the codec cannot express: string lengths and `sm_length`.
    ///
    /// - Throws: `SubmitSMError` naming the field, its length and the limit.
    public func validate() throws(SubmitSMError) {
        try fields.validate()
    }
}

/// A reason a `submit_sm` cannot be sent as given.
public enum SubmitSMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field is longer than SMPP 3.4 allows (`maxLength` counts octets, without the NUL).
    case fieldTooLong(name: String, length: Int, maxLength: Int)
    /// `destination_addr` is empty.
    case missingDestination

    public var description: String {
        switch self {
        case .fieldTooLong(let name, let length, let maxLength):
            "\(name) has \(length) octets; SMPP 3.4 allows \(maxLength) (put longer text in message_payload)"
        case .missingDestination:
            "destination_addr is empty; set the recipient's number"
        }
    }
}

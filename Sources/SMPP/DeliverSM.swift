/// `deliver_sm` (section 4.6): the SMSC hands over an inbound SMS or a delivery receipt.
///
/// A receipt has `esm_class` bits 2..5 set to 0x04 (SMSC delivery receipt) and its text in
/// `shortMessage`; `DeliveryReceipt(deliverSM:)` reads it. The ESME responds to every
/// `deliver_sm` with `deliver_sm_resp`, or the SMSC retries it.
public struct DeliverSM: Equatable, Sendable {
    /// `service_type`.
    public var serviceType: String
    /// `source_addr_ton`.
    public var sourceAddressTON: UInt8
    /// `source_addr_npi`.
    public var sourceAddressNPI: UInt8
    /// `source_addr`: the sender of an inbound SMS, or the recipient of the original message in a receipt.
    public var sourceAddress: String
    /// `dest_addr_ton`.
    public var destinationAddressTON: UInt8
    /// `dest_addr_npi`.
    public var destinationAddressNPI: UInt8
    /// `destination_addr`.
    public var destinationAddress: String
    /// `esm_class`: message type in bits 2..5 (0x04 receipt), UDH indicator 0x40.
    public var esmClass: UInt8
    /// `protocol_id`.
    public var protocolID: UInt8
    /// `priority_flag`.
    public var priorityFlag: UInt8
    /// `schedule_delivery_time`; empty in deliver_sm.
    public var scheduleDeliveryTime: String
    /// `validity_period`; empty in deliver_sm.
    public var validityPeriod: String
    /// `registered_delivery`.
    public var registeredDelivery: UInt8
    /// `replace_if_present_flag`.
    public var replaceIfPresentFlag: UInt8
    /// `data_coding`.
    public var dataCoding: UInt8
    /// `sm_default_msg_id`.
    public var smDefaultMessageID: UInt8
    /// `short_message`: encoded text, or the receipt text in ASCII.
    public var shortMessage: [UInt8]
    /// Optional parameters: `receipted_message_id`, `message_state`, `network_error_code`, …
    public var parameters: [TLV]

    /// The `esm_class` message type of an SMSC delivery receipt.
    public static let deliveryReceiptESMClass: UInt8 = 0x04

    public init(
        serviceType: String = "",
        sourceAddressTON: UInt8 = 0,
        sourceAddressNPI: UInt8 = 0,
        sourceAddress: String = "",
        destinationAddressTON: UInt8 = 0,
        destinationAddressNPI: UInt8 = 0,
        destinationAddress: String = "",
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

    /// Whether `esm_class` marks this as an SMSC delivery receipt rather than an inbound SMS.
    public var isDeliveryReceipt: Bool {
        esmClass & 0x3C == Self.deliveryReceiptESMClass
    }

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        let fields = try MessageFields(reading: &reader)
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

    func write(to writer: inout PDUWriter) {
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
        ).write(to: &writer)
    }
}

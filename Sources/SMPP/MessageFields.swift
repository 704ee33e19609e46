/// The mandatory fields `submit_sm` and `deliver_sm` share, in wire order (sections 4.4.1, 4.6.1).
struct MessageFields: Equatable, Sendable {
    var serviceType: String
    var sourceAddressTON: UInt8
    var sourceAddressNPI: UInt8
    var sourceAddress: String
    var destinationAddressTON: UInt8
    var destinationAddressNPI: UInt8
    var destinationAddress: String
    var esmClass: UInt8
    var protocolID: UInt8
    var priorityFlag: UInt8
    var scheduleDeliveryTime: String
    var validityPeriod: String
    var registeredDelivery: UInt8
    var replaceIfPresentFlag: UInt8
    var dataCoding: UInt8
    var smDefaultMessageID: UInt8
    var shortMessage: [UInt8]
    var parameters: [TLV]
}

extension MessageFields {
    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        serviceType = try reader.readCOctetString(maxLength: SubmitSM.serviceTypeMaxLength, field: "service_type")
        sourceAddressTON = try reader.readUInt8(field: "source_addr_ton")
        sourceAddressNPI = try reader.readUInt8(field: "source_addr_npi")
        sourceAddress = try reader.readCOctetString(maxLength: SubmitSM.addressMaxLength, field: "source_addr")
        destinationAddressTON = try reader.readUInt8(field: "dest_addr_ton")
        destinationAddressNPI = try reader.readUInt8(field: "dest_addr_npi")
        destinationAddress = try reader.readCOctetString(
            maxLength: SubmitSM.addressMaxLength,
            field: "destination_addr"
        )
        esmClass = try reader.readUInt8(field: "esm_class")
        protocolID = try reader.readUInt8(field: "protocol_id")
        priorityFlag = try reader.readUInt8(field: "priority_flag")
        scheduleDeliveryTime = try reader.readCOctetString(
            maxLength: SubmitSM.timeMaxLength,
            field: "schedule_delivery_time"
        )
        validityPeriod = try reader.readCOctetString(maxLength: SubmitSM.timeMaxLength, field: "validity_period")
        registeredDelivery = try reader.readUInt8(field: "registered_delivery")
        replaceIfPresentFlag = try reader.readUInt8(field: "replace_if_present_flag")
        dataCoding = try reader.readUInt8(field: "data_coding")
        smDefaultMessageID = try reader.readUInt8(field: "sm_default_msg_id")

        // sm_length counts the octets that follow; 255 is reserved.
        let lengthOffset = reader.offset
        let length = Int(try reader.readUInt8(field: "sm_length"))
        guard length <= SubmitSM.shortMessageMaxLength else {
            throw .invalidField(name: "sm_length", value: length, offset: lengthOffset)
        }
        shortMessage = try reader.readOctets(count: length, field: "short_message")
        parameters = try reader.readTLVs()
    }

    func write(to writer: inout PDUWriter) {
        writer.writeCOctetString(serviceType)
        writer.writeUInt8(sourceAddressTON)
        writer.writeUInt8(sourceAddressNPI)
        writer.writeCOctetString(sourceAddress)
        writer.writeUInt8(destinationAddressTON)
        writer.writeUInt8(destinationAddressNPI)
        writer.writeCOctetString(destinationAddress)
        writer.writeUInt8(esmClass)
        writer.writeUInt8(protocolID)
        writer.writeUInt8(priorityFlag)
        writer.writeCOctetString(scheduleDeliveryTime)
        writer.writeCOctetString(validityPeriod)
        writer.writeUInt8(registeredDelivery)
        writer.writeUInt8(replaceIfPresentFlag)
        writer.writeUInt8(dataCoding)
        writer.writeUInt8(smDefaultMessageID)
        writer.writeUInt8(UInt8(clamping: shortMessage.count))
        writer.writeOctets(Array(shortMessage.prefix(SubmitSM.shortMessageMaxLength)))
        writer.writeTLVs(parameters)
    }

    func validate() throws(SubmitSMError) {
        let limits: [(String, String, Int)] = [
            ("service_type", serviceType, SubmitSM.serviceTypeMaxLength),
            ("source_addr", sourceAddress, SubmitSM.addressMaxLength),
            ("destination_addr", destinationAddress, SubmitSM.addressMaxLength),
            ("schedule_delivery_time", scheduleDeliveryTime, SubmitSM.timeMaxLength),
            ("validity_period", validityPeriod, SubmitSM.timeMaxLength),
        ]
        for (name, value, maxLength) in limits where value.utf8.count > maxLength - 1 {
            throw .fieldTooLong(name: name, length: value.utf8.count, maxLength: maxLength - 1)
        }
        guard !destinationAddress.isEmpty else { throw .missingDestination }
        guard shortMessage.count <= SubmitSM.shortMessageMaxLength else {
            throw .fieldTooLong(
                name: "short_message",
                length: shortMessage.count,
                maxLength: SubmitSM.shortMessageMaxLength
            )
        }
        for parameter in parameters where parameter.value.count > Int(UInt16.max) {
            throw .fieldTooLong(name: "tlv.value", length: parameter.value.count, maxLength: Int(UInt16.max))
        }
    }
}

import Foundation
import SMSCodec

#if canImport(Glibc)
    import Glibc
#endif

extension ModemSimulator {
    /// Delivers a message from `sender` to the modem as the network would: one SMS-DELIVER per
    /// segment, concatenated with an 8-bit reference when `text` needs more than one.
    ///
    /// With the profile's `deliversInboundDirectly`, each part goes to the client as
    /// `+CMT: ,<length>` and its PDU line. Otherwise each is stored (status `REC UNREAD`) and
    /// announced with `+CMTI: "SM",<index>`, for the client to read with `AT+CMGR` and delete
    /// with `AT+CMGD`. Parts go out in `order` (indexes into the segments, default in sequence),
    /// so a test can deliver them out of order. With `announces` false the parts are stored
    /// without a `+CMTI`, like messages that arrived while no host had the port open.
    /// - Parameters:
    ///   - sender: E.164 with `+`, or digits.
    ///   - reference: the concatenation reference of a multipart message.
    ///   - received: the TP-SCTS of every part.
    /// - Throws: `TPDUEncodingError` or `SegmentPlanner.PlanningError` for a text or sender that
    ///   cannot be encoded.
    public func deliverInbound(
        _ text: String,
        from sender: String,
        reference: UInt16 = 1,
        received: Date = Date(),
        order: [Int]? = nil,
        announces: Bool = true
    ) throws {
        let plan = try SegmentPlanner.plan(text, options: SegmentPlanner.Options(reference: reference))
        let digits = sender.filter(\.isNumber)
        let origin = sender.hasPrefix("+") ? TPAddress.international(digits) : TPAddress.national(digits)
        let smsc = lock.withLock { state.profile.smscAddress }
        var pdus: [EncodedPDU] = []
        for segment in plan.segments {
            let deliver = SMSDeliver(
                originatingAddress: origin,
                dataCodingScheme: DataCodingScheme(rawValue: segment.encoding.dataCoding),
                serviceCentreTimestamp: ServiceCentreTimestamp(date: received, utcOffsetMinutes: 0),
                userData: TPUserData(segment: segment)
            )
            pdus.append(try deliver.encode(smsc: .address(.international(smsc.filter(\.isNumber)))))
        }
        let sequence = order ?? Array(pdus.indices)
        lock.withLock {
            for index in sequence where pdus.indices.contains(index) {
                let pdu = pdus[index]
                let text: String
                if state.profile.deliversInboundDirectly, announces {
                    text = "\r\n+CMT: ,\(pdu.tpduLength)\r\n\(pdu.hex)\r\n"
                } else {
                    let slot = state.nextStorageIndex
                    state.nextStorageIndex += 1
                    state.storedPDUs[slot] = (pdu.hex, pdu.tpduLength, 0)
                    text = announces ? "\r\n+CMTI: \"SM\",\(slot)\r\n" : ""
                }
                if !text.isEmpty { state.scheduled.append((ContinuousClock.now, Array(text.utf8))) }
            }
        }
        wakeThread()
    }

    /// The indexes still in storage: stored status reports and received messages not yet deleted.
    public var storedIndexes: [Int] { lock.withLock { state.storedPDUs.keys.sorted() } }

    /// How many times the client acknowledged a `+CMT` or `+CDS` with `AT+CNMA`.
    public var acknowledgementCount: Int { lock.withLock { state.acknowledgements } }
}

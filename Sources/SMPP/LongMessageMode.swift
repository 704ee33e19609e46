import SMSCodec

/// The way an SMPP link sends a text that does not fit one SMS. Carriers support one or more of these.
public enum LongMessageMode: String, Sendable, CaseIterable {
    /// One `submit_sm` per segment, each `short_message` starting with a concatenation UDH and
    /// `esm_class` 0x40: the SMSC passes the header through untouched.
    case udh
    /// One `submit_sm` per segment without a header, carrying `sar_msg_ref_num`,
    /// `sar_total_segments` and `sar_segment_seqnum`: the SMSC writes the header itself.
    case sar
    /// One `submit_sm` with the whole text in `message_payload` and an empty `short_message`:
    /// the SMSC splits it.
    case payload
}

extension SMPPLinkSettings {
    /// Plans `text` and makes the `submit_sm`s that carry it in this link's `longMessages` form.
    ///
    /// A text that fits one SMS is one `submit_sm` with the text in `short_message` whatever the
    /// form. Segments are cut where a UDH would need them (153 septets or 67 UCS-2 units after a
    /// 6-octet header; 152 or 66 for SAR, since the SMSC may write a 7-octet header), and a
    /// character is never split. `message_payload` is checked against the same segment limit.
    /// - Parameters:
    ///   - destination: the recipient's number without `+`.
    ///   - reference: the concatenation reference; only its low octet is used for UDH. The caller
    ///     varies it per message so that parts of two messages in flight never share one.
    ///   - packsGSM: whether GSM 7-bit text is packed (septets into octets) rather than one per octet.
    ///   - maximumSegments: the most segments a text may need.
    /// - Throws: `SegmentPlanner.PlanningError` for a text over `maximumSegments` segments.
    public func makeSubmits(
        destination: String,
        text: String,
        reference: UInt16,
        packsGSM: Bool = false,
        maximumSegments: Int = 10
    ) throws(SegmentPlanner.PlanningError) -> [SubmitSM] {
        let width: ConcatenationInfo.ReferenceWidth = longMessages == .sar ? .sixteenBit : .eightBit
        let plan = try SegmentPlanner.plan(
            text,
            options: SegmentPlanner.Options(
                referenceWidth: width,
                reference: reference,
                maximumSegments: maximumSegments
            )
        )
        let packs = packsGSM && plan.encoding == .gsm7
        func octets(_ payload: [UInt8]) -> [UInt8] {
            packs ? SeptetPacking.pack(payload) : payload
        }
        guard plan.segments.count > 1 else {
            return [
                makeSubmitSM(
                    destination: destination,
                    shortMessage: octets(plan.segments[0].payload),
                    dataCoding: plan.dataCoding
                )
            ]
        }
        switch longMessages {
        case .udh:
            return plan.segments.map { segment in
                makeSubmitSM(
                    destination: destination,
                    shortMessage: packs ? segment.packedUserData : segment.unpackedUserData,
                    dataCoding: plan.dataCoding,
                    esmClass: 0x40
                )
            }
        case .sar:
            return plan.segments.map { segment in
                var parameters: [TLV] = []
                parameters.sarMessageReference = reference
                parameters.sarTotalSegments = UInt8(plan.segments.count)
                parameters.sarSegmentSequenceNumber = UInt8(segment.sequenceNumber)
                return makeSubmitSM(
                    destination: destination,
                    shortMessage: octets(segment.payload),
                    dataCoding: plan.dataCoding,
                    parameters: parameters
                )
            }
        case .payload:
            var parameters: [TLV] = []
            parameters.messagePayload = octets(plan.segments.flatMap(\.payload))
            return [
                makeSubmitSM(
                    destination: destination,
                    shortMessage: [],
                    dataCoding: plan.dataCoding,
                    parameters: parameters
                )
            ]
        }
    }
}

/// One optional parameter (tag, length, value) from the end of an SMPP PDU body (section 5.3).
///
/// The value is kept as raw octets so that unknown tags survive a round trip. Typed accessors on
/// `[TLV]` read and write the tags this module uses.
public struct TLV: Equatable, Sendable {
    public var tag: TLVTag
    public var value: [UInt8]

    public init(tag: TLVTag, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// Whether the value's length fits the tag's definition; unknown tags accept any length.
    var hasValidLength: Bool {
        switch tag {
        case .messageState, .sarTotalSegments, .sarSegmentSeqnum, .scInterfaceVersion:
            value.count == 1
        case .sarMsgRefNum:
            value.count == 2
        case .networkErrorCode:
            value.count == 3
        case .receiptedMessageID:
            (1...65).contains(value.count) && value.last == 0
        default:
            true
        }
    }
}

/// The tag of an optional parameter (section 5.3.2).
public struct TLVTag: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// `receipted_message_id` (0x001E): the SMSC's id of the message a receipt is about, C-Octet string up to 65.
    public static let receiptedMessageID = TLVTag(rawValue: 0x001E)
    /// `sar_msg_ref_num` (0x020C): reference shared by the segments of one long message, 2 octets.
    public static let sarMsgRefNum = TLVTag(rawValue: 0x020C)
    /// `sar_total_segments` (0x020E): how many segments the long message has, 1 octet.
    public static let sarTotalSegments = TLVTag(rawValue: 0x020E)
    /// `sar_segment_seqnum` (0x020F): this segment's number, from 1, 1 octet.
    public static let sarSegmentSeqnum = TLVTag(rawValue: 0x020F)
    /// `sc_interface_version` (0x0210): the SMPP version the SMSC supports, in `bind_resp`.
    public static let scInterfaceVersion = TLVTag(rawValue: 0x0210)
    /// `network_error_code` (0x0423): network type and error code, 3 octets.
    public static let networkErrorCode = TLVTag(rawValue: 0x0423)
    /// `message_payload` (0x0424): the message when it does not fit `short_message`.
    public static let messagePayload = TLVTag(rawValue: 0x0424)
    /// `message_state` (0x0427): the message's final state in a receipt, 1 octet.
    public static let messageState = TLVTag(rawValue: 0x0427)
}

/// The network error of a receipt (`network_error_code`): the network type and its error code.
public struct NetworkErrorCode: Equatable, Sendable {
    /// 1 ANSI-136, 2 IS-95, 3 GSM, 4 reserved.
    public var networkType: UInt8
    /// The network's own error code, for GSM a MAP or RP cause.
    public var errorCode: UInt16

    public init(networkType: UInt8, errorCode: UInt16) {
        self.networkType = networkType
        self.errorCode = errorCode
    }
}

extension Array where Element == TLV {
    /// Returns the value of the first parameter with `tag`.
    public func value(for tag: TLVTag) -> [UInt8]? {
        first(where: { $0.tag == tag })?.value
    }

    /// Replaces every parameter with `tag` by one with `value`, or removes them when `value` is `nil`.
    public mutating func setValue(_ value: [UInt8]?, for tag: TLVTag) {
        removeAll(where: { $0.tag == tag })
        if let value { append(TLV(tag: tag, value: value)) }
    }

    /// `receipted_message_id`, without its NUL.
    public var receiptedMessageID: String? {
        get {
            guard let value = value(for: .receiptedMessageID) else { return nil }
            return String(decoding: value.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        set { setValue(newValue.map { [UInt8]($0.utf8) + [0] }, for: .receiptedMessageID) }
    }

    /// `message_state`.
    public var messageState: SMPPMessageState? {
        get { value(for: .messageState).flatMap { $0.first }.flatMap(SMPPMessageState.init(rawValue:)) }
        set { setValue(newValue.map { [$0.rawValue] }, for: .messageState) }
    }

    /// `network_error_code`.
    public var networkErrorCode: NetworkErrorCode? {
        get {
            guard let value = value(for: .networkErrorCode), value.count == 3 else { return nil }
            return NetworkErrorCode(networkType: value[0], errorCode: UInt16(value[1]) << 8 | UInt16(value[2]))
        }
        set {
            setValue(
                newValue.map { [$0.networkType, UInt8($0.errorCode >> 8), UInt8($0.errorCode & 0xFF)] },
                for: .networkErrorCode
            )
        }
    }

    /// `sar_msg_ref_num`.
    public var sarMessageReference: UInt16? {
        get {
            guard let value = value(for: .sarMsgRefNum), value.count == 2 else { return nil }
            return UInt16(value[0]) << 8 | UInt16(value[1])
        }
        set { setValue(newValue.map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, for: .sarMsgRefNum) }
    }

    /// `sar_total_segments`.
    public var sarTotalSegments: UInt8? {
        get { value(for: .sarTotalSegments)?.first }
        set { setValue(newValue.map { [$0] }, for: .sarTotalSegments) }
    }

    /// `sar_segment_seqnum`.
    public var sarSegmentSequenceNumber: UInt8? {
        get { value(for: .sarSegmentSeqnum)?.first }
        set { setValue(newValue.map { [$0] }, for: .sarSegmentSeqnum) }
    }

    /// `message_payload`.
    public var messagePayload: [UInt8]? {
        get { value(for: .messagePayload) }
        set { setValue(newValue, for: .messagePayload) }
    }
}

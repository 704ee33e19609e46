import Foundation

/// Collects the parts of inbound concatenated messages and returns each message once complete.
///
/// Parts are grouped by sender, reference width (IEI 0x00 or 0x08), reference and part count, so
/// interleaved messages stay apart. Parts may come in any order. A repeated sequence number keeps
/// the first copy. A part of a message completed less than `timeout` ago is taken as a late
/// duplicate and dropped, so a sender that reuses a reference within `timeout` loses that message.
/// A message whose first part arrived `timeout` or more before `expire(now:)` is dropped and
/// reported with the parts that never came. The value owns no clock: the caller passes `now` and
/// calls `expire(now:)` on its own schedule, which also bounds memory.
public struct ConcatenationReassembler: Sendable {
    /// One received SMS with its concatenation fields.
    public struct Part: Sendable, Equatable {
        /// The originating address as the caller renders it (E.164 or alphanumeric).
        public var sender: String
        /// Concatenation fields from the header, or nil for a single message.
        public var concatenation: ConcatenationInfo?
        /// The alphabet of `payload`.
        public var alphabet: DataCodingScheme.Alphabet
        /// Text payload without the header: unpacked septets for GSM 7-bit, else octets.
        public var payload: [UInt8]
        /// When the part arrived.
        public var receivedAt: Date

        /// Creates a part.
        public init(
            sender: String,
            concatenation: ConcatenationInfo?,
            alphabet: DataCodingScheme.Alphabet,
            payload: [UInt8],
            receivedAt: Date
        ) {
            self.sender = sender
            self.concatenation = concatenation
            self.alphabet = alphabet
            self.payload = payload
            self.receivedAt = receivedAt
        }
    }

    /// A complete message.
    public struct AssembledMessage: Sendable, Equatable {
        /// The originating address.
        public var sender: String
        /// The concatenation fields of the first part received, or nil for a single message.
        public var concatenation: ConcatenationInfo?
        /// The alphabet of the first part received.
        public var alphabet: DataCodingScheme.Alphabet
        /// The payloads joined in sequence order.
        public var payload: [UInt8]
        /// The number of parts joined.
        public var partCount: Int
        /// When the first part arrived.
        public var firstReceivedAt: Date

        /// Decodes the joined payload. Joining first means an escape or surrogate pair that a
        /// sender split across parts still decodes. Returns nil for 8-bit data.
        /// - Throws: `TextCodingError` for UCS-2 with a lone surrogate or an odd length.
        public func text() throws(TextCodingError) -> String? {
            switch alphabet {
            case .gsm7: return GSMAlphabet.decode(payload)
            case .ucs2: return try UCS2.decode(payload)
            case .eightBit: return nil
            }
        }
    }

    /// A message given up on because some parts did not arrive in time.
    public struct ExpiredMessage: Sendable, Equatable {
        /// The originating address.
        public var sender: String
        /// The fields that identify the message (the sequence number is that of the first part received).
        public var concatenation: ConcatenationInfo
        /// Sequence numbers that arrived, ascending.
        public var receivedSequenceNumbers: [Int]
        /// Sequence numbers that never arrived, ascending.
        public var missingSequenceNumbers: [Int]
        /// When the first part arrived.
        public var firstReceivedAt: Date
    }

    struct Key: Hashable, Sendable {
        var sender: String
        var referenceWidth: ConcatenationInfo.ReferenceWidth
        var reference: UInt16
        var totalParts: UInt8
    }

    struct Pending: Sendable {
        var first: Part
        var info: ConcatenationInfo
        var payloads: [UInt8: [UInt8]]
    }

    /// How long after its first part a message may wait for the rest.
    public var timeout: TimeInterval
    private var pending: [Key: Pending] = [:]
    private var completed: [Key: Date] = [:]

    /// Creates an empty reassembler. The default timeout of 10 minutes is an estimate of how
    /// long a network may hold back a part. Raise it for links known to deliver late.
    public init(timeout: TimeInterval = 600) {
        self.timeout = timeout
    }

    /// The number of messages waiting for parts.
    public var pendingCount: Int { pending.count }

    /// Adds a part and returns the message when it completes one, else nil.
    public mutating func receive(_ part: Part) -> AssembledMessage? {
        guard let info = part.concatenation, info.totalParts > 1 else {
            return AssembledMessage(
                sender: part.sender,
                concatenation: part.concatenation,
                alphabet: part.alphabet,
                payload: part.payload,
                partCount: 1,
                firstReceivedAt: part.receivedAt
            )
        }
        let key = Key(
            sender: part.sender,
            referenceWidth: info.referenceWidth,
            reference: info.reference,
            totalParts: info.totalParts
        )
        if let completedAt = completed[key], part.receivedAt.timeIntervalSince(completedAt) < timeout {
            return nil
        }
        completed[key] = nil
        var entry = pending[key] ?? Pending(first: part, info: info, payloads: [:])
        if entry.payloads[info.sequenceNumber] == nil {
            entry.payloads[info.sequenceNumber] = part.payload
        }
        guard entry.payloads.count == Int(info.totalParts) else {
            pending[key] = entry
            return nil
        }

        pending[key] = nil
        completed[key] = part.receivedAt
        var payload: [UInt8] = []
        for sequence in 1...info.totalParts {
            payload.append(contentsOf: entry.payloads[sequence] ?? [])
        }
        return AssembledMessage(
            sender: part.sender,
            concatenation: entry.info,
            alphabet: entry.first.alphabet,
            payload: payload,
            partCount: Int(info.totalParts),
            firstReceivedAt: entry.first.receivedAt
        )
    }

    /// Drops every message whose first part arrived `timeout` or more before `now` and returns them,
    /// oldest first.
    public mutating func expire(now: Date) -> [ExpiredMessage] {
        completed = completed.filter { now.timeIntervalSince($0.value) < timeout }
        var expired: [ExpiredMessage] = []
        for (key, entry) in pending where now.timeIntervalSince(entry.first.receivedAt) >= timeout {
            pending[key] = nil
            let received = entry.payloads.keys.map(Int.init).sorted()
            let missing = (1...Int(key.totalParts)).filter { !received.contains($0) }
            expired.append(
                ExpiredMessage(
                    sender: key.sender,
                    concatenation: entry.info,
                    receivedSequenceNumbers: received,
                    missingSequenceNumbers: missing,
                    firstReceivedAt: entry.first.receivedAt
                )
            )
        }
        return expired.sorted { $0.firstReceivedAt < $1.firstReceivedAt }
    }
}

/// Hands out the ESME's own `sequence_number`s: 0x00000001...0x7FFFFFFF, then back to 1.
///
/// SMPP 3.4 reserves 0 and the values with bit 31 set, so the counter never yields them.
/// Owned by one session; numbers repeat only after 2^31 − 1 requests.
public struct SequenceNumbers: Equatable, Sendable {
    /// The highest number handed out before wrapping.
    public static let maximum: UInt32 = 0x7FFF_FFFF

    /// The number `next()` returns next.
    public private(set) var upcoming: UInt32

    /// - Parameter first: the first number; values outside 1...0x7FFFFFFF start at 1.
    public init(first: UInt32 = 1) {
        upcoming = (1...Self.maximum).contains(first) ? first : 1
    }

    /// Returns the next number and advances, wrapping from 0x7FFFFFFF to 1.
    public mutating func next() -> UInt32 {
        let value = upcoming
        upcoming = value == Self.maximum ? 1 : value + 1
        return value
    }
}

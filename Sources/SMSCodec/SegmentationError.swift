/// A text that cannot be split into SMS segments under the configured limits.
public enum SegmentationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text needs more segments than allowed. The text is never truncated to fit.
    case tooManySegments(needed: Int, maximum: Int)
    /// The configured maximum is outside 1...255 (the concatenation element counts in one octet).
    case invalidMaximumSegments(Int)

    /// One line naming the counts and the fix.
    public var description: String {
        switch self {
        case .tooManySegments(let needed, let maximum):
            return "text needs \(needed) segments but at most \(maximum) are allowed:"
                + " shorten the text or raise the maximum number of segments"
        case .invalidMaximumSegments(let value):
            return "maximum number of segments \(value) is outside 1...255: set a value in that range"
        }
    }
}

/// An error that stops a whole contact import, so nothing is stored. Problems of single rows are
/// listed in `ContactImportReport` instead.
public enum ContactImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case cannotReadFile(path: String, reason: String)
    /// The file is not a readable CSV contact list.
    case csv(CSVError)
    /// The group name is empty or spaces only.
    case emptyGroupName

    public var description: String {
        switch self {
        case .cannotReadFile(let path, let reason):
            "cannot read \(path): \(reason)"
        case .csv(let error):
            "\(error)"
        case .emptyGroupName:
            "the group name is empty: give a name such as --group attendees"
        }
    }
}

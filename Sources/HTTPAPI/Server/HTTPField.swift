/// One header or query parameter of a request or response, in arrival order.
struct HTTPField: Sendable, Equatable {
    /// Header names are lower-cased when a request is read; query names are kept as sent.
    var name: String
    var value: String
}

import Dispatch

/// The resource limits of the HTTP server, so that a slow or hostile client costs bounded memory
/// and threads.
struct HTTPServerLimits: Sendable, Equatable {
    /// The largest request body read into memory; a longer one gets 413. Default 1 MiB:
    /// a 5,000-number broadcast is about 100 KiB of JSON.
    var maxBodyBytes = 1 << 20
    /// A request announcing a body longer than this gets 413 at once and its connection is
    /// closed, without reading the body. Bodies between `maxBodyBytes` and this are read and
    /// dropped, so an ordinary client sees its 413 instead of a reset connection.
    var maxDiscardedBodyBytes = 16 << 20
    /// Connections served at once; each has its own thread. Default 64.
    var connectionLimit = 64
    /// Connections at once from one client address; 0 for no limit (the default, since a reverse
    /// proxy sends everything from one address).
    var perAddressConnectionLimit = 0
    /// Seconds without traffic after which a connection is closed. Default 30 s.
    var connectionTimeoutSeconds = 30
    /// Bytes per connection for the request line, headers and read buffer. Default 64 KiB; a
    /// request whose headers do not fit gets an error status from libmicrohttpd.
    var connectionMemoryBytes = 64 << 10
    /// The maximum time a connection waits for its handler before it is closed without a response.
    /// Default 60 s, beyond the store's 10 s wait for another process's write lock.
    var handlerTimeout: DispatchTimeInterval = .seconds(60)
}

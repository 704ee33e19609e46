/// Errors of setting up or starting a `Dispatcher`.
public enum DispatcherError: Error, Equatable, CustomStringConvertible {
    /// The pool policy names a provider that was not passed to the dispatcher.
    case providerMissing(id: String)
    /// A provider was passed that the pool policy does not list, so it would never be used.
    case providerNotInPool(id: String)
    /// Two providers share one id.
    case duplicateProvider(id: String)
    /// `run()` was called while it was already running or after `stop()`.
    case notRestartable

    public var description: String {
        switch self {
        case .providerMissing(let id):
            "provider '\(id)' is in the pool policy but no provider with that id was given; "
                + "add the provider or remove the id from the pool"
        case .providerNotInPool(let id):
            "provider '\(id)' was given but is not in the pool policy; add it to the pool order"
        case .duplicateProvider(let id):
            "provider id '\(id)' is used twice; give each provider its own id"
        case .notRestartable:
            "the dispatcher runs once; create a new one to run again"
        }
    }
}

import Config
import Diagnostics
import Foundation
import Store

/// Opens the store the config's `database` names: an SQLite file, or a PostgreSQL database that
/// several boxes share under this box's `node` name.
///
/// - Parameter notifiesWakeListener: for SQLite, whether commits that queue work wake a daemon
///   listening on the same file; PostgreSQL always notifies the listening daemons.
/// - Throws: `StoreError`, `SQLiteError` or `PostgresError`; none of them contains the password.
func openQueueDatabase(
    config: LifelineConfig,
    logger: Logger = .disabled,
    notifiesWakeListener: Bool = true
) async throws -> any QueueDatabase {
    guard config.usesPostgreSQL else {
        return try await SQLiteStore(path: config.database, logger: logger, notifiesWakeListener: notifiesWakeListener)
    }
    return try await PostgresStore(
        url: connectionURL(config.database, password: config.databasePassword?.revealed),
        node: config.node,
        handoffWait: config.shared.handoffWait,
        logger: logger
    )
}

/// Puts the password back into the URL for libpq, percent-encoded. Keep the result out of logs.
private func connectionURL(_ url: String, password: String?) -> String {
    guard let password, var components = URLComponents(string: url) else { return url }
    if components.user == nil || components.user?.isEmpty == true {
        // libpq reads the password of a URL without a user as the user; give it as a parameter instead.
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "password", value: password))
        components.queryItems = items
        return components.string ?? url
    }
    components.password = password
    return components.string ?? url
}

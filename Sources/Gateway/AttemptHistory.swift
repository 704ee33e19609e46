import Store

/// The providers a message must not be sent through again, derived from its stored attempts.
///
/// After a provider accepted the message and a receipt (or a missing one) sent it back to the
/// queue, only the providers after that one in pool order are left. A provider whose attempt
/// ended `ambiguous` (or was interrupted by a crash, which recovery records as `ambiguous`) is
/// left out too, so a failover goes to the next one. `unavailable`, `throttled` and
/// `not_received` attempts (`ReceiptWait`) exclude nothing across claims: a later round may try
/// those providers again.
public enum AttemptHistory {
    /// Returns the provider ids excluded for the next claim of a message with these attempts.
    public static func excludedProviders(_ attempts: [AttemptRecord], policy: PoolPolicy) -> Set<String> {
        var excluded = Set<String>()
        var lastAcceptedPosition: Int?
        for attempt in attempts.sorted(by: { $0.id < $1.id }) {
            switch attempt.outcome {
            case .accepted:
                excluded.insert(attempt.providerID)
                if let position = policy.position(of: attempt.providerID) {
                    lastAcceptedPosition = position
                }
            case .ambiguous:
                excluded.insert(attempt.providerID)
            case .unavailable, .throttled, .recipientError, .notReceived, nil:
                break
            }
        }
        if let lastAcceptedPosition {
            for provider in policy.providers.prefix(through: lastAcceptedPosition) {
                excluded.insert(provider.id)
            }
        }
        return excluded
    }

    /// Returns whether any provider in the pool is left for a message with these attempts.
    public static func hasRemainingProvider(_ attempts: [AttemptRecord], policy: PoolPolicy) -> Bool {
        let excluded = excludedProviders(attempts, policy: policy)
        return policy.providers.contains { !excluded.contains($0.id) }
    }
}

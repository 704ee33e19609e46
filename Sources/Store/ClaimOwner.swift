import Foundation

/// The owner of a claim: a random id made once per daemon run and stored with each claim that
/// run's dispatcher makes (`sms_queue.claim_owner`).
///
/// A store never takes a claim back from the owner that asks it to claim, whatever its lease
/// says: that run still tracks the message in memory. Claims of other owners are taken over when
/// their lease runs out (see `MessageStore.claimBatch(now:lease:limit:owner:)`).
public struct ClaimOwner: Sendable, Hashable, CustomStringConvertible {
    /// The stored form: 32 hexadecimal digits for a generated owner.
    public let id: String

    /// Makes a new owner with a random id, distinct from every earlier run's.
    public init() {
        id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Makes an owner with a given id, for tests and for a run that reads its id back.
    public init(id: String) {
        self.id = id
    }

    public var description: String { id }
}

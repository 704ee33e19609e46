import Foundation
import SMPP

extension SMPPProvider {
    /// The separate receiver session's state on a `bind: transmitter_receiver` link; `nil` for a
    /// link with one session.
    public var receiverStatus: ReceiverSessionStatus? {
        get async { await link.receiverStatus }
    }

    /// A note on the separate receiver for status displays while it is not bound, such as
    /// `receiver down since 2026-12-04T22:50:01Z: the SMSC sent unbind; receipts and inbound SMS
    /// not arriving`. It is `nil` while the receiver is bound, and for a link with one session.
    public var receiverNote: String? {
        get async {
            guard let status = await link.receiverStatus else { return nil }
            let since = status.since.formatted(.iso8601)
            switch status.state {
            case .bound:
                return nil
            case .connecting:
                return "receiver binding since \(since); receipts and inbound SMS not arriving yet"
            case .down(let reason):
                return "receiver down since \(since): \(reason); receipts and inbound SMS not arriving"
            }
        }
    }

    /// Returns the SMPP provider behind `provider`, looking through a transliterating wrapper, or
    /// `nil` for other kinds of provider.
    public static func unwrapping(_ provider: any Provider) -> SMPPProvider? {
        if let smpp = provider as? SMPPProvider { return smpp }
        if let wrapper = provider as? TransliteratingProvider { return unwrapping(wrapper.base) }
        return nil
    }
}

import Foundation
import Gateway
import Testing

@Suite struct TokenBucketTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A full bucket gives `burst` tokens at once, then none.
    @Test func burstThenEmpty() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: start)
        let took1 = bucket.tryTake(now: start)
        #expect(took1)
        let took2 = bucket.tryTake(now: start)
        #expect(took2)
        let took3 = bucket.tryTake(now: start)
        #expect(took3)
        let took4 = bucket.tryTake(now: start)
        #expect(!took4)
        #expect(bucket.timeUntilAvailable(now: start) == .milliseconds(500))
    }

    /// An empty bucket refills at `rate` and has a token again exactly when announced.
    @Test func refillsAtRate() {
        var bucket = TokenBucket(rate: 4, burst: 1, now: start)
        let took5 = bucket.tryTake(now: start)
        #expect(took5)
        let wait = bucket.timeUntilAvailable(now: start)
        #expect(wait == .milliseconds(250))
        let took6 = bucket.tryTake(now: start.addingTimeInterval(0.2))
        #expect(!took6)
        let took7 = bucket.tryTake(now: start.addingTimeInterval(0.25))
        #expect(took7)
    }

    /// Refill stops at `burst`, however long the bucket was idle.
    @Test func refillCappedAtBurst() {
        var bucket = TokenBucket(rate: 10, burst: 2, now: start)
        let later = start.addingTimeInterval(3600)
        #expect(bucket.availableTokens(now: later) == 2)
        let took8 = bucket.tryTake(now: later)
        #expect(took8)
        let took9 = bucket.tryTake(now: later)
        #expect(took9)
        let took10 = bucket.tryTake(now: later)
        #expect(!took10)
    }

    /// A clock step back neither adds nor removes tokens, and refilling goes on from the new time.
    @Test func clockStepBack() {
        var bucket = TokenBucket(rate: 1, burst: 1, now: start)
        let took11 = bucket.tryTake(now: start)
        #expect(took11)
        let earlier = start.addingTimeInterval(-3600)
        let took12 = bucket.tryTake(now: earlier)
        #expect(!took12)
        #expect(bucket.timeUntilAvailable(now: earlier) == .seconds(1))
        let took13 = bucket.tryTake(now: earlier.addingTimeInterval(1))
        #expect(took13)
        let took14 = bucket.tryTake(now: earlier.addingTimeInterval(1))
        #expect(!took14)
    }
}

@Suite struct TokenBucketRefundTests {
    /// A refunded token is available again at once, and refunds never pass the burst.
    @Test func refundReturnsToken() {
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var bucket = TokenBucket(rate: 0.02, burst: 1, now: start)
        let first = bucket.tryTake(now: start)
        let second = bucket.tryTake(now: start)
        bucket.refund(now: start)
        let afterRefund = bucket.tryTake(now: start)
        bucket.refund(now: start)
        bucket.refund(now: start)
        #expect(first)
        #expect(!second)
        #expect(afterRefund)
        #expect(bucket.availableTokens(now: start) == 1)
    }
}

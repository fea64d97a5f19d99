import DraizerCore
import OrderBook

/// Keeps one Bybit v5 book: every subscription (and any server-side reset) starts with a
/// `snapshot`, which replaces the book; each `delta` must have `u == previous u + 1` and a `seq`
/// above the previous one. A break asks for a resync, which on Bybit means resubscribing to that
/// symbol's topic: the venue answers with a fresh snapshot. Deltas seen before it are useless and
/// dropped.
public struct BybitDepthSync: DepthSynchronizer {
    public private(set) var book: L2Book

    public func withBook<Result>(_ body: (borrowing L2Book) -> Result) -> Result { body(book) }
    private var lastSequence: UInt64 = 0

    public init(priceScale: Int, quantityScale: Int) {
        book = L2Book(priceScale: priceScale, quantityScale: quantityScale)
    }

    public mutating func snapshotReceived(_ snapshot: borrowing DepthMessage) -> BookFault? {
        let fault = book.replace(with: snapshot)
        lastSequence = snapshot.sequence
        return fault
    }

    public mutating func diffReceived(_ diff: borrowing DepthMessage) -> DepthSyncAction {
        if diff.isSnapshot {
            if let fault = snapshotReceived(diff) { return .resyncNeeded(fault) }
            return .applied
        }
        guard book.isVerified else { return .dropped }
        let last = book.lastUpdateId
        guard diff.finalUpdateId == last + 1 else {
            return fail(.gap(expected: last + 1, was: diff.finalUpdateId))
        }
        guard diff.sequence == 0 || diff.sequence > lastSequence else {
            return fail(.gap(expected: lastSequence + 1, was: diff.sequence))
        }
        if let fault = book.applyInSequence(diff) { return .resyncNeeded(fault) }
        lastSequence = diff.sequence
        return .applied
    }

    public mutating func resetRequested() {
        book.invalidate(.resetRequested)
    }

    private mutating func fail(_ fault: BookFault) -> DepthSyncAction {
        book.invalidate(fault)
        return .resyncNeeded(fault)
    }
}

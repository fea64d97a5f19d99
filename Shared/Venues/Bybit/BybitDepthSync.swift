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

    public init(priceScale: Int, quantityScale: Int) {
        book = L2Book(priceScale: priceScale, quantityScale: quantityScale)
    }

    public mutating func snapshotReceived(_ snapshot: borrowing DepthMessage) -> BookFault? {
        book.replace(with: snapshot)
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
        // `seq` is shared with the venue's other topics: it rises, with gaps.
        guard diff.sequence == 0 || diff.sequence > book.lastSequence else {
            return fail(.gap(expected: book.lastSequence + 1, was: diff.sequence))
        }
        if let fault = book.applyInSequence(diff) { return .resyncNeeded(fault) }
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

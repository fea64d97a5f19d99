import DraizerCore
import OrderBook

/// Continuity rules of venues whose diffs carry a range of update ids `[U, u]` and whose REST
/// snapshot carries the id it reflects.
public enum UpdateIdRule: Sendable {
    /// Binance spot and Gate.io: drop diffs with `u <= snapshotId`; the first applied has
    /// `U <= snapshotId+1 <= u`; then each `U == previous u + 1`.
    case contiguousRanges
    /// Binance USDⓈ-M futures: drop `u < snapshotId`; the first applied has
    /// `U <= snapshotId <= u`; then each `pu == previous u`.
    case linkedToPrevious
}

/// Keeps one instrument's L2 book in step with a REST snapshot + WebSocket diffs under an
/// `UpdateIdRule` (Binance spot and futures, Gate.io spot and futures). A gap, an unbridged first diff, a bad level or a crossed book
/// marks this book broken and asks for a resync of this symbol only; diffs that arrive while a
/// snapshot is awaited are kept and replayed onto it.
///
/// Pure: events in, actions out. Threading: owned by one gateway receive thread.
public struct UpdateIdDepthSync: DepthSynchronizer {
    public typealias Action = DepthSyncAction

    public let rule: UpdateIdRule
    public private(set) var book: L2Book

    public func withBook<Result>(_ body: (borrowing L2Book) -> Result) -> Result { body(book) }

    /// True once a diff has been applied on top of the current snapshot.
    private var bridged = false
    private var pending: [DepthMessage] = []
    /// Diffs kept while waiting for a snapshot; the oldest go first beyond this.
    public var maxPending = 2000

    public init(rule: UpdateIdRule, priceScale: Int, quantityScale: Int) {
        self.rule = rule
        book = L2Book(priceScale: priceScale, quantityScale: quantityScale)
    }

    /// A WebSocket diff arrived.
    public mutating func diffReceived(_ diff: borrowing DepthMessage) -> Action {
        guard book.isVerified else {
            if pending.count >= maxPending { pending.removeFirst() }
            pending.append(copy diff)
            return .buffered
        }
        return apply(diff)
    }

    /// A REST snapshot arrived: load it, then replay the diffs kept meanwhile.
    /// Returns the fault when the snapshot or a kept diff breaks continuity (resync again).
    @discardableResult
    public mutating func snapshotReceived(_ snapshot: borrowing DepthMessage) -> BookFault? {
        bridged = false
        if let fault = book.replace(with: snapshot) { return fault }
        let kept = pending
        pending.removeAll(keepingCapacity: true)
        for diff in kept {
            if case .resyncNeeded(let fault) = apply(diff) { return fault }
        }
        return nil
    }

    /// The connection dropped or the venue asked for a reset: wait for a new snapshot.
    public mutating func resetRequested() {
        bridged = false
        pending.removeAll(keepingCapacity: true)
        book.invalidate(.resetRequested)
    }

    private mutating func apply(_ diff: borrowing DepthMessage) -> Action {
        let last = book.lastUpdateId
        switch rule {
        case .contiguousRanges:
            if !bridged {
                if diff.finalUpdateId <= last { return .dropped }
                guard diff.firstUpdateId <= last + 1 else {
                    return .resyncNeeded(fail(.noBridge(snapshotId: last, firstU: diff.firstUpdateId, lastU: diff.finalUpdateId)))
                }
            } else if diff.firstUpdateId != last + 1 {
                return .resyncNeeded(fail(.gap(expected: last + 1, was: diff.firstUpdateId)))
            }
        case .linkedToPrevious:
            if !bridged {
                if diff.finalUpdateId < last { return .dropped }
                guard diff.firstUpdateId <= last else {
                    return .resyncNeeded(fail(.noBridge(snapshotId: last, firstU: diff.firstUpdateId, lastU: diff.finalUpdateId)))
                }
            } else if diff.previousUpdateId != last {
                return .resyncNeeded(fail(.gap(expected: last, was: diff.previousUpdateId ?? 0)))
            }
        }
        if let fault = book.applyInSequence(diff) {
            bridged = false
            return .resyncNeeded(fault)
        }
        bridged = true
        return .applied
    }

    private mutating func fail(_ fault: BookFault) -> BookFault {
        bridged = false
        book.invalidate(fault)
        return fault
    }
}

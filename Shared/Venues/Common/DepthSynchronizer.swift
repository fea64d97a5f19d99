import OrderBook

/// What a depth synchroniser did with a diff.
public enum DepthSyncAction: Sendable, Equatable {
    /// Kept until a snapshot arrives.
    case buffered
    /// Older than the snapshot: not needed.
    case dropped
    /// Applied; the book is verified.
    case applied
    /// Continuity broke: the book is unverified; fetch a new snapshot for this symbol only.
    case resyncNeeded(BookFault)
}

/// One instrument's book kept in step with a venue's snapshot + diff stream under that venue's
/// continuity rule. Pure: events in, actions out; owned by one gateway receive thread.
public protocol DepthSynchronizer: Sendable {
    var book: L2Book { get }
    /// Lends the book to `body` without copying it (`book` through `any DepthSynchronizer`
    /// returns a copy: a retain and release of each ladder's storage, on the gateway's hot path).
    /// `mutating` although it changes nothing: on an `any DepthSynchronizer` kept in memory, a
    /// non-mutating requirement is called on a copy of the existential (its box retained and
    /// released), a mutating one in place.
    mutating func withBook<Result>(_ body: (borrowing L2Book) -> Result) -> Result
    /// A snapshot arrived: load it and replay what was kept. Returns the fault if continuity breaks.
    mutating func snapshotReceived(_ snapshot: borrowing DepthMessage) -> BookFault?
    mutating func diffReceived(_ diff: borrowing DepthMessage) -> DepthSyncAction
    /// The connection dropped or the venue asked for a reset: wait for a new snapshot.
    mutating func resetRequested()
}

import DraizerCore
import OrderBook

extension L2Book {
    /// Applies every level of a depth message (quantity 0 deletes). A level the book cannot hold
    /// exactly (finer than its scale, non-positive price) throws; levels before it stay applied,
    /// so the caller must treat the book as broken.
    public mutating func apply(_ message: borrowing DepthMessage) throws(BookFault) {
        for level in message.bids { try set(side: .buy, price: level.price, quantity: level.quantity) }
        for level in message.asks { try set(side: .sell, price: level.price, quantity: level.quantity) }
    }

    /// Replaces the book with a snapshot and marks it verified (unless it is crossed).
    public mutating func load(snapshot: borrowing DepthMessage) throws(BookFault) {
        reset()
        try apply(snapshot)
        snapshotApplied(updateId: snapshot.finalUpdateId, sequence: snapshot.sequence)
    }
}

extension L2Book {
    /// `load(snapshot:)` for a synchroniser: the fault that leaves the book broken (a bad level,
    /// or a crossed snapshot), or nil when the book is verified.
    mutating func replace(with snapshot: borrowing DepthMessage) -> BookFault? {
        do {
            try load(snapshot: snapshot)
        } catch {
            invalidate(error)
            return error
        }
        return brokenFault
    }

    /// Applies a diff that passed the venue's continuity rule: the fault that leaves the book
    /// broken (a bad level, or the book crossed), or nil when it stays verified.
    mutating func applyInSequence(_ diff: borrowing DepthMessage) -> BookFault? {
        do {
            try apply(diff)
        } catch {
            invalidate(error)
            return error
        }
        diffApplied(updateId: diff.finalUpdateId, sequence: diff.sequence)
        return brokenFault
    }

    private var brokenFault: BookFault? {
        if case .broken(let fault) = integrity { return fault }
        return nil
    }
}

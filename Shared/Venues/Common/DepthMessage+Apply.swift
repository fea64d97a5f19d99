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
        snapshotApplied(updateId: snapshot.finalUpdateId)
    }
}

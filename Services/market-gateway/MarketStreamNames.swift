/// The gateway's Redis streams (consumed by portfolio-ledger into `book_ticker_snapshots` and
/// `funding_rate_snapshots`).
enum MarketStreamNames {
    /// Once a second per instrument: its top of book as shared memory holds it.
    static let bookTicker = "md.book_ticker"
    /// Perpetuals' funding when it changes, else at most once a second.
    static let funding = "md.funding"
}

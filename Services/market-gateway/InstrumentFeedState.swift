import DraizerCore
import FastPath
import OrderBook
import Venues

/// What the gateway keeps per instrument: its book synchroniser, the freshest quote and where it
/// lives in shared memory.
struct InstrumentFeedState {
    let instrument: Instrument
    let slot: Int
    let priceScale: Int
    let quantityScale: Int
    var sync: any DepthSynchronizer
    /// Latest top-of-book quote in fixed point, and the venue id it carries (its cross sequence
    /// where the venue has one, else its update id; 0 when none).
    var quote: (bid: BookLevel, ask: BookLevel, updateId: UInt64)?
    var resyncPending = false
    /// Monotonic time the next resync may start (per-symbol retry pacing).
    var nextResyncNanos: Int64 = 0
    var lastExchangeMillis: UInt64 = 0
    /// The last funding written to Redis: rate, next settlement and when (monotonic ns).
    var lastFunding: (rate: ExactDecimal, nextSettlementMillis: UInt64, atNanos: Int64)?
    /// REST depth snapshots failed in a row (the retry delay grows with it) and why the last did.
    /// Last, after everything a frame touches.
    var snapshotFailures = 0
    var snapshotError = ""
    /// When the current resync started (monotonic ns; meaningful while `resyncPending`).
    var pendingSinceNanos: Int64 = 0

    /// Books are kept at 8 decimals at least (the tick's or step's own when finer): real books
    /// carry levels off today's grid — orders placed before a tick change, fractional sizes left
    /// from an older step (Binance NKNUSDT, 2021: `0.25974` under a 0.0001 tick, `11979.3` under
    /// a step of 1) — and the grid's own scale cannot hold them.
    static let minimumScale = 8

    init(instrument: Instrument, slot: Int, feed: DepthFeed) {
        self.instrument = instrument
        self.slot = slot
        priceScale = max(Int(instrument.tickSize.decimal.scale), Self.minimumScale)
        quantityScale = max(Int(instrument.stepSize.decimal.scale), Self.minimumScale)
        sync = feed.makeSynchronizer(priceScale: priceScale, quantityScale: quantityScale)
    }

    /// The entry to publish: the book's best levels, with the quote on top when it is at least as
    /// recent as the book (by `L2Book.orderingId`, the id space the venue's quotes share with it)
    /// — deeper levels that would cross it are left out.
    /// Written straight into the snapshot's inline storage from the synchroniser's own book: no
    /// allocation or copy per frame. `mutating` only so that a call through the gateway's unsafe
    /// buffer of states is made in place: a non-mutating one copied the whole state first (its
    /// instrument's strings and the synchroniser's box retained, then released).
    mutating func snapshot(receivedNanos: Int64) -> BookSnapshot {
        var snapshot = BookSnapshot()
        let (bidCount, askCount, verified, lastUpdateId) = sync.withBook { book in
            // The quote goes on top when it carries an id at least as recent as the book's.
            let quoted = quote.flatMap { $0.updateId != 0 && $0.updateId >= book.orderingId ? $0 : nil }
            if let quoted {
                snapshot.bids[0] = quoted.bid
                snapshot.asks[0] = quoted.ask
            }
            let count = quoted == nil ? 0 : 1
            return (
                Self.append(book.bids, behind: quoted?.bid.price, into: &snapshot.bids, from: count),
                Self.append(book.asks, behind: quoted?.ask.price, into: &snapshot.asks, from: count), book.isVerified, book.lastUpdateId
            )
        }
        snapshot.bidCount = bidCount
        snapshot.askCount = askCount
        let crossed = bidCount > 0 && askCount > 0 && snapshot.bids[0].price >= snapshot.asks[0].price
        snapshot.top.verified = verified && !crossed && bidCount > 0 && askCount > 0
        snapshot.top.priceScale = UInt8(priceScale)
        snapshot.top.quantityScale = UInt8(quantityScale)
        snapshot.top.tsExchangeNanos = Int64(lastExchangeMillis) * 1_000_000
        snapshot.top.tsReceivedNanos = receivedNanos
        snapshot.exchangeSequence = lastUpdateId
        return snapshot
    }

    /// `ladder`'s levels strictly behind `limit` (all of them when nil), best first, written into
    /// `levels` after the `count` already there, up to the entry's depth; returns the new count.
    @inline(__always)
    private static func append(_ ladder: PriceLadder, behind limit: Int64?, into levels: inout InlineArray<8, BookLevel>, from count: Int) -> Int {
        var count = count
        // Behind a quote the levels start at the first one strictly worse than it (found by binary
        // search: when the quote runs ahead of a deep book, many levels lie at or above it).
        var depth = limit.map { ladder.depth(worseThan: $0) } ?? 0
        while count < PriceStore.levelsPerSide, depth < ladder.count {
            levels[count] = ladder.level(depth)
            count += 1
            depth += 1
        }
        return count
    }
}

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
    /// Latest top-of-book quote in fixed point, and the venue id it carries (0 when none).
    var quote: (bid: BookLevel, ask: BookLevel, updateId: UInt64)?
    var resyncPending = false
    /// Monotonic time the next resync may start (per-symbol retry pacing).
    var nextResyncNanos: Int64 = 0
    var lastExchangeMillis: UInt64 = 0

    init(instrument: Instrument, slot: Int, feed: DepthFeed) {
        self.instrument = instrument
        self.slot = slot
        priceScale = Int(instrument.tickSize.decimal.scale)
        quantityScale = Int(instrument.stepSize.decimal.scale)
        sync = feed.makeSynchronizer(priceScale: priceScale, quantityScale: quantityScale)
    }

    /// The entry to publish: the book's best levels, with the quote on top when it is at least as
    /// recent as the book (same id space) — deeper levels that would cross it are left out.
    func snapshot(receivedNanos: Int64) -> BookSnapshot {
        var snapshot = BookSnapshot()
        let book = sync.book
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        if let quote, quote.updateId != 0, quote.updateId >= book.lastUpdateId {
            bids.append(quote.bid)
            asks.append(quote.ask)
        }
        var depth = 0
        while bids.count < PriceStore.levelsPerSide, depth < book.bids.count {
            let level = book.bids.level(depth)
            if bids.isEmpty || level.price < bids[0].price { bids.append(level) }
            depth += 1
        }
        depth = 0
        while asks.count < PriceStore.levelsPerSide, depth < book.asks.count {
            let level = book.asks.level(depth)
            if asks.isEmpty || level.price > asks[0].price { asks.append(level) }
            depth += 1
        }
        snapshot.bidCount = bids.count
        snapshot.askCount = asks.count
        for (index, level) in bids.enumerated() { snapshot.bids[index] = level }
        for (index, level) in asks.enumerated() { snapshot.asks[index] = level }
        let crossed = !bids.isEmpty && !asks.isEmpty && bids[0].price >= asks[0].price
        snapshot.top.verified = book.isVerified && !crossed && !bids.isEmpty && !asks.isEmpty
        snapshot.top.priceScale = UInt8(priceScale)
        snapshot.top.quantityScale = UInt8(quantityScale)
        snapshot.top.tsExchangeNanos = Int64(lastExchangeMillis) * 1_000_000
        snapshot.top.tsReceivedNanos = receivedNanos
        snapshot.exchangeSequence = book.lastUpdateId
        return snapshot
    }
}

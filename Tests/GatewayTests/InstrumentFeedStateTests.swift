import DraizerCore
import FastPath
import OrderBook
import TestSupport
import Testing
import Venues

@testable import market_gateway

/// The entry a gateway publishes: the quote on top when it is at least as recent as the book, then
/// the book's levels strictly behind it (found by `PriceLadder.depth(worseThan:)`), eight a side.
/// Checked against a plain walk of the whole book on real recorded Binance books (snapshot, then
/// every diff), with no quote, a stale one, and quotes ahead of the book and at its k-th level.
@Suite struct InstrumentFeedStateTests {
    @Test(arguments: ["binance/replay/spot-NKNUSDT", "binance/replay/perp-SUSHIUSDT"])
    func entriesFollowTheQuoteAndTheBook(directory: String) throws {
        let source = SourceId(exchange: .binance, market: directory.contains("/perp-") ? .perp : .spot)
        let instrument = try Self.instrument(source)
        var state = InstrumentFeedState(instrument: instrument, slot: 0, feed: DepthFeed(source: source))
        var message = DepthMessage()
        try Fixtures.bytes("\(directory)/depth-snapshot.json").withUnsafeBytes { try BinanceDepthParser.parseSnapshot($0, into: &message) }
        #expect(state.sync.snapshotReceived(message) == nil)
        var checked = 0
        var applied = 0
        for frame in try Fixtures.lines("\(directory)/depth-diff.jsonl") {
            try frame.withUnsafeBytes { try BinanceDepthParser.parseDiff($0, into: &message) }
            guard case .applied = state.sync.diffReceived(message) else { continue }
            applied += 1
            let book = state.sync.withBook { (bids: $0.bids, asks: $0.asks, lastUpdateId: $0.lastUpdateId) }
            guard book.bids.count > 12, book.asks.count > 12 else { continue }
            var quotes: [(bid: BookLevel, ask: BookLevel, updateId: UInt64)?] = [nil]
            let stale = book.lastUpdateId - 1
            quotes.append((book.bids.level(0), book.asks.level(0), stale))
            // A tick ahead of the book, then at its k-th level (k levels dropped behind the quote).
            let tick: Int64 = 1
            quotes.append((BookLevel(price: book.bids.level(0).price + tick, quantity: 7), BookLevel(price: book.asks.level(0).price - tick, quantity: 7), book.lastUpdateId))
            for depth in [0, 1, 3, 8, 9, 12] {
                quotes.append((book.bids.level(depth), book.asks.level(depth), book.lastUpdateId + 1))
            }
            for quote in quotes {
                state.quote = quote
                let entry = state.snapshot(receivedNanos: 42)
                let expected = Self.entry(bids: book.bids, asks: book.asks, lastUpdateId: book.lastUpdateId, quote: quote)
                #expect(Array(0..<entry.bidCount).map { entry.bids[$0] } == expected.bids, "\(directory) diff \(applied) quote \(String(describing: quote))")
                #expect(Array(0..<entry.askCount).map { entry.asks[$0] } == expected.asks, "\(directory) diff \(applied) quote \(String(describing: quote))")
                #expect(entry.top.verified && entry.exchangeSequence == book.lastUpdateId && entry.top.tsReceivedNanos == 42)
                checked += 1
            }
        }
        #expect(applied > 50 && checked > 400, "\(applied) diffs applied, \(checked) entries checked")
    }

    /// Bybit numbers each topic's messages on its own (`u`) but shares its cross sequence (`seq`;
    /// `cs` on tickers) across topics: a quote (`orderbook.1`, whose frames these recordings lack,
    /// carries `seq` like the tickers' `cs`) is ordered against the book by it. On the recorded
    /// perpetual streams (tickers and orderbook.200 interleaved as they came), with each merged
    /// ticker's best levels as the quote, the entry's top is the quote's while its sequence is
    /// the newest and the book's after a later delta. Ordered against `u` a quote always looked
    /// newer: out-of-date sizes (now and then prices) stayed on top after 56–124 of each stream's
    /// ~400 deltas, until the next quote.
    @Test(arguments: ["perp-BTCUSDT", "perp-DOGEUSDT", "perp-ETHUSDT", "perp-SOLUSDT"])
    func bybitQuotesAreOrderedByTheCrossSequence(stream: String) throws {
        let source = SourceId(exchange: .bybit, market: .perp)
        let instrument = try Self.instrument(source)
        let feed = DepthFeed(source: source)
        var state = InstrumentFeedState(instrument: instrument, slot: 0, feed: feed)
        var tickers = BybitTickerState()
        var ticker = BybitTicker()
        var depth = DepthMessage()
        var quote = TopOfBookQuote()
        var quoteNewer = 0
        var bookNewer = 0
        var outOfDateQuotes = 0
        for frame in try Fixtures.lines("bybit/replay/\(stream)/stream.jsonl") {
            try frame.withUnsafeBytes { bytes in
                if try feed.read(bytes, depth: &depth, quote: &quote) == .depth {
                    let action = state.sync.diffReceived(depth)
                    guard case .applied = action else {
                        Issue.record("\(stream): a recorded message was not applied: \(action)")
                        return
                    }
                    return
                }
                try BybitTickerParser.parse(bytes, into: &ticker)
                tickers.received(ticker)
                let merged = tickers.current
                guard let bid = merged.bidPrice, let ask = merged.askPrice, let bidSize = merged.bidSize, let askSize = merged.askSize else { return }
                state.quote = (
                    BookLevel(price: try bid.mantissa(atScale: state.priceScale), quantity: try bidSize.mantissa(atScale: state.quantityScale)),
                    BookLevel(price: try ask.mantissa(atScale: state.priceScale), quantity: try askSize.mantissa(atScale: state.quantityScale)),
                    merged.crossSequence
                )
            }
            guard let quoted = state.quote, state.sync.withBook({ $0.isVerified }) else { continue }
            let book = state.sync.withBook { (bid: $0.bids.level(0), ask: $0.asks.level(0), sequence: $0.lastSequence) }
            let entry = state.snapshot(receivedNanos: 1)
            let top = (bid: entry.bids[0], ask: entry.asks[0])
            if quoted.updateId >= book.sequence {
                quoteNewer += 1
                #expect(top == (quoted.bid, quoted.ask), "\(stream): cs \(quoted.updateId) ≥ seq \(book.sequence)")
            } else {
                bookNewer += 1
                #expect(top == (book.bid, book.ask), "\(stream): seq \(book.sequence) > cs \(quoted.updateId)")
                if (quoted.bid, quoted.ask) != (book.bid, book.ask) { outOfDateQuotes += 1 }
            }
        }
        #expect(quoteNewer > 100 && bookNewer > 300 && outOfDateQuotes > 50, "\(quoteNewer) quote-newer, \(bookNewer) book-newer (\(outOfDateQuotes) with another top)")
    }

    /// An instrument on an 8-decimal grid (the entry's minimum scale).
    static func instrument(_ source: SourceId) throws -> Instrument {
        Instrument(
            symbol: SymbolId(0), source: source, exchangeSymbol: "X", tickSize: try Price("0.00000001"), stepSize: try Quantity("0.00000001"),
            minQuantity: try Quantity("0.00000001"), minNotional: ExactDecimal(0), contractSize: ExactDecimal(1))
    }

    /// The reference: the quote on top when at least as recent as the book, then the book's levels
    /// strictly behind it, best first, eight a side in all.
    static func entry(
        bids: PriceLadder, asks: PriceLadder, lastUpdateId: UInt64, quote: (bid: BookLevel, ask: BookLevel, updateId: UInt64)?
    ) -> (bids: [BookLevel], asks: [BookLevel]) {
        let onTop = quote.flatMap { $0.updateId >= lastUpdateId ? $0 : nil }
        var bidLevels = onTop.map { [$0.bid] } ?? []
        var askLevels = onTop.map { [$0.ask] } ?? []
        for depth in 0..<bids.count where bidLevels.count < PriceStore.levelsPerSide {
            let level = bids.level(depth)
            if let onTop, level.price >= onTop.bid.price { continue }
            bidLevels.append(level)
        }
        for depth in 0..<asks.count where askLevels.count < PriceStore.levelsPerSide {
            let level = asks.level(depth)
            if let onTop, level.price <= onTop.ask.price { continue }
            askLevels.append(level)
        }
        return (bidLevels, askLevels)
    }
}

/// How long a gateway waits before asking again for a depth snapshot that failed.
@Suite struct SnapshotRetryTests {
    @Test func waitsDoubleUpToAMinuteWithFloorsForRateLimitsAndBans() {
        let waits = (1...10).map { FeedConnection.snapshotRetryMillis(failures: $0, httpStatus: 400) }
        #expect(waits == [500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
        #expect(FeedConnection.snapshotRetryMillis(failures: 1, httpStatus: nil) == 500, "a refused connection")
        #expect(FeedConnection.snapshotRetryMillis(failures: 1, httpStatus: 429) == 10_000)
        #expect(FeedConnection.snapshotRetryMillis(failures: 9, httpStatus: 429) == 60_000)
        #expect(FeedConnection.snapshotRetryMillis(failures: 1, httpStatus: 418) == 120_000)
        #expect(FeedConnection.snapshotRetryMillis(failures: 1_000_000, httpStatus: 503) == 60_000, "no overflow")
    }
}

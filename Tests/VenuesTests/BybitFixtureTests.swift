import DraizerCore
import Foundation
import OrderBook
import TestSupport
import Testing
import Venues

@Suite struct BybitFixtureTests {
    @Test func everyFixtureFrameParses() throws {
        var depth = DepthMessage()
        var ticker = BybitTicker()
        var counts: [String: Int] = [:]
        for file in try Fixtures.files("bybit/ws", suffix: ".jsonl") {
            for frame in try Fixtures.lines(file) {
                try frame.withUnsafeBytes { raw in
                    if file.contains("orderbook") {
                        try BybitOrderBookParser.parse(raw, into: &depth)
                        #expect(!depth.bids.isEmpty || !depth.asks.isEmpty || !depth.isSnapshot)
                    } else if file.contains("tickers") {
                        try BybitTickerParser.parse(raw, into: &ticker)
                    } else {
                        // Trades, klines, subscribe requests and acks are not book data.
                        #expect(throws: VenueParseError.self) { try BybitOrderBookParser.parse(raw, into: &depth) }
                        #expect(throws: VenueParseError.self) { try BybitTickerParser.parse(raw, into: &ticker) }
                    }
                }
                counts[file, default: 0] += 1
            }
        }
        #expect(counts.values.reduce(0, +) == 3256)
        try Fixtures.bytes("bybit/rest/docs-orderbook.json").withUnsafeBytes { raw in
            try BybitOrderBookParser.parseRESTSnapshot(raw, into: &depth)
        }
        #expect(depth.isSnapshot && !depth.bids.isEmpty)
    }

    @Test func tickerDeltasMergeAndCarryFunding() throws {
        var state = BybitTickerState()
        var ticker = BybitTicker()
        for frame in try Fixtures.lines("bybit/replay/perp-BTCUSDT/tickers.jsonl").prefix(2) {
            try frame.withUnsafeBytes { try BybitTickerParser.parse($0, into: &ticker) }
            state.received(ticker)
        }
        #expect(state.current.fundingRate == "0.0001")
        #expect(state.current.nextFundingTimeMillis == 1_786_320_000_000)
        #expect(state.current.fundingIntervalHours == 8)
        #expect(state.current.bidSize == "6.054", "the delta's size replaced the snapshot's")
        #expect(state.current.askSize == "10.486")
        let funding = try #require(state.current.funding)
        #expect(funding.rate == "0.0001" && funding.intervalMillis == 28_800_000 && funding.markPrice == "65117.44")
    }

    /// On linear perpetuals the level-1 book is the top of book; tickers give funding only (their
    /// bid1/ask1 come every 100 ms against the level-1 book's 10 ms).
    @Test func linearTopOfBookIsTheLevelOneBookAndTickersGiveFunding() throws {
        var feed = QuoteFeed(source: SourceId(exchange: .bybit, market: .perp))
        var quote = TopOfBookQuote()
        var fundingFrames = 0
        for frame in try Fixtures.lines("bybit/replay/perp-BTCUSDT/tickers.jsonl") {
            let complete = try frame.withUnsafeBytes { try feed.parse($0, into: &quote) }
            #expect(!complete, "a ticker is not a quote")
            if feed.frameCarriedFunding {
                fundingFrames += 1
                #expect(feed.funding.rate == "0.0001" && feed.funding.intervalMillis == 28_800_000)
            }
        }
        #expect(fundingFrames > 0)
        let level1 = Array(
            #"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1786310818200,"data":{"s":"BTCUSDT","b":[["65114.20","5.974"]],"a":[["65114.30","9.060"]],"u":8812345,"seq":753845000043},"cts":1786310818198}"#
                .utf8)
        let complete = try level1.withUnsafeBytes { try feed.parse($0, into: &quote) }
        #expect(complete && !feed.frameCarriedFunding)
        #expect(quote.bidPrice == "65114.20" && quote.bidQuantity == "5.974" && quote.askPrice == "65114.30" && quote.askQuantity == "9.060")
        #expect(quote.updateId == 753_845_000_043, "the cross sequence, which orderbook.50 shares")
        #expect(String(decoding: level1[quote.symbol], as: UTF8.self) == "BTCUSDT")
        #expect(BybitSubscriptions(market: .perp).topics(exchangeSymbol: "BTCUSDT") == ["orderbook.1.BTCUSDT", "orderbook.50.BTCUSDT", "tickers.BTCUSDT"])
    }

    /// Replays each recorded book: no gaps, the manifest's final state, and for linear perps every
    /// ticker bid1/ask1 inside the book's window equal to the book at an adjacent sequence:
    /// 755 of 755 (ticker `cs` never equals a book `seq`, so "adjacent" means the last book
    /// state at or before `cs`, or the one right after it).
    @Test func replayManifestsHold() throws {
        var matchedTotal = 0
        var pointsTotal = 0
        for name in ["perp-BTCUSDT", "perp-DOGEUSDT", "perp-ETHUSDT", "perp-SOLUSDT", "spot-BTCUSDT", "spot-ETHUSDT"] {
            let directory = "bybit/replay/\(name)"
            let manifest = try Fixtures.json("\(directory)/manifest.json")
            let frames = try Fixtures.lines("\(directory)/orderbook-200.jsonl")
            var message = DepthMessage()
            var parsed: [DepthMessage] = []
            var priceScale = 0
            var quantityScale = 0
            for frame in frames {
                try frame.withUnsafeBytes { try BybitOrderBookParser.parse($0, into: &message) }
                for level in message.bids + message.asks {
                    priceScale = max(priceScale, Int(level.price.scale))
                    quantityScale = max(quantityScale, Int(level.quantity.scale))
                }
                parsed.append(message)
            }
            var sync = BybitDepthSync(priceScale: priceScale, quantityScale: quantityScale)
            var states: [(sequence: UInt64, bid: Int64, ask: Int64)] = []
            var faults = 0
            for message in parsed {
                switch sync.diffReceived(message) {
                case .applied:
                    states.append((message.sequence, sync.book.bids.best!.price, sync.book.asks.best!.price))
                case .resyncNeeded: faults += 1
                case .dropped, .buffered: Issue.record("\(name): nothing precedes the snapshot")
                }
            }
            #expect(faults == 0, "\(name)")
            #expect(parsed.count == manifest["messages"] as? Int)
            #expect(sync.book.lastUpdateId == (manifest["final_u"] as? NSNumber)?.uint64Value)
            let final = manifest["final_top_of_book"] as! [String: String]
            let book = sync.book
            #expect(book.price(book.bids.best!.price).decimal == ExactDecimal(stringLiteral: final["bid"]!), "\(name)")
            #expect(book.quantity(book.bids.best!.quantity).decimal == ExactDecimal(stringLiteral: final["bidQty"]!))
            #expect(book.price(book.asks.best!.price).decimal == ExactDecimal(stringLiteral: final["ask"]!))
            #expect(book.quantity(book.asks.best!.quantity).decimal == ExactDecimal(stringLiteral: final["askQty"]!))

            guard name.hasPrefix("perp") else { continue }
            var state = BybitTickerState()
            var ticker = BybitTicker()
            var points = 0
            var matched = 0
            for frame in try Fixtures.lines("\(directory)/tickers.jsonl") {
                try frame.withUnsafeBytes { try BybitTickerParser.parse($0, into: &ticker) }
                state.received(ticker)
                let current = state.current
                guard let bid = current.bidPrice, let ask = current.askPrice,
                    current.crossSequence >= states.first!.sequence, current.crossSequence <= states.last!.sequence
                else { continue }
                points += 1
                let fixedBid = try bid.mantissa(atScale: priceScale)
                let fixedAsk = try ask.mantissa(atScale: priceScale)
                let at = states.lastIndex { $0.sequence <= current.crossSequence }!
                let candidates = [at, at + 1].filter { $0 < states.count }
                if candidates.contains(where: { states[$0].bid == fixedBid && states[$0].ask == fixedAsk }) { matched += 1 }
            }
            #expect(points == manifest["ticker_points_with_bid1_ask1_inside_window"] as? Int, "\(name) points")
            #expect(matched == manifest["ticker_prices_equal_book_at_adjacent_seq"] as? Int, "\(name) matched")
            matchedTotal += matched
            pointsTotal += points
        }
        #expect(matchedTotal == 755)
        #expect(pointsTotal == 755)
    }

    @Test func gapAndReset() throws {
        let frames = try Fixtures.lines("bybit/replay/perp-ETHUSDT/orderbook-200.jsonl")
        var message = DepthMessage()
        var sync = BybitDepthSync(priceScale: 2, quantityScale: 2)
        var outcomes: [DepthSyncAction] = []
        for (index, frame) in frames.enumerated() where index != 10 {
            try frame.withUnsafeBytes { try BybitOrderBookParser.parse($0, into: &message) }
            outcomes.append(sync.diffReceived(message))
        }
        #expect(outcomes.filter { if case .resyncNeeded = $0 { true } else { false } }.count == 1)
        #expect(!sync.book.isVerified, "after the gap the book waits for a snapshot")
        // Resubscribing brings a snapshot: the book is whole again.
        try frames[0].withUnsafeBytes { try BybitOrderBookParser.parse($0, into: &message) }
        #expect(sync.diffReceived(message) == .applied)
        #expect(sync.book.isVerified)
    }
}

import DraizerCore
import Foundation
import OrderBook
import TestSupport
import Testing
import Venues

@Suite struct GateIOFixtureTests {
    /// A ticker push whose `time` (seconds) is past what 64-bit milliseconds hold is refused: its
    /// conversion once trapped, ending the gateway.
    @Test func aTimeTooLargeForMillisecondsIsRefused() throws {
        var funding = FundingUpdate()
        let frame = Array(
            #"{"time":9999999999999999999,"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT","funding_rate":"0.0001"}]}"#
                .utf8)
        #expect(throws: VenueParseError.outOfRange("time")) { try frame.withUnsafeBytes { try GateIOFundingParser.parseTickers($0, into: &funding) } }
        let contracts = Array(#"[{"name":"BTC_USDT","funding_rate":"0.0001","funding_next_apply":99999999999999999,"funding_interval":-8}]"#.utf8)
        let update = try #require(try GateIOFundingParser.parseContracts(contracts)["BTC_USDT"])
        #expect(update.nextSettlementMillis == 0 && update.intervalMillis == 0)
    }

    @Test func everyFixtureFrameParses() throws {
        var depth = DepthMessage()
        var quote = TopOfBookQuote()
        var funding = FundingUpdate()
        var frames = 0
        for file in try Fixtures.files("gateio/ws", suffix: ".jsonl") {
            for frame in try Fixtures.lines(file) {
                try frame.withUnsafeBytes { raw in
                    if file.contains("order-book-update") {
                        try GateIOOrderBookParser.parseUpdate(raw, into: &depth)
                    } else if file.contains("book-ticker") || file.contains("spot-tickers") {
                        try GateIOTickerParser.parse(raw, into: &quote)
                    } else if file.contains("perp-tickers") {
                        try GateIOFundingParser.parseTickers(raw, into: &funding)
                        #expect(funding.rate == "-0.000114")
                    } else {
                        #expect(throws: VenueParseError.self) { try GateIOOrderBookParser.parseUpdate(raw, into: &depth) }
                        #expect(throws: VenueParseError.self) { try GateIOTickerParser.parse(raw, into: &quote) }
                    }
                }
                frames += 1
            }
        }
        #expect(frames == 736)
        for file in try Fixtures.files("gateio/rest", suffix: ".json") where file.contains("depth-snapshot") {
            try Fixtures.bytes(file).withUnsafeBytes { try GateIOOrderBookParser.parseSnapshot($0, into: &depth) }
            #expect(depth.finalUpdateId > 0)
        }
        // A snapshot requested without with_id=true cannot anchor the diff chain: a clear error.
        let withoutId = Array(#"{"current":1,"update":1,"asks":[["1","1"]],"bids":[]}"#.utf8)
        #expect(throws: VenueParseError.missingField("id (request the snapshot with with_id=true)")) {
            try withoutId.withUnsafeBytes { try GateIOOrderBookParser.parseSnapshot($0, into: &depth) }
        }
    }

    /// Each replay applies as the manifest says, and futures book tickers aligned with an applied
    /// update equal the rebuilt book: 17 of 17.
    @Test func replayManifestsHold() throws {
        var aligned = 0
        var directories = try FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent("gateio/replay").path)
        directories.sort()
        for name in directories {
            let directory = "gateio/replay/\(name)"
            let manifest = try Fixtures.json("\(directory)/manifest.json")
            var snapshot = DepthMessage()
            try Fixtures.bytes("\(directory)/depth-snapshot.json").withUnsafeBytes { try GateIOOrderBookParser.parseSnapshot($0, into: &snapshot) }
            var updates: [DepthMessage] = []
            var message = DepthMessage()
            var priceScale = 0
            var quantityScale = 0
            for frame in try Fixtures.lines("\(directory)/order-book-update.jsonl") {
                try frame.withUnsafeBytes { try GateIOOrderBookParser.parseUpdate($0, into: &message) }
                updates.append(message)
            }
            for level in (updates + [snapshot]).flatMap({ $0.bids + $0.asks }) {
                priceScale = max(priceScale, Int(level.price.scale))
                quantityScale = max(quantityScale, Int(level.quantity.scale))
            }
            var sync = UpdateIdDepthSync(rule: .contiguousRanges, priceScale: priceScale, quantityScale: quantityScale)
            #expect(sync.snapshotReceived(snapshot) == nil, "\(name)")
            var applied = 0
            var dropped = 0
            var tops: [UInt64: [ExactDecimal]] = [:]
            for update in updates {
                switch sync.diffReceived(update) {
                case .applied:
                    applied += 1
                    let book = sync.book
                    tops[update.finalUpdateId] = [
                        book.price(book.bids.best!.price).decimal, book.quantity(book.bids.best!.quantity).decimal,
                        book.price(book.asks.best!.price).decimal, book.quantity(book.asks.best!.quantity).decimal,
                    ]
                case .dropped: dropped += 1
                default: Issue.record("\(name): unexpected \(sync.book.integrity)")
                }
            }
            #expect(applied == manifest["updates_applied"] as? Int, "\(name)")
            #expect(dropped == manifest["updates_dropped_before_sync"] as? Int, "\(name)")
            #expect(sync.book.lastUpdateId == (manifest["final_u"] as? NSNumber)?.uint64Value)
            let final = manifest["final_top_of_book"] as! [String: String]
            let book = sync.book
            #expect(book.price(book.bids.best!.price).decimal == ExactDecimal(stringLiteral: final["bid"]!), "\(name)")
            #expect(book.quantity(book.asks.best!.quantity).decimal == ExactDecimal(stringLiteral: final["askQty"]!), "\(name)")

            guard let ids = manifest["aligned_book_ticker_u"] as? [NSNumber] else { continue }
            let wanted = Set(ids.map(\.uint64Value))
            var quote = TopOfBookQuote()
            var matched = 0
            for frame in try Fixtures.lines("\(directory)/book-ticker.jsonl") {
                try frame.withUnsafeBytes { try GateIOTickerParser.parse($0, into: &quote) }
                // The snapshot id itself is an aligned point too.
                let top = quote.updateId == snapshot.finalUpdateId ? Self.top(of: snapshot) : tops[quote.updateId]
                guard wanted.contains(quote.updateId), let top else { continue }
                if top == [quote.bidPrice, quote.bidQuantity, quote.askPrice, quote.askQuantity] { matched += 1 }
            }
            #expect(matched == manifest["book_ticker_aligned_matched_exactly"] as? Int, "\(name) aligned")
            aligned += matched
        }
        #expect(aligned == 17)
    }

    @Test func contractListCarriesFunding() throws {
        let funding = try GateIOFundingParser.parseContracts(Fixtures.bytes("gateio/rest/perp-instruments.json"))
        #expect(funding.count == 302)
        let knc = try #require(funding["KNC_USDT"])
        #expect(knc.rate == "0.0001" && knc.nextSettlementMillis == 1_684_944_000_000 && knc.intervalMillis == 28_800_000)
        #expect(knc.markPrice == "0.6104")
    }

    static func top(of snapshot: DepthMessage) -> [ExactDecimal] {
        let bid = snapshot.bids.max { $0.price < $1.price }!
        let ask = snapshot.asks.min { $0.price < $1.price }!
        return [bid.price, bid.quantity, ask.price, ask.quantity]
    }
}

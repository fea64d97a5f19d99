import DraizerCore
import Foundation
import OrderBook
import TestSupport
import Testing
import Venues

@Suite struct BinanceFixtureTests {
    static let replays = [
        "spot-NKNUSDT", "spot-LRCBTC", "spot-BLZETH", "perp-SUSHIUSDT", "perp-AKROUSDT", "perp-CTKUSDT", "perp-KEEPUSDT",
    ]

    /// Every recorded and documented frame parses, or is reported as a message kind the parser does
    /// not handle (trades, klines, mark price) — never another error.
    @Test func everyFixtureFrameParses() throws {
        var ticker = TopOfBookQuote()
        var depth = DepthMessage()
        var parsed = 0
        for file in try Fixtures.files("binance/ws", suffix: ".jsonl") {
            for frame in try Fixtures.lines(file) {
                try frame.withUnsafeBytes { raw in
                    if file.contains("bookticker") {
                        try BinanceTopOfBookParser.parse(raw, into: &ticker)
                        #expect(ticker.bidPrice <= ticker.askPrice)
                    } else if file.contains("depth-diff") {
                        try BinanceDepthParser.parseDiff(raw, into: &depth)
                        #expect(depth.firstUpdateId <= depth.finalUpdateId)
                    } else if file.contains("partial-depth") {
                        try BinanceDepthParser.parseSnapshot(raw, into: &depth)
                    } else if file.contains("markprice-funding") {
                        var funding = FundingUpdate()
                        try BinanceFundingParser.parse(raw, into: &funding)
                        #expect(funding.rate == "0.00038167" && funding.nextSettlementMillis == 1_562_306_400_000)
                        #expect(funding.markPrice == "11794.15000000" && funding.indexPrice == "11784.62659091")
                    } else {
                        #expect(throws: VenueParseError.unsupportedMessage) { try BinanceTopOfBookParser.parse(raw, into: &ticker) }
                        #expect(throws: VenueParseError.unsupportedMessage) { try BinanceDepthParser.parseDiff(raw, into: &depth) }
                    }
                }
                parsed += 1
            }
        }
        for file in try Fixtures.files("binance/rest", suffix: ".json") where file.contains("depth") {
            try Fixtures.bytes(file).withUnsafeBytes { raw in
                try BinanceDepthParser.parseSnapshot(raw, into: &depth)
                #expect(!depth.bids.isEmpty && !depth.asks.isEmpty)
            }
        }
        #expect(parsed == 1 + 1 + 1 + 1 + 158 + 613 + 764 + 4 + 84 + 177)
    }

    @Test func bookTickerFieldsAreExact() throws {
        var ticker = TopOfBookQuote()
        let frame = Array(#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#.utf8)
        try frame.withUnsafeBytes { raw in
            try BinanceTopOfBookParser.parse(raw, into: &ticker)
            #expect(String(decoding: raw[ticker.symbol], as: UTF8.self) == "BNBUSDT")
        }
        #expect(ticker.updateId == 400_900_217)
        #expect(ticker.bidPrice.description == "25.35190000")
        #expect(ticker.askQuantity.description == "40.66000000")
    }

    /// Replays each recorded session with the exchange's rule and checks the manifest: diffs
    /// applied and dropped, final top of book, and every aligned bookTicker equal to the rebuilt
    /// book (price and quantity) — Binance spot 26/26, USDⓈ-M 50/50.
    @Test func replayManifestsHold() throws {
        var matchedByMarket: [String: Int] = [:]
        for name in Self.replays {
            let directory = "binance/replay/\(name)"
            let manifest = try Fixtures.json("\(directory)/manifest.json")
            let replay = try BinanceReplay(directory: directory)
            #expect(replay.applied == manifest["diffs_applied"] as? Int, "\(name) applied")
            #expect(replay.dropped == manifest["diffs_dropped_before_sync"] as? Int, "\(name) dropped")
            #expect(replay.gaps == 0, "\(name) gaps")
            #expect(replay.sync.book.isVerified)
            #expect(replay.sync.book.lastUpdateId == (manifest["final_update_id"] as? NSNumber)?.uint64Value)
            let final = manifest["final_top_of_book"] as! [String: String]
            let book = replay.sync.book
            #expect(book.price(book.bids.best!.price) == Price(ExactDecimal(stringLiteral: final["bid"]!)))
            #expect(book.quantity(book.bids.best!.quantity) == Quantity(ExactDecimal(stringLiteral: final["bidQty"]!)))
            #expect(book.price(book.asks.best!.price) == Price(ExactDecimal(stringLiteral: final["ask"]!)))
            #expect(book.quantity(book.asks.best!.quantity) == Quantity(ExactDecimal(stringLiteral: final["askQty"]!)))

            let aligned = Set((manifest["aligned_bookticker_u"] as! [NSNumber]).map(\.uint64Value))
            var matched = 0
            var ticker = TopOfBookQuote()
            for frame in try Fixtures.lines("\(directory)/bookticker.jsonl") {
                try frame.withUnsafeBytes { try BinanceTopOfBookParser.parse($0, into: &ticker) }
                guard aligned.contains(ticker.updateId), let top = replay.topByUpdateId[ticker.updateId] else { continue }
                if top == [ticker.bidPrice, ticker.bidQuantity, ticker.askPrice, ticker.askQuantity] { matched += 1 }
            }
            #expect(matched == manifest["bookticker_aligned_matched_exactly"] as? Int, "\(name) aligned points")
            matchedByMarket[String(name.prefix(4)), default: 0] += matched
        }
        #expect(matchedByMarket["spot"] == 26)
        #expect(matchedByMarket["perp"] == 50)
    }

    /// Removing or reordering one diff breaks continuity: that book goes unverified and asks for a
    /// resync; a new snapshot restores it; another symbol's book is untouched.
    @Test(arguments: ["spot-NKNUSDT", "perp-SUSHIUSDT"])
    func missingOrReorderedDiffIsDetectedAndResynced(name: String) throws {
        let directory = "binance/replay/\(name)"
        let other = try BinanceReplay(directory: "binance/replay/spot-LRCBTC")
        for damage in ["remove", "reorder"] {
            var diffs = try Fixtures.lines("\(directory)/depth-diff.jsonl")
            let victim = diffs.count / 2
            if damage == "remove" { diffs.remove(at: victim) } else { diffs.swapAt(victim, victim + 1) }
            let replay = try BinanceReplay(directory: directory, diffs: diffs)
            #expect(replay.gaps >= 1, "\(name) \(damage): the break must be detected")
            #expect(!replay.faultedBooks.isEmpty)
            #expect(other.sync.book.isVerified, "another symbol's book stays verified")

            // Resync: a fresh snapshot of the live state (here: the recorded final state rebuilt from
            // the undamaged stream) restores a verified book that goes on applying diffs.
            var sync = replay.sync
            #expect(!sync.book.isVerified)
            let good = try BinanceReplay(directory: directory)
            var snapshot = DepthMessage()
            snapshot.isSnapshot = true
            snapshot.finalUpdateId = good.sync.book.lastUpdateId
            for depth in 0..<good.sync.book.bids.count {
                let level = good.sync.book.bids.level(depth)
                snapshot.bids.append(LevelUpdate(price: good.sync.book.price(level.price).decimal, quantity: good.sync.book.quantity(level.quantity).decimal))
            }
            for depth in 0..<good.sync.book.asks.count {
                let level = good.sync.book.asks.level(depth)
                snapshot.asks.append(LevelUpdate(price: good.sync.book.price(level.price).decimal, quantity: good.sync.book.quantity(level.quantity).decimal))
            }
            #expect(sync.snapshotReceived(snapshot) == nil)
            #expect(sync.book.isVerified)
            #expect(sync.book.bids.best == good.sync.book.bids.best)
            #expect(sync.book.asks.best == good.sync.book.asks.best)
        }
    }
}

/// Applies a recorded snapshot and its diffs the way a gateway would, remembering the top of
/// book after each applied diff (by its final update id).
struct BinanceReplay {
    var sync: UpdateIdDepthSync
    var applied = 0
    var dropped = 0
    var gaps = 0
    var faultedBooks: [BookFault] = []
    var topByUpdateId: [UInt64: [ExactDecimal]] = [:]

    init(directory: String, diffs: [[UInt8]]? = nil) throws {
        let rule: UpdateIdRule = directory.contains("/perp-") ? .linkedToPrevious : .contiguousRanges
        let snapshotBytes = try Fixtures.bytes("\(directory)/depth-snapshot.json")
        var snapshot = DepthMessage()
        try snapshotBytes.withUnsafeBytes { try BinanceDepthParser.parseSnapshot($0, into: &snapshot) }
        let scales = Self.scales(snapshot)
        sync = UpdateIdDepthSync(rule: rule, priceScale: scales.price, quantityScale: scales.quantity)
        #expect(sync.snapshotReceived(snapshot) == nil)
        var diff = DepthMessage()
        for frame in try diffs ?? Fixtures.lines("\(directory)/depth-diff.jsonl") {
            try frame.withUnsafeBytes { try BinanceDepthParser.parseDiff($0, into: &diff) }
            switch sync.diffReceived(diff) {
            case .applied:
                applied += 1
                let book = sync.book
                if let bid = book.bids.best, let ask = book.asks.best {
                    topByUpdateId[diff.finalUpdateId] = [
                        book.price(bid.price).decimal, book.quantity(bid.quantity).decimal,
                        book.price(ask.price).decimal, book.quantity(ask.quantity).decimal,
                    ]
                }
            case .dropped: dropped += 1
            case .buffered: break
            case .resyncNeeded(let fault):
                gaps += 1
                faultedBooks.append(fault)
            }
        }
    }

    /// The largest number of decimals in the snapshot (Binance pads spot to 8).
    static func scales(_ snapshot: DepthMessage) -> (price: Int, quantity: Int) {
        let levels = snapshot.bids + snapshot.asks
        return (Int(levels.map(\.price.scale).max() ?? 8), Int(levels.map(\.quantity.scale).max() ?? 8))
    }
}

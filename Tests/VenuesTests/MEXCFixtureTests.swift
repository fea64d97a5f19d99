import DraizerCore
import Foundation
import MEXCProto
import OrderBook
import SwiftProtobuf
import TestSupport
import Testing
import Venues

@Suite struct MEXCFixtureTests {
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(Fixtures.lines(path)[0])) as! [String: Any]
    }

    /// The docs publish decoded renderings of the binary frames. Each is encoded here with the
    /// official definitions (generated code), then read back by the zero-allocation reader and by
    /// the generated decoder: both must give the documented values.
    @Test func spotBookTickerFrames() throws {
        let aggre = try Self.json("mexc/ws/docs-spot-aggre-bookticker.jsonl")
        let fields = aggre["publicbookticker"] as! [String: String]
        var wrapper = PushDataV3ApiWrapper()
        wrapper.channel = aggre["channel"] as! String
        wrapper.symbol = aggre["symbol"] as! String
        wrapper.sendTime = (aggre["sendtime"] as! NSNumber).int64Value
        var ticker = PublicAggreBookTickerV3Api()
        ticker.bidPrice = fields["bidprice"]!
        ticker.bidQuantity = fields["bidquantity"]!
        ticker.askPrice = fields["askprice"]!
        ticker.askQuantity = fields["askquantity"]!
        wrapper.publicAggreBookTicker = ticker
        let frame: [UInt8] = try wrapper.serializedBytes()

        var quote = TopOfBookQuote()
        var depth = DepthMessage()
        let content = try frame.withUnsafeBytes { raw in
            let content = try MEXCSpotFrameReader.read(raw, quote: &quote, depth: &depth)
            #expect(String(decoding: raw[quote.symbol], as: UTF8.self) == "BTCUSDT")
            return content
        }
        #expect(content == .bookTicker)
        #expect(quote.bidPrice == "93387.28" && quote.bidQuantity == "3.73485")
        #expect(quote.askPrice == "93387.29" && quote.askQuantity == "7.669875")
        #expect(quote.eventTimeMillis == 1_736_412_092_433)
        let decoded = try PushDataV3ApiWrapper(serializedBytes: frame)
        #expect(decoded.publicAggreBookTicker.askQuantity == "7.669875")

        // The batch form carries the ticker as the first item.
        let batch = try Self.json("mexc/ws/docs-spot-bookticker-batch.jsonl")
        let item = (batch["publicBookTickerBatch"] as! [String: Any])["items"] as! [[String: String]]
        var batchWrapper = PushDataV3ApiWrapper()
        batchWrapper.channel = batch["channel"] as! String
        batchWrapper.symbol = "BTCUSDT"
        var single = PublicBookTickerV3Api()
        single.bidPrice = item[0]["bidPrice"]!
        single.bidQuantity = item[0]["bidQuantity"]!
        single.askPrice = item[0]["askPrice"]!
        single.askQuantity = item[0]["askQuantity"]!
        var batchMessage = PublicBookTickerBatchV3Api()
        batchMessage.items = [single]
        batchWrapper.publicBookTickerBatch = batchMessage
        let batchFrame: [UInt8] = try batchWrapper.serializedBytes()
        #expect(try batchFrame.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) } == .bookTicker)
        #expect(quote.askPrice == "96567.38" && quote.bidQuantity == "3.362925")
    }

    @Test func spotDepthFrames() throws {
        let aggre = try Self.json("mexc/ws/docs-spot-aggre-depth.jsonl")
        let body = aggre["publicincreasedepths"] as! [String: Any]
        var depthMessage = PublicAggreDepthsV3Api()
        depthMessage.bids = (body["bidsList"] as! [[String: String]]).map { level in
            var item = PublicAggreDepthV3ApiItem()
            item.price = level["price"]!
            item.quantity = level["quantity"]!
            return item
        }
        depthMessage.fromVersion = body["fromVersion"] as! String
        depthMessage.toVersion = body["toVersion"] as! String
        depthMessage.eventType = body["eventtype"] as! String
        var wrapper = PushDataV3ApiWrapper()
        wrapper.channel = aggre["channel"] as! String
        wrapper.symbol = "BTCUSDT"
        wrapper.publicAggreDepths = depthMessage
        let frame: [UInt8] = try wrapper.serializedBytes()
        var quote = TopOfBookQuote()
        var depth = DepthMessage()
        #expect(try frame.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) } == .depth)
        #expect(depth.firstUpdateId == 10_589_632_359 && depth.finalUpdateId == 10_589_632_359)
        #expect(depth.bids == [LevelUpdate(price: "92877.58", quantity: "0.00000000")])
        #expect(depth.asks.isEmpty && !depth.isSnapshot)

        let limit = try Self.json("mexc/ws/docs-spot-limit-depth.jsonl")
        let limitBody = limit["publiclimitdepths"] as! [String: Any]
        var limitMessage = PublicLimitDepthsV3Api()
        limitMessage.asks = (limitBody["asksList"] as! [[String: String]]).map { level in
            var item = PublicLimitDepthV3ApiItem()
            item.price = level["price"]!
            item.quantity = level["quantity"]!
            return item
        }
        limitMessage.version = limitBody["version"] as! String
        var limitWrapper = PushDataV3ApiWrapper()
        limitWrapper.symbol = "BTCUSDT"
        limitWrapper.publicLimitDepths = limitMessage
        let limitFrame: [UInt8] = try limitWrapper.serializedBytes()
        #expect(try limitFrame.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) } == .depth)
        #expect(depth.isSnapshot && depth.finalUpdateId == 36_913_565_463 && depth.asks.first?.price == "93180.18")

        // Deals are another channel: left to the generated decoder.
        var deals = PushDataV3ApiWrapper()
        deals.symbol = "BTCUSDT"
        deals.publicAggreDeals = PublicAggreDealsV3Api()
        let dealsFrame: [UInt8] = try deals.serializedBytes()
        #expect(try dealsFrame.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) } == .other)
    }

    @Test func malformedProtobufIsAnError() throws {
        var wrapper = PushDataV3ApiWrapper()
        wrapper.symbol = "BTCUSDT"
        var ticker = PublicBookTickerV3Api()
        ticker.bidPrice = "1.5"
        ticker.bidQuantity = "1"
        ticker.askPrice = "1.4"  // crossed
        ticker.askQuantity = "1"
        wrapper.publicBookTicker = ticker
        let frame: [UInt8] = try wrapper.serializedBytes()
        var quote = TopOfBookQuote()
        var depth = DepthMessage()
        #expect(throws: VenueParseError.crossedQuote) { try frame.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) } }
        // A prefix ending on a field boundary is itself a valid protobuf message; what matters is
        // that no truncation ever yields a quote.
        ticker.askPrice = "1.6"
        wrapper.publicBookTicker = ticker
        let good: [UInt8] = try wrapper.serializedBytes()
        for length in 1..<good.count {
            let prefix = Array(good[0..<length])
            let content = try? prefix.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) }
            #expect(content == nil || content == .other, "prefix of \(length) bytes")
        }
        #expect(try good.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) } == .bookTicker)
        ticker.askPrice = "NaN"
        wrapper.publicBookTicker = ticker
        let nan: [UInt8] = try wrapper.serializedBytes()
        #expect(throws: VenueParseError.invalidDecimal("askPrice", .notANumber)) {
            try nan.withUnsafeBytes { try MEXCSpotFrameReader.read($0, quote: &quote, depth: &depth) }
        }
    }

    /// On the contract market the top of book is `depth.full` (the best levels with their sizes and
    /// the book's version, a book-shaped quote); tickers give funding only (bid1/ask1 without sizes
    /// or version could never be ordered against the book).
    @Test func contractTopOfBookIsTheFullDepthPushAndTickersGiveFunding() throws {
        let perp = SourceId(exchange: .mexc, market: .perp)
        let depthFeed = DepthFeed(source: perp)
        var quoteFeed = QuoteFeed(source: perp)
        var depth = DepthMessage()
        var quote = TopOfBookQuote()
        var pushes: [(frame: [UInt8], bid: String, bidSize: String, ask: String, askSize: String, version: UInt64)] = []
        var tickers = 0
        for file in try Fixtures.files("mexc/ws", suffix: ".jsonl") where file.contains("perp") {
            for frame in try Fixtures.lines(file) {
                let text = String(decoding: frame, as: UTF8.self)
                if text.contains("\"push.depth.full\"") {
                    #expect(try frame.withUnsafeBytes { try depthFeed.read($0, depth: &depth, quote: &quote) } == .quote)
                    pushes.append((frame, quote.bidPrice.description, quote.bidQuantity.description, quote.askPrice.description,
                        quote.askQuantity.description, quote.updateId))
                    #expect(String(decoding: frame[quote.symbol], as: UTF8.self).hasSuffix("_USDT"))
                    // What `draizer discover --validate` reads: the same quote through `QuoteFeed`.
                    let fromDepthFeed = quote
                    #expect(try frame.withUnsafeBytes { try quoteFeed.parse($0, into: &quote) } && quote == fromDepthFeed)
                } else if text.contains("\"push.ticker\"") {
                    #expect(try frame.withUnsafeBytes { try depthFeed.read($0, depth: &depth, quote: &quote) } == .other)
                    let complete = try frame.withUnsafeBytes { try quoteFeed.parse($0, into: &quote) }
                    #expect(!complete && quoteFeed.frameCarriedFunding, "a ticker gives funding, not a quote")
                    tickers += 1
                }
            }
        }
        #expect(tickers == 3)
        #expect(pushes.map { "\($0.bid) \($0.bidSize) \($0.ask) \($0.askSize) \($0.version)" }.sorted() == [
            "0.7541 374 0.7542 1484 197614550", "31708 3210 31708.5 74950 5194972869",
        ])
        // A push is never taken as a snapshot of the whole book.
        #expect(throws: VenueParseError.unsupportedMessage) { try pushes[0].frame.withUnsafeBytes { try depthFeed.parseDiff($0, into: &depth) } }
        let topics = MEXCContractSubscriptions().topics(exchangeSymbol: "BTC_USDT")
        #expect(topics == ["depth.full|BTC_USDT", "depth|BTC_USDT", "funding.rate|BTC_USDT", "ticker|BTC_USDT"])
        #expect(MEXCContractSubscriptions().subscribeFrames(Array(topics.prefix(2)), nowMillis: 0) == [
            #"{"method":"sub.depth.full","param":{"symbol":"BTC_USDT","limit":5}}"#, #"{"method":"sub.depth","param":{"symbol":"BTC_USDT"}}"#,
        ])
    }

    @Test func everyContractFixtureParses() throws {
        var quote = TopOfBookQuote()
        var depth = DepthMessage()
        var funding = FundingUpdate()
        var counts: [MEXCContractParser.Channel: Int] = [:]
        var unsupported = 0
        for file in try Fixtures.files("mexc/ws", suffix: ".jsonl") where file.contains("perp") {
            for frame in try Fixtures.lines(file) {
                do {
                    let channel = try frame.withUnsafeBytes { try MEXCContractParser.parse($0, quote: &quote, depth: &depth, funding: &funding) }
                    counts[channel, default: 0] += 1
                } catch let error as VenueParseError where error == .unsupportedMessage {
                    unsupported += 1
                }
            }
        }
        #expect(counts[.ticker] == 3 && counts[.depth] == 5 && counts[.fundingRate] == 1)
        #expect(unsupported == 10, "deals, klines, index and fair prices, all-tickers")

        let ticker = Array(#"{"channel":"push.ticker","data":{"ask1":6866.5,"bid1":6865,"fundingRate":0.0008,"fairPrice":6867.4,"timestamp":1587442022003},"symbol":"BTC_USDT","ts":1587442022003}"#.utf8)
        #expect(try ticker.withUnsafeBytes { try MEXCContractParser.parse($0, quote: &quote, depth: &depth, funding: &funding) } == .ticker)
        #expect(quote.bidPrice == "6865" && quote.askPrice == "6866.5" && funding.rate == "0.0008" && funding.markPrice == "6867.4")

        try Fixtures.bytes("mexc/rest/recorded-perp-depth-snapshot-BTC_USDT.json").withUnsafeBytes {
            try MEXCContractParser.parseDepthSnapshot($0, into: &depth)
        }
        #expect(depth.isSnapshot && depth.finalUpdateId == 30_094_456_680 && depth.bids.first?.price == "87631.4")
        try Fixtures.bytes("mexc/rest/recorded-perp-funding-rate-BTC_USDT.json").withUnsafeBytes {
            try MEXCContractParser.parseFundingRate($0, into: &funding)
        }
        #expect(funding.rate == "0.0001" && funding.nextSettlementMillis == 1_767_225_600_000 && funding.intervalMillis == 28_800_000)
        try Fixtures.bytes("mexc/rest/recorded-spot-depth-snapshot-BTCUSDT.json").withUnsafeBytes {
            try MEXCSpotDepthParser.parseSnapshot($0, into: &depth)
        }
        #expect(depth.finalUpdateId == 56_222_810_347 && depth.asks.count == 5)
        #expect(throws: VenueParseError.unsupportedMessage) {
            try Array(#"{"success":false,"code":1001,"message":"contract not exist"}"#.utf8).withUnsafeBytes {
                try MEXCContractParser.parseDepthSnapshot($0, into: &depth)
            }
        }
    }

    /// MEXC versions: contract pushes carry one `version` each, spot aggregated depth a
    /// `fromVersion..toVersion` range; both chain without holes from the snapshot's version.
    /// A funding push whose `collectCycle` (hours) is past what 64-bit milliseconds hold is
    /// refused: its conversion once trapped, ending the gateway.
    @Test func aCollectCycleTooLargeForMillisecondsIsRefused() throws {
        var quote = TopOfBookQuote()
        var depth = DepthMessage()
        var funding = FundingUpdate()
        let frame = Array(
            #"{"channel":"push.funding.rate","data":{"rate":0.001,"symbol":"BTC_USDT","collectCycle":9999999999999999999},"ts":1587442022003}"#.utf8)
        #expect(throws: VenueParseError.outOfRange("collectCycle")) {
            try frame.withUnsafeBytes { try MEXCContractParser.parse($0, quote: &quote, depth: &depth, funding: &funding) }
        }
        let eight = Array(#"{"channel":"push.funding.rate","data":{"rate":0.001,"symbol":"BTC_USDT","collectCycle":8},"ts":1}"#.utf8)
        #expect(try eight.withUnsafeBytes { try MEXCContractParser.parse($0, quote: &quote, depth: &depth, funding: &funding) } == .fundingRate)
        #expect(funding.intervalMillis == 8 * 3_600_000)
    }

    @Test func versionChainDetectsGaps() throws {
        var snapshot = DepthMessage()
        try Fixtures.bytes("mexc/rest/recorded-perp-depth-snapshot-BTC_USDT.json").withUnsafeBytes {
            try MEXCContractParser.parseDepthSnapshot($0, into: &snapshot)
        }
        var sync = UpdateIdDepthSync(rule: .contiguousRanges, priceScale: 1, quantityScale: 0)
        #expect(sync.snapshotReceived(snapshot) == nil)
        var quote = TopOfBookQuote()
        var funding = FundingUpdate()
        func push(_ version: UInt64, bid: String) throws -> DepthSyncAction {
            var depth = DepthMessage()
            let frame = Array(#"{"channel":"push.depth","data":{"asks":[],"bids":[[\#(bid),120,1]],"version":\#(version)},"symbol":"BTC_USDT","ts":1}"#.utf8)
            _ = try frame.withUnsafeBytes { try MEXCContractParser.parse($0, quote: &quote, depth: &depth, funding: &funding) }
            return sync.diffReceived(depth)
        }
        #expect(try push(30_094_456_680, bid: "87600") == .dropped)
        #expect(try push(30_094_456_681, bid: "87631.4") == .applied)
        #expect(sync.book.bids.best == BookLevel(price: 876_314, quantity: 120))
        #expect(try push(30_094_456_683, bid: "87631") == .resyncNeeded(.gap(expected: 30_094_456_682, was: 30_094_456_683)))
        #expect(!sync.book.isVerified)
    }
}

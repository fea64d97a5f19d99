import DraizerCore
import Foundation
import MEXCProto
import OrderBook
import TestSupport
import Testing
import Venues

/// Every recorded frame of every venue, cut short and altered in the ways a broken connection, a
/// buggy venue or a hostile peer would, goes through what a gateway does with a frame — read,
/// book kept, quote and funding parsed, control frame classified — and must end in a result or
/// an error, never a trap (a trap ends the gateway, and every book with it).
@Suite(.serialized) struct MutatedFrameTests {
    /// What a gateway does with one frame of `source`, with the books it keeps across frames.
    struct GatewayPath {
        let source: SourceId
        let depthFeed: DepthFeed
        var quoteFeed: QuoteFeed
        var fundingFeed: FundingFeed
        let subscriptions: any VenueSubscriptions
        var sync: any DepthSynchronizer
        var depth = DepthMessage()
        var quote = TopOfBookQuote()
        var funding = FundingUpdate()

        init(source: SourceId) {
            self.source = source
            depthFeed = DepthFeed(source: source)
            quoteFeed = QuoteFeed(source: source)
            fundingFeed = FundingFeed(source: source)
            subscriptions = venueSubscriptions(for: source)
            sync = depthFeed.makeSynchronizer(priceScale: 8, quantityScale: 8)
        }

        mutating func take(_ frame: [UInt8]) {
            frame.withUnsafeBytes { bytes in
                switch try? depthFeed.read(bytes, depth: &depth, quote: &quote) {
                case .depth:
                    if depth.isSnapshot { _ = sync.snapshotReceived(depth) } else { _ = sync.diffReceived(depth) }
                    _ = sync.withBook { $0.isVerified }
                case .quote:
                    convert(quote)
                default:
                    if (try? quoteFeed.parse(bytes, into: &quote)) == true { convert(quote) }
                    _ = try? fundingFeed.parse(bytes, into: &funding)
                    _ = subscriptions.classify(frame)
                }
            }
        }

        func convert(_ quote: TopOfBookQuote) {
            _ = try? quote.bidPrice.mantissa(atScale: 8)
            _ = try? quote.askPrice.mantissa(atScale: 8)
            _ = try? quote.bidQuantity.mantissa(atScale: 8)
            _ = try? quote.askQuantity.mantissa(atScale: 8)
        }

        /// A REST snapshot body, as a gateway loads it after a gap.
        mutating func takeSnapshot(_ body: [UInt8]) {
            body.withUnsafeBytes { bytes in
                if (try? depthFeed.parseSnapshot(bytes, into: &depth)) != nil { _ = sync.snapshotReceived(depth) }
            }
        }
    }

    @Test(.timeLimit(.minutes(2)), arguments: Exchange.allCases)
    func mutatedFramesEndInAnErrorOrAResult(exchange: Exchange) throws {
        var random = SplitMix64(seed: 0xD5A1_2E40 &+ UInt64(exchange.hashValue & 0xFFFF))
        let files = try Fixtures.files("\(exchange.name)/ws", suffix: ".jsonl").map { try Fixtures.lines($0) }
        let snapshots = try Fixtures.files("\(exchange.name)/rest", suffix: ".json").filter { $0.contains("depth") || $0.contains("orderbook") }
            .map { try Fixtures.bytes($0) }
        #expect(!files.isEmpty)
        var paths = MarketKind.allCases.map { GatewayPath(source: SourceId(exchange: exchange, market: $0)) }
        var taken = 0
        // The first frames of each file: every kind of message the venue sends, a few of each (the
        // suite runs beside the timing-sensitive process tests, so it is kept to about a second).
        for frames in files {
            for (number, frame) in frames.prefix(8).enumerated() {
                // The real frame first, so that books exist for the altered ones to break.
                for index in paths.indices { paths[index].take(frame) }
                let altered = FrameMutations.mutations(of: frame, count: 3, using: &random) + (number == 0 && frame.count <= 4096 ? FrameMutations.numberReplacements(of: frame) : [])
                for mutated in altered {
                    for index in paths.indices { paths[index].take(mutated) }
                    taken += 1
                }
            }
        }
        for snapshot in snapshots {
            for mutated in FrameMutations.mutations(of: snapshot, count: 12, using: &random) {
                for index in paths.indices { paths[index].takeSnapshot(mutated) }
                taken += 1
            }
        }
        #expect(taken > files.map { min($0.count, 8) }.reduce(0, +) * 3)
    }

    /// The same amid a recorded session, so that altered diffs meet synced books: each recorded
    /// frame is followed by altered copies, and the snapshot is loaded again every 16 frames (a
    /// gateway resyncs after a break).
    @Test(.timeLimit(.minutes(2)), arguments: Exchange.allCases)
    func mutatedFramesAmidAReplayEndInAnErrorOrAResult(exchange: Exchange) throws {
        var random = SplitMix64(seed: 0x5EED_0777 &+ UInt64(exchange.hashValue & 0xFFFF))
        let directory = Fixtures.root.appendingPathComponent("\(exchange.name)/replay").path
        let sessions = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for session in sessions {
            let market: MarketKind = session.hasPrefix("spot") ? .spot : .perp
            var path = GatewayPath(source: SourceId(exchange: exchange, market: market))
            let snapshot = try? Fixtures.bytes("\(exchange.name)/replay/\(session)/depth-snapshot.json")
            if let snapshot { path.takeSnapshot(snapshot) }
            let frames = try Fixtures.lines("\(exchange.name)/replay/\(session)/stream.jsonl")
            for (number, frame) in frames.prefix(48).enumerated() {
                path.take(frame)
                for mutated in FrameMutations.mutations(of: frame, count: 2, using: &random).suffix(4) { path.take(mutated) }
                if number % 16 == 15, let snapshot { path.takeSnapshot(snapshot) }
            }
        }
    }

    /// MEXC spot's binary frames (protobuf): lengths and varints altered as well as the text in
    /// them. Frames are encoded with the official definitions: a depth diff, a book snapshot and
    /// a book ticker.
    @Test(.timeLimit(.minutes(2))) func mutatedBinaryFramesEndInAnErrorOrAResult() throws {
        var random = SplitMix64(seed: 0x3E8C_0042)
        func levels(_ count: Int, from price: Double, step: Double) -> [(String, String)] {
            (0..<count).map { (String(format: "%.2f", price + Double($0) * step), String(format: "%.5f", Double($0 + 1) * 0.013)) }
        }
        var diff = PublicAggreDepthsV3Api()
        diff.bids = levels(5, from: 65_000, step: -0.01).map { price, quantity in
            var item = PublicAggreDepthV3ApiItem()
            item.price = price
            item.quantity = quantity
            return item
        }
        diff.asks = levels(5, from: 65_000.01, step: 0.01).map { price, quantity in
            var item = PublicAggreDepthV3ApiItem()
            item.price = price
            item.quantity = quantity
            return item
        }
        diff.fromVersion = "10589632359"
        diff.toVersion = "10589632361"
        diff.eventType = "spot@public.aggre.depth.v3.api.pb@10ms"
        var diffWrapper = PushDataV3ApiWrapper()
        diffWrapper.channel = "spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT"
        diffWrapper.symbol = "BTCUSDT"
        diffWrapper.sendTime = 1_736_412_092_433
        diffWrapper.publicAggreDepths = diff
        var book = PublicLimitDepthsV3Api()
        book.bids = levels(20, from: 65_000, step: -0.01).map { price, quantity in
            var item = PublicLimitDepthV3ApiItem()
            item.price = price
            item.quantity = quantity
            return item
        }
        book.version = "10589632358"
        var bookWrapper = PushDataV3ApiWrapper()
        bookWrapper.channel = "spot@public.limit.depth.v3.api.pb@BTCUSDT@20"
        bookWrapper.symbol = "BTCUSDT"
        bookWrapper.publicLimitDepths = book
        var ticker = PublicAggreBookTickerV3Api()
        ticker.bidPrice = "65000.00"
        ticker.bidQuantity = "1.5"
        ticker.askPrice = "65000.01"
        ticker.askQuantity = "0.25"
        var tickerWrapper = PushDataV3ApiWrapper()
        tickerWrapper.channel = "spot@public.aggre.bookTicker.v3.api.pb@100ms@BTCUSDT"
        tickerWrapper.symbol = "BTCUSDT"
        tickerWrapper.publicAggreBookTicker = ticker
        let frames: [[UInt8]] = [try bookWrapper.serializedBytes(), try diffWrapper.serializedBytes(), try tickerWrapper.serializedBytes()]
        var path = GatewayPath(source: SourceId(exchange: .mexc, market: .spot))
        let read = frames.map { frame in frame.withUnsafeBytes { try? path.depthFeed.read($0, depth: &path.depth, quote: &path.quote) } }
        #expect(read == [.depth, .depth, .quote])
        for _ in 0..<1 {
            for frame in frames {
                path.take(frame)
                for mutated in FrameMutations.mutations(of: frame, count: 64, using: &random) { path.take(mutated) }
            }
        }
    }

    /// Instrument lists (`draizer discover`) with each number in turn at the edges of 64-bit
    /// integers: a listing is refused or read, the run never trapped. The small recorded and
    /// documented lists, whose every field is tried.
    @Test(.timeLimit(.minutes(2))) func instrumentListsWithEdgeNumbersAreReadOrRefused() throws {
        let lists: [(SourceId, String)] = [
            (SourceId(exchange: .bybit, market: .spot), "bybit/rest/docs-spot-instruments.json"),
            (SourceId(exchange: .bybit, market: .perp), "bybit/rest/docs-perp-instruments.json"),
            (SourceId(exchange: .okx, market: .spot), "okx/rest/docs-instruments.json"),
            (SourceId(exchange: .mexc, market: .spot), "mexc/rest/recorded-spot-instruments.json"),
            (SourceId(exchange: .mexc, market: .perp), "mexc/rest/recorded-perp-instruments.json"),
        ]
        var tried = 0
        for (source, path) in lists {
            let body = try Fixtures.bytes(path)
            #expect((try? InstrumentListParser.parse(source: source, body: body)) != nil, "\(path)")
            for replaced in FrameMutations.numberReplacements(of: body) {
                _ = try? InstrumentListParser.parse(source: source, body: replaced)
                tried += 1
            }
        }
        #expect(tried > 100)
    }
}

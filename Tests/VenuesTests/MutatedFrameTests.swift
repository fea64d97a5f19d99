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
@Suite struct MutatedFrameTests {
    /// Seeded, so that a failure is reproduced by running the test again.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Numbers a venue should never send, in place of one that it did.
    static let hostileNumbers = [
        "99999999999999999999999999", "-99999999999999999999", "1e308", "1e-400", "NaN", "-0", "", "0.0000000000000000000000001",
        "18446744073709551616", "9223372036854775808", "-9223372036854775808", "\"\"", "null", "[]", "{}", "0x10", "1.2.3", "--1",
        "1" + String(repeating: "0", count: 40), "0." + String(repeating: "0", count: 40) + "1",
    ]

    static func mutations(of frame: [UInt8], count: Int, using random: inout SplitMix64) -> [[UInt8]] {
        var out: [[UInt8]] = []
        // Cut short anywhere (a frame split by a broken aggregator, a closed connection).
        let cuts = frame.count <= 64 ? Array(0..<frame.count) : (0..<64).map { _ in Int.random(in: 0..<frame.count, using: &random) }
        out += cuts.map { Array(frame[..<$0]) }
        let digitRuns = Self.numberRuns(frame)
        for _ in 0..<count {
            var mutated = frame
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !digitRuns.isEmpty:
                let run = digitRuns.randomElement(using: &random)!
                mutated.replaceSubrange(run, with: Array(hostileNumbers.randomElement(using: &random)!.utf8))
            case 1 where !mutated.isEmpty:
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 2 where mutated.count > 1:
                let start = Int.random(in: 0..<mutated.count, using: &random)
                mutated.removeSubrange(start..<min(mutated.count, start + Int.random(in: 1...16, using: &random)))
            case 3 where mutated.count > 1:
                let start = Int.random(in: 0..<mutated.count, using: &random)
                let piece = mutated[start..<min(mutated.count, start + Int.random(in: 1...64, using: &random))]
                mutated.insert(contentsOf: piece, at: Int.random(in: 0...mutated.count, using: &random))
            default:
                let structural: [UInt8] = Array(#"{}[]":,\"#.utf8)
                mutated.insert(structural.randomElement(using: &random)!, at: Int.random(in: 0...mutated.count, using: &random))
            }
            out.append(mutated)
        }
        return out
    }

    /// The byte ranges of the numbers in a frame (digits, a sign, a point, an exponent).
    static func numberRuns(_ frame: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var index = 0
        func isNumberByte(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x2D || byte == 0x65 || byte == 0x45 }
        while index < frame.count {
            guard frame[index] >= 0x30 && frame[index] <= 0x39 else {
                index += 1
                continue
            }
            let start = index
            while index < frame.count, isNumberByte(frame[index]) { index += 1 }
            runs.append(start..<index)
        }
        return runs
    }

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

    /// Each number of a frame in turn replaced by the edges of 64-bit integers: a value the
    /// parser accepts, then scales (seconds to milliseconds, hours to milliseconds), must not
    /// overflow.
    static let edgeNumbers = ["9223372036854775807", "9999999999999999999", "-1", "0"]

    static func numberReplacements(of frame: [UInt8]) -> [[UInt8]] {
        numberRuns(frame).flatMap { run in
            edgeNumbers.map { number in
                var replaced = frame
                replaced.replaceSubrange(run, with: Array(number.utf8))
                return replaced
            }
        }
    }

    @Test(.timeLimit(.minutes(2)), arguments: Exchange.allCases)
    func mutatedFramesEndInAnErrorOrAResult(exchange: Exchange) throws {
        var random = SplitMix64(state: 0xD5A1_2E40 &+ UInt64(exchange.hashValue & 0xFFFF))
        let files = try Fixtures.files("\(exchange.name)/ws", suffix: ".jsonl").map { try Fixtures.lines($0) }
        let snapshots = try Fixtures.files("\(exchange.name)/rest", suffix: ".json").filter { $0.contains("depth") || $0.contains("orderbook") }
            .map { try Fixtures.bytes($0) }
        #expect(!files.isEmpty)
        var paths = MarketKind.allCases.map { GatewayPath(source: SourceId(exchange: exchange, market: $0)) }
        var taken = 0
        for frames in files {
            for (number, frame) in frames.enumerated() {
                // The real frame first, so that books exist for the altered ones to break.
                for index in paths.indices { paths[index].take(frame) }
                let altered = Self.mutations(of: frame, count: 24, using: &random) + (number < 3 ? Self.numberReplacements(of: frame) : [])
                for mutated in altered {
                    for index in paths.indices { paths[index].take(mutated) }
                    taken += 1
                }
            }
        }
        for snapshot in snapshots {
            for mutated in Self.mutations(of: snapshot, count: 24, using: &random) {
                for index in paths.indices { paths[index].takeSnapshot(mutated) }
                taken += 1
            }
        }
        #expect(taken > files.joined().count * 24)
    }

    /// The same amid a recorded session, so that altered diffs meet synced books: each recorded
    /// frame is followed by altered copies, and the snapshot is loaded again every 16 frames (a
    /// gateway resyncs after a break).
    @Test(.timeLimit(.minutes(2)), arguments: Exchange.allCases)
    func mutatedFramesAmidAReplayEndInAnErrorOrAResult(exchange: Exchange) throws {
        var random = SplitMix64(state: 0x5EED_0777 &+ UInt64(exchange.hashValue & 0xFFFF))
        let directory = Fixtures.root.appendingPathComponent("\(exchange.name)/replay").path
        let sessions = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for session in sessions {
            let market: MarketKind = session.hasPrefix("spot") ? .spot : .perp
            var path = GatewayPath(source: SourceId(exchange: exchange, market: market))
            let snapshot = try? Fixtures.bytes("\(exchange.name)/replay/\(session)/depth-snapshot.json")
            if let snapshot { path.takeSnapshot(snapshot) }
            let frames = try Fixtures.lines("\(exchange.name)/replay/\(session)/stream.jsonl")
            for (number, frame) in frames.enumerated() {
                path.take(frame)
                for mutated in Self.mutations(of: frame, count: 16, using: &random).suffix(24) { path.take(mutated) }
                if number % 16 == 15, let snapshot { path.takeSnapshot(snapshot) }
            }
        }
    }

    /// MEXC spot's binary frames (protobuf): lengths and varints altered as well as the text in
    /// them. Frames are encoded with the official definitions: a depth diff, a book snapshot and
    /// a book ticker.
    @Test(.timeLimit(.minutes(2))) func mutatedBinaryFramesEndInAnErrorOrAResult() throws {
        var random = SplitMix64(state: 0x3E8C_0042)
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
        for _ in 0..<40 {
            for frame in frames {
                path.take(frame)
                for mutated in Self.mutations(of: frame, count: 64, using: &random) { path.take(mutated) }
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
            for replaced in Self.numberReplacements(of: body) {
                _ = try? InstrumentListParser.parse(source: source, body: replaced)
                tried += 1
            }
        }
        #expect(tried > 100)
    }
}

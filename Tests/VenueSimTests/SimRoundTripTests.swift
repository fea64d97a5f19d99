import DraizerCore
import Foundation
import OrderBook
import TestSupport
import Testing
import VenueSim
import Venues

/// Everything venue-sim sends is read back by the real parsers and depth synchronisers: the
/// simulator speaks each exchange's protocol well enough for Draizer's own adapters.
@Suite struct SimRoundTripTests {
    /// Top of book as our parser reads it from one of the source's top-of-book frames.
    static func topOfBook(_ source: SourceId, _ frame: [UInt8]) throws -> (bid: ExactDecimal, ask: ExactDecimal) {
        try frame.withUnsafeBytes { raw -> (ExactDecimal, ExactDecimal) in
            var quote = TopOfBookQuote()
            var depth = DepthMessage()
            var funding = FundingUpdate()
            switch (source.exchange, source.market) {
            case (.binance, _): try BinanceTopOfBookParser.parse(raw, into: &quote)
            case (.bybit, _):
                try BybitOrderBookParser.parse(raw, into: &depth)
                #expect(depth.isTopOfBookOnly)
                return (depth.bids[0].price, depth.asks[0].price)
            case (.okx, _):
                try OKXBooksParser.parse(raw, into: &depth)
                #expect(depth.isTopOfBookOnly)
                return (depth.bids[0].price, depth.asks[0].price)
            case (.gateio, _): try GateIOTickerParser.parse(raw, into: &quote)
            case (.mexc, .spot): _ = try MEXCSpotFrameReader.read(raw, quote: &quote, depth: &depth)
            case (.mexc, .perp):
                _ = try MEXCContractParser.parse(raw, quote: &quote, depth: &depth, funding: &funding)
                #expect(depth.isTopOfBookOnly && depth.bids.count == 5 && depth.asks.count == 5)
                return (depth.bids[0].price, depth.asks[0].price)
            }
            return (quote.bidPrice, quote.askPrice)
        }
    }

    @Test(arguments: SourceId.all)
    func everyFrameReadsBackAndBooksStayVerified(source: SourceId) throws {
        let scenario = SimScenario()
        var market = SimMarket(scenario: scenario)
        var sim = SimSource(source: source, scenario: scenario)

        // Discovery: the instrument list parses to exactly the simulated instruments.
        let list = try InstrumentListParser.parse(source: source, body: sim.instrumentsBody(market: market, timeMillis: 1_700_000_000_000))
        #expect(list.excluded.isEmpty, "\(list.excluded)")
        #expect(list.listings.map(\.exchangeSymbol) == sim.instruments.map(\.exchangeSymbol))
        #expect(list.listings.map(\.tickSize) == sim.instruments.map(\.tick))
        #expect(list.listings.map(\.contractSize) == sim.instruments.map(\.contractSize))

        let feed = DepthFeed(source: source)
        var syncs: [Int: any DepthSynchronizer] = [:]
        var time: Int64 = 1_700_000_000_000
        // Cross pairs (ETH-BTC) are listed on spot venues only.
        #expect(sim.instruments.contains { $0.quote == "BTC" } == (source.market == .spot))
        for instrument in sim.instruments {
            // The documented order: subscribe and keep diffs, then fetch the snapshot and replay.
            let index = instrument.symbolIndex
            var sync = feed.makeSynchronizer(priceScale: instrument.priceScale, quantityScale: instrument.quantityScale)
            if let depth = sim.update(symbolIndex: index, market: market, timeMillis: time).depth {
                var early = DepthMessage()
                try depth.withUnsafeBytes { try feed.parseDiff($0, into: &early) }
                #expect(sync.diffReceived(early) != .applied, "nothing applies before a snapshot")
            }
            var snapshot = DepthMessage()
            try sim.depthSnapshot(symbolIndex: index, timeMillis: time).withUnsafeBytes { try feed.parseSnapshot($0, into: &snapshot) }
            #expect(sync.snapshotReceived(snapshot) == nil, "\(source) snapshot")
            #expect(sync.book.isVerified)
            syncs[index] = sync
        }
        var applied = 0
        for step in 0..<300 {
            market.advance(seconds: 0.05)
            time += 50
            let index = sim.instruments[step % sim.instruments.count].symbolIndex
            let update = sim.update(symbolIndex: index, market: market, timeMillis: time)
            let top = try Self.topOfBook(source, update.topOfBook)
            let book = sim.books[index]
            let instrument = book.instrument
            #expect(try top.bid.mantissa(atScale: instrument.priceScale) == book.bestBid!.price)
            #expect(try top.ask.mantissa(atScale: instrument.priceScale) == book.bestAsk!.price)
            #expect(top.bid < top.ask)
            guard let depth = update.depth else { continue }
            var message = DepthMessage()
            try depth.withUnsafeBytes { try feed.parseDiff($0, into: &message) }
            let action = syncs[index]!.diffReceived(message)
            #expect(action == .applied, "\(source) step \(step): \(action)")
            #expect(syncs[index]!.book.bids.best == book.bestBid)
            #expect(syncs[index]!.book.asks.best == book.bestAsk)
            applied += 1
        }
        #expect(applied > 200)
        if let frame = sim.fundingFrame(symbolIndex: 0, market: market, timeMillis: time) {
            let rate = try frame.withUnsafeBytes { raw -> ExactDecimal in
                var funding = FundingUpdate()
                var quote = TopOfBookQuote()
                var depth = DepthMessage()
                switch source.exchange {
                case .binance: try BinanceFundingParser.parse(raw, into: &funding)
                case .okx: try OKXFundingParser.parse(raw, into: &funding)
                case .gateio: try GateIOFundingParser.parseTickers(raw, into: &funding)
                case .mexc: _ = try MEXCContractParser.parse(raw, quote: &quote, depth: &depth, funding: &funding)
                case .bybit:
                    var ticker = BybitTicker()
                    try BybitTickerParser.parse(raw, into: &ticker)
                    var state = BybitTickerState()
                    state.received(ticker)
                    funding = try #require(state.current.funding)
                }
                return funding.rate
            }
            #expect(rate.isPositive)
        }
    }

    /// A skipped sequence number is caught by the source's own continuity rule.
    @Test(arguments: SourceId.all)
    func skippedSequenceIsDetected(source: SourceId) throws {
        let scenario = SimScenario()
        var market = SimMarket(scenario: scenario)
        var sim = SimSource(source: source, scenario: scenario)
        let feed = DepthFeed(source: source)
        let instrument = sim.instruments[0]
        var sync = feed.makeSynchronizer(priceScale: instrument.priceScale, quantityScale: instrument.quantityScale)
        if let depth = sim.update(symbolIndex: 0, market: market, timeMillis: 0).depth {
            var early = DepthMessage()
            try depth.withUnsafeBytes { try feed.parseDiff($0, into: &early) }
            _ = sync.diffReceived(early)
        }
        var snapshot = DepthMessage()
        try sim.depthSnapshot(symbolIndex: 0, timeMillis: 0).withUnsafeBytes { try feed.parseSnapshot($0, into: &snapshot) }
        #expect(sync.snapshotReceived(snapshot) == nil)
        sim.skipSequence(symbolIndex: 0)
        var detected = false
        for _ in 0..<20 where !detected {
            market.advance(seconds: 0.2)
            guard let depth = sim.update(symbolIndex: 0, market: market, timeMillis: 0).depth else { continue }
            var message = DepthMessage()
            try depth.withUnsafeBytes { try feed.parseDiff($0, into: &message) }
            if case .resyncNeeded = sync.diffReceived(message) { detected = true }
        }
        #expect(detected, "\(source)")
        #expect(!sync.book.isVerified)
    }

    @Test func dislocationsMoveOneVenueAndDecay() throws {
        let scenario = try SimScenario.load(
            json: Array(
                #"{"seed":7,"dislocations":[{"atSeconds":20,"symbol":"BTC-USDT","source":"bybit/perp","bps":80,"decaySeconds":40,"side":"bid"}]}"#.utf8))
        var market = SimMarket(scenario: scenario)
        #expect(market.dislocationBps(symbolIndex: 0, source: SourceId(exchange: .bybit, market: .perp), side: .buy) == 0)
        market.advance(seconds: 20)
        #expect(market.dislocationBps(symbolIndex: 0, source: SourceId(exchange: .bybit, market: .perp), side: .buy) == 80)
        #expect(market.dislocationBps(symbolIndex: 0, source: SourceId(exchange: .bybit, market: .perp), side: .sell) == 0)
        #expect(market.dislocationBps(symbolIndex: 0, source: SourceId(exchange: .okx, market: .perp), side: .buy) == 0)
        market.advance(seconds: 20)
        #expect(abs(market.dislocationBps(symbolIndex: 0, source: SourceId(exchange: .bybit, market: .perp), side: .buy) - 40) < 1e-9)
        market.advance(seconds: 25)
        #expect(market.dislocationBps(symbolIndex: 0, source: SourceId(exchange: .bybit, market: .perp), side: .buy) == 0)
    }

    /// A one-sided dislocation through the other side moves the whole book: a seller 60 bps under
    /// the market takes that venue's bids down with him, a spread below; a buyer 80 bps over it
    /// takes the asks up. The dislocated side is where the scenario says, against the others.
    @Test func aOneSidedDislocationThroughTheOtherSideMovesTheBook() throws {
        let scenario = try SimScenario.load(
            json: Array(
                #"{"seed":5,"dislocations":[{"atSeconds":1,"symbol":"ETH-USDT","source":"okx/spot","bps":-60,"decaySeconds":0,"side":"ask"},{"atSeconds":1,"symbol":"ETH-USDT","source":"bybit/perp","bps":80,"decaySeconds":0,"side":"bid"}]}"#.utf8))
        let eth = try #require(scenario.symbols.firstIndex { $0.name == "ETH-USDT" })
        var market = SimMarket(scenario: scenario)
        var noise = SimRandom(seed: 1)
        let okx = SourceId(exchange: .okx, market: .spot)
        let bybitPerp = SourceId(exchange: .bybit, market: .perp)
        let binance = SourceId(exchange: .binance, market: .spot)
        let before = market.quote(symbolIndex: eth, source: okx, noise: &noise)
        market.advance(seconds: 1)
        let lowered = market.quote(symbolIndex: eth, source: okx, noise: &noise)
        let raised = market.quote(symbolIndex: eth, source: bybitPerp, noise: &noise)
        let other = market.quote(symbolIndex: eth, source: binance, noise: &noise)
        func bps(_ a: Double, _ b: Double) -> Double { (a / b - 1) * 10_000 }
        #expect(lowered.bid < lowered.ask && raised.bid < raised.ask, "never crossed or locked")
        #expect(abs((lowered.ask - lowered.bid) / (before.ask - before.bid) - 1) < 0.01, "the venue's spread kept")
        #expect(bps(other.bid, lowered.ask) > 50, "okx's ask is 60 bps under the market: buying there and selling elsewhere pays \(bps(other.bid, lowered.ask)) bps")
        #expect(bps(raised.bid, other.ask) > 70, "bybit's perp bids 80 bps over it: \(bps(raised.bid, other.ask)) bps")
    }

    /// The cross pair follows its two USDT pairs, so a cycle pays nothing until its own
    /// dislocation opens one.
    @Test func crossPairIsPricedFromItsLegsAndDislocatesAlone() throws {
        let scenario = try SimScenario.load(
            json: Array(
                #"{"seed":3,"dislocations":[{"atSeconds":10,"symbol":"ETH-BTC","source":"binance/spot","bps":60,"decaySeconds":0,"side":"bid"}]}"#.utf8))
        let cross = try #require(scenario.symbols.firstIndex { $0.name == "ETH-BTC" })
        let btc = try #require(scenario.symbols.firstIndex { $0.name == "BTC-USDT" })
        let eth = try #require(scenario.symbols.firstIndex { $0.name == "ETH-USDT" })
        var market = SimMarket(scenario: scenario)
        for _ in 0..<20 {
            market.advance(seconds: 1)
            #expect(abs(market.truePrices[cross] - market.truePrices[eth] / market.truePrices[btc]) < 1e-15)
        }
        let binance = SourceId(exchange: .binance, market: .spot)
        #expect(market.dislocationBps(symbolIndex: cross, source: binance, side: .buy) == 60)
        #expect(market.dislocationBps(symbolIndex: eth, source: binance, side: .buy) == 0)
        #expect(SimSource(source: binance, scenario: scenario).instruments.map(\.exchangeSymbol).contains("ETHBTC"))
        #expect(SimSource(source: SourceId(exchange: .okx, market: .spot), scenario: scenario).instruments.contains { $0.exchangeSymbol == "ETH-BTC" })
        #expect(!SimSource(source: SourceId(exchange: .okx, market: .perp), scenario: scenario).instruments.contains { $0.quote == "BTC" })
    }

    @Test func sameSeedSameMarket() {
        var first = SimMarket(scenario: SimScenario(seed: 9))
        var second = SimMarket(scenario: SimScenario(seed: 9))
        for _ in 0..<100 {
            first.advance(seconds: 0.1)
            second.advance(seconds: 0.1)
        }
        #expect(first.truePrices == second.truePrices)
        var other = SimMarket(scenario: SimScenario(seed: 10))
        other.advance(seconds: 0.1)
        #expect(other.truePrices != SimMarket(scenario: SimScenario(seed: 9)).truePrices)
    }

    /// Any 64-bit seed is taken as written, including a random word from 2^63 up.
    @Test(arguments: [(#"{}"#, UInt64(42)), (#"{"seed":0}"#, 0), (#"{"seed":9223372036854775807}"#, UInt64(Int64.max)),
        (#"{"seed":9223372036854775808}"#, UInt64(Int64.max) + 1), (#"{"seed":18446744073709551615}"#, UInt64.max)])
    func seedsOverTheWholeRange(text: String, seed: UInt64) throws {
        #expect(try SimScenario.load(json: Array(text.utf8)).seed == seed)
    }

    @Test(arguments: [
        (#"{"updatesPerSecond":0}"#, "updatesPerSecond"),
        (#"{"depthLevels":500}"#, "depthLevels"),
        (#"{"symbols":[{"base":"BTC","price":"-1"}]}"#, "symbols[0].price"),
        (#"{"dislocations":[{"atSeconds":1,"symbol":"XRP-USDT","source":"okx/spot","bps":5,"decaySeconds":1}]}"#, "dislocations[0].symbol"),
        (#"{"faults":[{"atSeconds":1,"source":"kraken/spot","kind":"drop_connection"}]}"#, "faults[0].source"),
        (#"{"symbols":[{"base":"BTC","price":"1"},{"base":"ETH","quote":"BTC"}]}"#, "a cross pair needs ETH-USDT and BTC-USDT listed"),
        (#"{"symbols":[{"base":"BTC","price":"1"},{"base":"ETH","price":"2"},{"base":"ETH","quote":"BTC","price":"0.1"}]}"#, "symbols[2].price"),
        (#"{"symbols":[{"base":"BTC","price":"1"},{"base":"BTC","price":"2"}]}"#, "name repeats"),
        (#"{"symbols":[{"base":"BTC","price":"1","step":"0.001","lot":"0.0015"}]}"#, "symbols[0].lot"),
        (#"{"faults":[{"atSeconds":1,"source":"okx/spot","kind":"explode"}]}"#, "expected JSON of the scenario shape"),
        // Values that parse but crashed the simulator or silently did nothing.
        (#"{"dislocations":[{"atSeconds":1,"symbol":"BTC-USDT","source":"okx/spot","bps":1e308,"decaySeconds":0}]}"#, "dislocations[0].bps"),
        (#"{"dislocations":[{"atSeconds":1,"symbol":"BTC-USDT","source":"okx/spot","bps":5,"decaySeconds":0,"side":"bids"}]}"#, "dislocations[0].side"),
        (#"{"symbols":[{"base":"BTC","price":"1","volatilityBps":-3}]}"#, "symbols[0].volatilityBps"),
        (#"{"faults":[{"atSeconds":1,"source":"okx/spot","kind":"rest_error","status":42}]}"#, "faults[0].status"),
        (#"{"faults":[{"atSeconds":1,"source":"okx/spot","kind":"latency","latencyMillis":-5}]}"#, "faults[0].latencyMillis"),
        (#"{"faults":[{"atSeconds":-1,"source":"okx/spot","kind":"drop_connection"}]}"#, "faults[0]: expected non-negative times"),
        // Currencies every venue's symbol is built from: an empty or lower-case one made venues
        // list "USDT" or "btcUSDT".
        (#"{"symbols":[{"base":"","price":"5"}]}"#, "symbols[0].base: expected 1-10 capital letters or digits"),
        (#"{"symbols":[{"base":"btc","price":"5"}]}"#, "symbols[0].base"),
        (#"{"symbols":[{"base":"BTC","price":"5"},{"base":"ETH","price":"5"},{"base":"ETH","quote":"B-TC"}]}"#, "symbols[2].quote"),
        // Shape errors name the field (they printed the decoder's whole error, or "not valid JSON"
        // for a negative seed).
        (#"{"seed":-1}"#, "$.seed: expected a non-negative integer, was -1"),
        (#"{"seed":18446744073709551616}"#, "$.seed: expected an integer from 0 to 18446744073709551615, was 1.8446744073709552e+19"),
        (#"{"seed":1.5}"#, "$.seed: expected an integer from 0 to 18446744073709551615, was 1.5"),
        (#"{"seed":"7"}"#, "$.seed: expected an integer from 0 to 18446744073709551615, was another type"),
        (#"{"updatesPerSecond":"fast"}"#, "$.updatesPerSecond: expected Double, was another type"),
        (#"{"symbols":[{"price":"1"}]}"#, #"$.symbols[0]: expected key "base", was missing"#),
        (#"{"dislocations":[{"atSeconds":1}]}"#, #"$.dislocations[0]: expected key "symbol", was missing"#),
        (#"[1]"#, "$: expected Dictionary"),
    ])
    func badScenariosAreNamed(text: String, expected: String) {
        do {
            _ = try SimScenario.load(json: Array(text.utf8))
            Issue.record("accepted a bad scenario")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }
}

/// The simulator understands exactly what Draizer's subscription builders send, and its acks and
/// pongs classify as such on the client side.
@Suite struct SimControlProtocolTests {
    @Test(arguments: SourceId.all)
    func subscribeRequestsAndRepliesRoundTrip(source: SourceId) {
        let client = venueSubscriptions(for: source)
        let server = SimControlProtocol(source: source)
        let topics = client.topics(exchangeSymbol: source.exchange == .okx ? "BTC-USDT" : "BTCUSDT")
        var received: [String] = []
        for frame in client.subscribeFrames(topics, nowMillis: 1_700_000_000_000) {
            let request = server.read(Array(frame.utf8))
            guard case .subscribe(let got, _) = request else {
                Issue.record("\(source): \(request)")
                continue
            }
            received += got
            #expect(client.classify(server.reply(to: request, timeMillis: 1)) == .subscribed, "\(source) ack")
        }
        #expect(received == topics)
        if let ping = client.pingFrame(nowMillis: 1_700_000_000_000) {
            let request = server.read(Array(ping.utf8))
            #expect(request == .ping, "\(source)")
            #expect(client.classify(server.reply(to: request, timeMillis: 1)) == .pong, "\(source) pong")
        }
        for frame in client.unsubscribeFrames(topics, nowMillis: 1) {
            guard case .unsubscribe = server.read(Array(frame.utf8)) else {
                Issue.record("\(source): unsubscribe not understood")
                continue
            }
        }
        // A subscription naming no topic is refused, not acknowledged.
        let empty: String =
            switch source.exchange {
            case .binance: #"{"method":"SUBSCRIBE","params":[],"id":1}"#
            case .bybit: #"{"op":"subscribe","args":[]}"#
            case .okx: #"{"op":"subscribe","args":"x"}"#
            case .gateio: #"{"time":1,"channel":"","event":"subscribe","payload":[]}"#
            case .mexc: source.market == .spot ? #"{"method":"SUBSCRIPTION"}"# : #"{"method":"sub."}"#
            }
        guard case .invalid = server.read(Array(empty.utf8)) else {
            Issue.record("\(source) acknowledged a subscription to nothing: \(empty)")
            return
        }
        let bad = server.read(Array("{\"nonsense\":1}".utf8))
        guard case .invalid = bad else {
            Issue.record("\(source) accepted nonsense")
            return
        }
        if case .error = client.classify(server.reply(to: bad, timeMillis: 1)) {} else {
            Issue.record("\(source): an invalid request must be answered with an error")
        }
    }

    /// A client's requests altered as a broken or hostile client would send them: each is read as
    /// a request or refused, and answered, never trapped on or hung on (venue-sim serves every
    /// connection from one event loop).
    @Test(.timeLimit(.minutes(1)), arguments: SourceId.all)
    func alteredRequestsAreReadOrRefused(source: SourceId) {
        var random = SplitMix64(seed: 0xC11E_0000 &+ UInt64(source.index))
        let client = venueSubscriptions(for: source)
        let server = SimControlProtocol(source: source)
        let topics = client.topics(exchangeSymbol: source.exchange == .okx ? "BTC-USDT" : "BTCUSDT")
        let frames = client.subscribeFrames(topics, nowMillis: 1_700_000_000_000) + client.unsubscribeFrames(topics, nowMillis: 1)
            + [client.pingFrame(nowMillis: 1)].compactMap { $0 }
        var answered = 0
        for frame in frames.map({ Array($0.utf8) }) {
            for altered in FrameMutations.mutations(of: frame, count: 8, using: &random) + FrameMutations.numberReplacements(of: frame) {
                if !server.reply(to: server.read(altered), timeMillis: 1).isEmpty { answered += 1 }
            }
        }
        #expect(answered > frames.count * 8)
    }
}

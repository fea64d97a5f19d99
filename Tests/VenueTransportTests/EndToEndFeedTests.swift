import DraizerCore
import Foundation
import NIOCore
import NIOPosix
import OrderBook
import TestSupport
import Testing
import VenueTransport
import Venues

/// Collects frames from the event loop (copies them: the bytes are only valid in the call).
final class FrameCollector: WebSocketReceiver, @unchecked Sendable {
    // @unchecked Sendable: `frames` and `closed` are guarded by `lock`.
    private let lock = NSLock()
    private var frames: [[UInt8]] = []
    private var closed = false

    func webSocketConnected(_ connection: WebSocketConnection) {}

    func webSocketReceived(_ bytes: UnsafeRawBufferPointer, binary: Bool, connection: WebSocketConnection) {
        lock.withLock { frames.append(Array(bytes)) }
    }

    func webSocketClosed(_ connection: WebSocketConnection, error: Error?) {
        lock.withLock { closed = true }
    }

    func take() -> [[UInt8]] {
        lock.withLock {
            defer { frames.removeAll() }
            return frames
        }
    }

    var isClosed: Bool { lock.withLock { closed } }
}

/// Every source end to end over real sockets: discovery over REST, subscriptions over the
/// WebSocket in the venue's protocol, REST or WS snapshots, diffs kept continuous by the
/// venue's own rule; the books end verified and equal to the simulated venue's top of book.
@Suite(.serialized) struct EndToEndFeedTests {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// A REST depth request gets the levels its `limit` asks for, by the venue's rule, and a
    /// value the venue does not take is refused in the venue's words; the requests Draizer makes
    /// get the whole simulated book (20 levels).
    @Test(.timeLimit(.minutes(1))) func restDepthFollowsTheVenuesLimit() throws {
        let sim = try VenueSimProcess(scenario: #"{"updatesPerSecond":5}"#)
        func levels(_ source: SourceId, _ query: String) throws -> (bids: Int, asks: Int) {
            let path = VenueRESTPaths.depthSnapshot(source, exchangeSymbol: source.exchange == .gateio ? "BTC_USDT" : "BTCUSDT").split(separator: "?")[0]
            let body = try HTTPFetcher.get(TransportURL(sim.rest(source.name)).appending("\(path)?\(query)"), group: Self.group).wait()
            var snapshot = DepthMessage()
            try body.withUnsafeBytes { try DepthFeed(source: source).parseSnapshot($0, into: &snapshot) }
            return (snapshot.bids.count, snapshot.asks.count)
        }
        func refusal(_ source: SourceId, _ query: String) throws -> String {
            do {
                _ = try levels(source, query)
            } catch TransportError.httpStatus(let status, let body) {
                #expect(status == 400)
                return body
            }
            return "answered"
        }
        let binanceSpot = SourceId(exchange: .binance, market: .spot)
        let binancePerp = SourceId(exchange: .binance, market: .perp)
        let gateSpot = SourceId(exchange: .gateio, market: .spot)
        let mexcSpot = SourceId(exchange: .mexc, market: .spot)
        for source in [binanceSpot, mexcSpot] {
            #expect(try levels(source, "symbol=BTCUSDT&limit=5") == (5, 5))
            #expect(try levels(source, "symbol=BTCUSDT&limit=9999") == (20, 20), "cut to 5000: the whole simulated book")
            #expect(try refusal(source, "symbol=BTCUSDT&limit=-1").contains("-1100"))
            #expect(try refusal(source, "symbol=BTCUSDT&limit=abc").contains("-1100"))
        }
        #expect(try levels(binancePerp, "symbol=BTCUSDT&limit=10") == (10, 10))
        #expect(try levels(binancePerp, "symbol=BTCUSDT") == (20, 20), "default 500")
        #expect(try refusal(binancePerp, "symbol=BTCUSDT&limit=7").contains("-1130"))
        #expect(try levels(gateSpot, "currency_pair=BTC_USDT&with_id=true") == (10, 10), "default 10")
        #expect(try levels(gateSpot, "currency_pair=BTC_USDT&limit=3&with_id=true") == (3, 3))
        #expect(try refusal(gateSpot, "currency_pair=BTC_USDT&limit=101&with_id=true").contains("INVALID_PARAM_VALUE"))
        for source in SourceId.all where source.exchange != .bybit && source.exchange != .okx {
            let symbol = source.exchange == .gateio ? "BTC_USDT" : source.exchange == .mexc && source.market == .perp ? "BTC_USDT" : "BTCUSDT"
            let body = try HTTPFetcher.get(
                TransportURL(sim.rest(source.name)).appending(VenueRESTPaths.depthSnapshot(source, exchangeSymbol: symbol)), group: Self.group
            ).wait()
            var snapshot = DepthMessage()
            try body.withUnsafeBytes { try DepthFeed(source: source).parseSnapshot($0, into: &snapshot) }
            #expect(snapshot.bids.count == 20 && snapshot.asks.count == 20, "\(source)")
        }
    }

    @Test(.timeLimit(.minutes(2)), arguments: SourceId.all)
    func sourceFeedsVerifiedBooks(source: SourceId) throws {
        let sim = try VenueSimProcess(scenario: #"{"updatesPerSecond":50}"#)
        let rest = try TransportURL(sim.rest(source.name))
        let listBody = try HTTPFetcher.get(rest.appending(VenueRESTPaths.instruments(source)), group: Self.group).wait()
        let listings = try InstrumentListParser.parse(source: source, body: listBody).listings
        // BTC, ETH, SOL and DOGE against USDT, and ETH-BTC on the spot venues.
        #expect(listings.count == (source.market == .spot ? 5 : 4))
        #expect(listings.contains { $0.symbolName == "ETH-BTC" } == (source.market == .spot))

        let collector = FrameCollector()
        let connection = try WebSocketConnection.connect(to: TransportURL(sim.webSocket(source.name)), group: Self.group) { collector }.wait()
        defer { connection.close() }
        let subscriptions = venueSubscriptions(for: source)
        let plan = subscriptions.plan(exchangeSymbols: listings.map(\.exchangeSymbol))
        #expect(plan.count == 1)
        for frame in plan[0].subscribeFrames { connection.send(frame) }

        let feed = DepthFeed(source: source)
        var syncs: [String: any DepthSynchronizer] = [:]
        for listing in listings {
            syncs[listing.exchangeSymbol] = feed.makeSynchronizer(
                priceScale: Int(listing.tickSize.scale), quantityScale: Int(listing.stepSize.scale))
        }
        var acks = 0
        var applied = 0
        var snapshotsFetched = false
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && (applied < 40 || acks == 0) {
            for frame in collector.take() {
                var message = DepthMessage()
                let parsed = frame.withUnsafeBytes { raw -> Bool in (try? feed.parseDiff(raw, into: &message)) != nil }
                guard parsed else {
                    if subscriptions.classify(frame) == .subscribed { acks += 1 }
                    continue
                }
                let symbol = frame.withUnsafeBytes { String(decoding: $0[message.symbol], as: UTF8.self) }
                guard var sync = syncs[symbol] else {
                    Issue.record("\(source): frame for unknown symbol \(symbol)")
                    continue
                }
                if case .applied = sync.diffReceived(message) { applied += 1 }
                syncs[symbol] = sync
            }
            // REST-snapshot venues: fetch once diffs are flowing (they are kept meanwhile).
            if !snapshotsFetched, !subscriptions.snapshotOnSocket(source), acks > 0 {
                usleep(100_000)
                for listing in listings {
                    let path = VenueRESTPaths.depthSnapshot(source, exchangeSymbol: listing.exchangeSymbol)
                    let body = try HTTPFetcher.get(rest.appending(path), group: Self.group).wait()
                    var snapshot = DepthMessage()
                    try body.withUnsafeBytes { try feed.parseSnapshot($0, into: &snapshot) }
                    var sync = syncs[listing.exchangeSymbol]!
                    #expect(sync.snapshotReceived(snapshot) == nil, "\(source) \(listing.exchangeSymbol)")
                    syncs[listing.exchangeSymbol] = sync
                }
                snapshotsFetched = true
            }
            usleep(20_000)
        }
        #expect(acks > 0, "\(source): no subscription ack")
        #expect(applied >= 40, "\(source): only \(applied) diffs applied")
        for (symbol, sync) in syncs {
            #expect(sync.book.isVerified, "\(source) \(symbol): \(sync.book.integrity)")
            #expect(!sync.book.isCrossed)
        }
    }
}

extension VenueSubscriptions {
    /// Bybit and OKX send the book snapshot on the socket; the others over REST.
    func snapshotOnSocket(_ source: SourceId) -> Bool { source.exchange == .bybit || source.exchange == .okx }
}

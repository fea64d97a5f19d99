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

import DraizerCore
import RedisBus
import FastPath
import NIOCore
import Venues

/// One exchange's gateway: both its markets, as many connections as the venue's limits need.
///
/// Threading: confined to `loop` (the gateway's only event loop).
final class Gateway: @unchecked Sendable {
    // @unchecked Sendable: all state is confined to `loop`; other threads (control socket,
    // signals) reach it only through `loop.submit`.

    let exchange: Exchange
    let loop: EventLoop
    let endpoints: [MarketKind: VenueEndpoints]
    let store: PriceStore
    let control: ControlSegment
    let ring: RingProducer<UpdateNotice>?
    let streams: StreamPublisher?
    private(set) var universe: Universe
    private(set) var connections: [FeedConnection] = []
    private var sampler: RepeatedTask?

    init(
        exchange: Exchange, universe: Universe, loop: EventLoop, endpoints: [MarketKind: VenueEndpoints], store: PriceStore,
        control: ControlSegment, ring: RingProducer<UpdateNotice>?, streams: StreamPublisher?
    ) {
        self.streams = streams
        self.exchange = exchange
        self.universe = universe
        self.loop = loop
        self.endpoints = endpoints
        self.store = store
        self.control = control
        self.ring = ring
    }

    func start() {
        loop.preconditionInEventLoop()
        for market in MarketKind.allCases {
            let source = SourceId(exchange: exchange, market: market)
            let instruments = universe.instruments(of: source)
            guard !instruments.isEmpty, let endpoints = endpoints[market] else { continue }
            // A taker that crashed mid-write leaves odd entries: repair ours before writing.
            store.repairInterruptedWrites(slots: instruments.compactMap { store.slot(symbol: $0.symbol, source: source) })
            let plan = venueSubscriptions(for: source).plan(exchangeSymbols: instruments.map(\.exchangeSymbol))
            var offset = 0
            for connectionPlan in plan {
                let perInstrument = max(venueSubscriptions(for: source).topics(exchangeSymbol: "X").count, 1)
                let count = connectionPlan.topics.count / perInstrument
                let slice = Array(instruments[offset..<min(offset + count, instruments.count)])
                offset += count
                let connection = FeedConnection(
                    source: source, instruments: slice, loop: loop, endpoints: endpoints, store: store, ring: ring,
                    health: control.health(source), doorbell: control.updateDoorbell, streams: streams, symbolNames: universe.symbols.map(\.name))
                connections.append(connection)
                connection.start()
            }
        }
        if streams != nil, sampler == nil {
            sampler = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in sampleTops() }
        }
    }

    /// Once a second: every instrument's top of book as the store holds it, to Redis.
    private func sampleTops() {
        guard let streams else { return }
        var entries: [StreamMessage] = []
        let wallMillis = WallClock.now() / 1_000_000
        for connection in connections { connection.sampleTops(into: &entries, wallMillis: wallMillis) }
        streams.publish(entries)
    }

    func stop() {
        loop.preconditionInEventLoop()
        connections.forEach { $0.stop() }
        connections.removeAll()
        sampler?.cancel()
        sampler = nil
        for market in MarketKind.allCases { control.health(SourceId(exchange: exchange, market: market)).setState(.stopped) }
    }

    /// Rereads the universe and starts over with fresh connections and subscriptions.
    func reload(_ universe: Universe) {
        loop.preconditionInEventLoop()
        stop()
        self.universe = universe
        start()
    }

    /// Starts the frame→shm latency histograms afresh (benchmarks measure a steady window).
    func resetLatency() {
        loop.preconditionInEventLoop()
        for connection in connections {
            connection.frameToShmTopOfBook.reset()
            connection.frameToShmDepth.reset()
            connection.frameToShmAfterQuiet.reset()
        }
    }

    /// One JSON line: per source, connection state and counters.
    func status() -> String {
        loop.preconditionInEventLoop()
        var parts: [String] = []
        for market in MarketKind.allCases {
            let source = SourceId(exchange: exchange, market: market)
            let own = connections.filter { $0.source == source }
            guard !own.isEmpty else { continue }
            let health = control.healthSnapshot(source)
            let instruments = own.reduce(0) { $0 + $1.states.count }
            let verified = own.reduce(0) { $0 + $1.verifiedCount }
            let frames = own.reduce(UInt64(0)) { $0 + $1.framesReceived }
            let errors = own.reduce(UInt64(0)) { $0 + $1.parseErrors }
            let ringFull = own.reduce(UInt64(0)) { $0 + $1.ringFull }
            let frameToShm = Self.latencyJSON(own)
            let venueErrors = own.reduce(UInt64(0)) { $0 + $1.venueErrors }
            let lastVenueError = own.map(\.lastVenueError).last { !$0.isEmpty }
            let failing = own.flatMap(\.failingSnapshots).map {
                #"{"symbol":\#($0.symbol.jsonQuoted),"failures":\#($0.failures),"error":\#($0.error.jsonQuoted)}"#
            }
            parts.append(
                #""\#(source.name)":{"state":"\#(health.state)","connections":\#(own.count),"connected":\#(own.filter(\.isLive).count),"instruments":\#(instruments),"verified":\#(verified),"frames":\#(frames),"parse_errors":\#(errors),"gaps":\#(health.gaps),"resyncs":\#(health.resyncs),"reconnects":\#(health.reconnects),"ring_full":\#(ringFull),"failing_snapshots":[\#(failing.joined(separator: ","))],"venue_errors":\#(venueErrors),"last_venue_error":\#(lastVenueError?.jsonQuoted ?? "null"),"frame_to_shm_ns":\#(frameToShm)}"#)
        }
        return #"{"exchange":"\#(exchange.name)","frame_to_shm_ns":\#(Self.latencyJSON(connections)),"frame_to_shm_after_quiet_ns":\#(Self.latencyJSON(connections, \.frameToShmAfterQuiet)),"frame_to_shm_by_frame_ns":{"top_of_book":\#(Self.latencyJSON(connections, \.frameToShmTopOfBook)),"depth":\#(Self.latencyJSON(connections, \.frameToShmDepth))},"streams":\#(streams?.statusJSON ?? "null"),"sources":{\#(parts.joined(separator: ","))}}"#
    }

    /// Frame→shm latency of `connections` together (all frames, or those after a quiet spell):
    /// count, p50/p99/p999 and max in ns.
    static func latencyJSON(_ connections: [FeedConnection], _ histogram: KeyPath<FeedConnection, LatencyHistogram> = \.frameToShm) -> String {
        var latency = LatencyHistogram()
        connections.forEach { latency.merge($0[keyPath: histogram]) }
        return #"{"count":\#(latency.count),"p50":\#(latency.percentileJSON(0.5)),"p99":\#(latency.percentileJSON(0.99)),"p999":\#(latency.percentileJSON(0.999)),"max":\#(latency.maximum)}"#
    }
}

import DraizerCore
import NIOCore
import NIOWebSocket
import VenueSim
import Venues

/// The simulated exchanges: the market, every source's books, and who is subscribed to what.
/// It ticks on its event loop, turns market moves into each venue's frames and writes them to
/// the subscribed connections, applying the scenario's faults on the way.
///
/// Threading: every method runs on `eventLoop` (the server's only loop), so the state needs no
/// lock; connections and the ticker share that loop, so writes never hop threads.
final class SimulationEngine: @unchecked Sendable {
    // @unchecked Sendable: all mutable state is touched only on `eventLoop` (asserted in each
    // entry point); the instance is shared with handlers living on that same loop.

    final class Connection {
        let channel: Channel
        let source: SourceId
        var topics: Set<Int> = []  // symbolIndex * 3 + kind
        /// Replay mode: the recorded tracks this connection subscribed to and its place in the
        /// recording (each connection plays the recording from its first subscription).
        var replayTracks: Set<Int> = []
        var replayCursor = 0
        var replayStartNanos: Int64?
        var replayFinished = false
        /// Stress mode: the writer below the frame encoder and the round-robin position.
        var raw: RawFrameWriter?
        var stressCursor = 0
        init(channel: Channel, source: SourceId, raw: RawFrameWriter?) {
            self.channel = channel
            self.source = source
            self.raw = raw
        }

        /// Symbols whose top-of-book topic this connection subscribed to, in index order.
        var topOfBookSymbols: [Int] {
            topics.filter { $0 % 3 == SimTopicKind.topOfBook.rawValue }.map { $0 / 3 }.sorted()
        }
    }

    let eventLoop: EventLoop
    let scenario: SimScenario
    /// Replay mode: recorded frames instead of the simulated market.
    let recording: SimRecording?
    /// Replay pace: 1 = as recorded, 10 = ten times faster, 0 = as fast as the sockets take it.
    let replaySpeed: Double
    /// Stress mode: extra top-of-book frames as fast as each socket drains.
    let stress: Bool
    var stressCache: [[StressFrames]]
    var stressFramesSent: UInt64 = 0
    private(set) var market: SimMarket
    private(set) var sources: [SimSource]
    let routes: [SimTopics]
    private(set) var connections: [ObjectIdentifier: Connection] = [:]
    private var due: [[Double]]
    private var lastTick: Int64 = 0
    private var startNanos: Int64 = 0
    private var nextFundingMillis: Int64 = 0
    private var firedFaults: Set<Int> = []
    /// Frames written so far (for status and tests).
    private(set) var framesSent: UInt64 = 0
    /// Replay mode: connections that have played their whole recording.
    var replaysFinished = 0

    init(eventLoop: EventLoop, scenario: SimScenario, recording: SimRecording? = nil, replaySpeed: Double = 1, stress: Bool = false) {
        self.eventLoop = eventLoop
        self.scenario = scenario
        self.recording = recording
        self.replaySpeed = replaySpeed
        self.stress = stress
        stressCache = Array(repeating: Array(repeating: StressFrames(), count: scenario.symbols.count), count: SourceId.count)
        market = SimMarket(scenario: scenario)
        sources = SourceId.all.map { SimSource(source: $0, scenario: scenario) }
        routes = sources.map { SimTopics(source: $0.source, instruments: $0.instruments) }
        due = Array(repeating: Array(repeating: 0, count: scenario.symbols.count), count: SourceId.count)
    }

    static func wallMillis() -> Int64 { WallClock.now() / 1_000_000 }

    /// Builds every book once and starts ticking every millisecond.
    func start() {
        eventLoop.preconditionInEventLoop()
        startNanos = MonotonicClock.now()
        lastTick = startNanos
        let now = Self.wallMillis()
        for source in sources.indices {
            for instrument in sources[source].instruments {
                _ = sources[source].update(symbolIndex: instrument.symbolIndex, market: market, timeMillis: now)
            }
        }
        eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(1), delay: .milliseconds(1)) { [self] _ in
            tick()
        }
    }

    // MARK: Connections

    func connected(_ channel: Channel, source: SourceId, raw: RawFrameWriter?) {
        eventLoop.preconditionInEventLoop()
        connections[ObjectIdentifier(channel)] = Connection(channel: channel, source: source, raw: raw)
    }

    func disconnected(_ channel: Channel) {
        eventLoop.preconditionInEventLoop()
        connections[ObjectIdentifier(channel)] = nil
    }

    /// Adds topics; returns the ones the source does not know.
    func subscribe(_ channel: Channel, topics: [String]) -> [String] {
        eventLoop.preconditionInEventLoop()
        guard let connection = connections[ObjectIdentifier(channel)] else { return topics }
        if recording != nil { return subscribeReplay(connection, topics: topics) }
        var unknown: [String] = []
        let source = connection.source
        for topic in topics {
            guard let route = routes[source.index].resolve(topic) else {
                unknown.append(topic)
                continue
            }
            connection.topics.insert(route.symbolIndex * 3 + route.kind.rawValue)
            // Bybit and OKX start every book subscription with a snapshot on the socket.
            if route.kind == .depth, sources[source.index].format.snapshotOnSubscribe {
                let snapshot = sources[source.index].depthSnapshot(symbolIndex: route.symbolIndex, timeMillis: Self.wallMillis())
                write(snapshot, to: connection)
            }
        }
        flush(connection)
        return unknown
    }

    func unsubscribe(_ channel: Channel, topics: [String]) {
        eventLoop.preconditionInEventLoop()
        guard let connection = connections[ObjectIdentifier(channel)] else { return }
        for topic in topics {
            if let route = routes[connection.source.index].resolve(topic) {
                connection.topics.remove(route.symbolIndex * 3 + route.kind.rawValue)
            }
        }
    }

    // MARK: REST

    /// `GET /sim/status`: mode, clients and frames sent (what tests and benchmarks wait on).
    func status() -> String {
        let mode = recording != nil ? "replay" : stress ? "stress" : "market"
        return #"{"mode":"\#(mode)","connections":\#(connections.count),"frames_sent":\#(framesSent &+ stressFramesSent),"stress_frames_sent":\#(stressFramesSent),"replays_finished":\#(replaysFinished),"elapsed_seconds":\#(market.elapsedSeconds)}"#
    }

    /// Active `rest_error` fault status for a source, if any.
    func restFault(_ source: SourceId) -> Int? {
        let elapsed = market.elapsedSeconds
        for fault in scenario.faults where fault.kind == .restError && fault.source == source.name {
            if elapsed >= fault.atSeconds, elapsed < fault.atSeconds + (fault.durationSeconds ?? 5) { return fault.status ?? 503 }
        }
        return nil
    }

    func instrumentsBody(_ source: SourceId) -> [UInt8]? {
        if let recording { return recording.sources[source.index]?.instrumentsBody }
        return sources[source.index].instrumentsBody(market: market, timeMillis: Self.wallMillis())
    }

    /// A REST depth snapshot with at most `limit` levels per side (a replayed one as recorded).
    func snapshotBody(_ source: SourceId, exchangeSymbol: String, limit: Int?) -> [UInt8]? {
        if let recording {
            guard let sourceRecording = recording.sources[source.index], let track = sourceRecording.track(exchangeSymbol: exchangeSymbol) else {
                return nil
            }
            return sourceRecording.tracks[track].snapshot
        }
        guard let index = sources[source.index].symbolIndex(exchangeSymbol: exchangeSymbol) else { return nil }
        return sources[source.index].depthSnapshot(symbolIndex: index, timeMillis: Self.wallMillis(), limit: limit)
    }

    // MARK: Ticking

    private func tick() {
        if recording != nil { return replayTick() }
        let now = MonotonicClock.now()
        let seconds = Double(now - lastTick) / 1e9
        lastTick = now
        market.advance(seconds: seconds)
        applyFaults()
        let wall = Self.wallMillis()
        let sendFunding = wall >= nextFundingMillis
        if sendFunding { nextFundingMillis = wall + 1000 }
        var touched: Set<ObjectIdentifier> = []
        for sourceIndex in sources.indices {
            let source = sources[sourceIndex].source
            let subscribers = connections.values.filter { $0.source == source }
            for symbol in 0..<scenario.symbols.count where scenario.symbols[symbol].isListed(on: source) {
                if isStale(source: source, symbolIndex: symbol) { continue }
                due[sourceIndex][symbol] += scenario.updatesPerSecond * seconds
                while due[sourceIndex][symbol] >= 1 {
                    due[sourceIndex][symbol] -= 1
                    let update = sources[sourceIndex].update(symbolIndex: symbol, market: market, timeMillis: wall)
                    for connection in subscribers {
                        if connection.topics.contains(symbol * 3 + SimTopicKind.topOfBook.rawValue) {
                            write(update.topOfBook, to: connection)
                            touched.insert(ObjectIdentifier(connection.channel))
                        }
                        if let depth = update.depth, connection.topics.contains(symbol * 3 + SimTopicKind.depth.rawValue) {
                            write(corrupted(depth, source: source), to: connection)
                            touched.insert(ObjectIdentifier(connection.channel))
                        }
                    }
                }
                if sendFunding, let frame = sources[sourceIndex].fundingFrame(symbolIndex: symbol, market: market, timeMillis: wall) {
                    for connection in subscribers where connection.topics.contains(symbol * 3 + SimTopicKind.funding.rawValue) {
                        write(frame, to: connection)
                        touched.insert(ObjectIdentifier(connection.channel))
                    }
                }
            }
        }
        for id in touched {
            if let connection = connections[id] { flush(connection) }
        }
        if stress { stressTick(wallMillis: wall) }
    }

    // MARK: Faults

    private var pendingCorruption: Set<Int> = []

    private func applyFaults() {
        let elapsed = market.elapsedSeconds
        for (index, fault) in scenario.faults.enumerated() where !firedFaults.contains(index) && elapsed >= fault.atSeconds {
            firedFaults.insert(index)
            guard let source = SourceId(name: fault.source) else { continue }
            let symbols = fault.symbol.flatMap { name in sources[source.index].instruments.first { scenario.symbols[$0.symbolIndex].name == name }?.symbolIndex }
                .map { [$0] } ?? Array(0..<scenario.symbols.count)
            switch fault.kind {
            case .dropConnection:
                for connection in connections.values where connection.source == source { connection.channel.close(promise: nil) }
            case .skipSequence:
                for symbol in symbols { sources[source.index].skipSequence(symbolIndex: symbol) }
            case .corruptChecksum:
                pendingCorruption.insert(source.index)
            case .malformedFrame:
                for connection in connections.values where connection.source == source {
                    write(Array(#"{"malformed":"#.utf8), to: connection, text: true)
                    flush(connection)
                }
            case .staleSymbol, .restError, .latency:
                break  // time-window faults, checked where they apply
            }
        }
    }

    private func isStale(source: SourceId, symbolIndex: Int) -> Bool {
        let elapsed = market.elapsedSeconds
        let name = scenario.symbols[symbolIndex].name
        for fault in scenario.faults where fault.kind == .staleSymbol && fault.source == source.name && (fault.symbol == nil || fault.symbol == name) {
            if elapsed >= fault.atSeconds, elapsed < fault.atSeconds + (fault.durationSeconds ?? 5) { return true }
        }
        return false
    }

    /// The next depth frame of a source with a pending `corrupt_checksum` fault gets a checksum
    /// (OKX) or previous-id field that does not match: its last digit one lower (0 becomes 1), so
    /// that it still reads as a number of its type (a longer one could overflow OKX's 32 bits).
    private func corrupted(_ frame: [UInt8], source: SourceId) -> [UInt8] {
        guard pendingCorruption.contains(source.index) else { return frame }
        pendingCorruption.remove(source.index)
        var bytes = frame
        for field in ["\"checksum\":", "\"pu\":", "\"U\":", "\"version\":"] {
            guard let start = bytes.firstRange(of: Array(field.utf8))?.upperBound else { continue }
            var end = start < bytes.count && bytes[start] == UInt8(ascii: "-") ? start + 1 : start
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
            guard end > start, bytes[end - 1] != UInt8(ascii: "-") else { continue }
            bytes[end - 1] = bytes[end - 1] == UInt8(ascii: "0") ? UInt8(ascii: "1") : bytes[end - 1] - 1
            return bytes
        }
        return frame
    }

    // MARK: Writing

    func write(_ bytes: [UInt8], to connection: Connection, text: Bool? = nil) {
        var buffer = connection.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let binary = text == nil && connection.source.exchange == .mexc && connection.source.market == .spot && bytes.first != UInt8(ascii: "{")
        let frame = WebSocketFrame(fin: true, opcode: binary ? .binary : .text, data: buffer)
        if let latency = latencyMillis(connection.source) {
            let channel = connection.channel
            eventLoop.scheduleTask(in: .milliseconds(Int64(latency))) { channel.writeAndFlush(frame, promise: nil) }
        } else {
            connection.channel.write(frame, promise: nil)
        }
        framesSent += 1
    }

    func flush(_ connection: Connection) {
        connection.channel.flush()
    }

    private func latencyMillis(_ source: SourceId) -> Int? {
        let elapsed = market.elapsedSeconds
        for fault in scenario.faults where fault.kind == .latency && fault.source == source.name {
            if elapsed >= fault.atSeconds, elapsed < fault.atSeconds + (fault.durationSeconds ?? 5) { return fault.latencyMillis ?? 100 }
        }
        return nil
    }
}

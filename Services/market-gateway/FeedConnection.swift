import DraizerCore
import RedisBus
import FastPath
import NIOCore
import OrderBook
import VenueTransport
import Venues

/// One WebSocket connection of a gateway and the instruments it carries: frames are parsed on
/// the event-loop thread straight into the price store (no task, no hop per frame); books are
/// kept continuous by the venue's rule and resynced one symbol at a time; the connection pings,
/// watches for silence and reconnects with exponential backoff and jitter.
///
/// Threading: every method runs on `loop`.
final class FeedConnection: WebSocketReceiver, @unchecked Sendable {
    // @unchecked Sendable: all state is confined to `loop`; the instance crosses threads only to be
    // handed to NIO as the receiver of a connection on that same loop.

    let source: SourceId
    let loop: EventLoop
    let endpoints: VenueEndpoints
    let subscriptions: any VenueSubscriptions
    let topics: [String]
    let store: PriceStore
    let ring: RingProducer<UpdateNotice>?
    let health: SourceHealthWriter
    /// Wakes the detector (sleeping on all gateways' rings at once) after each notice.
    let doorbell: Doorbell?
    let depthFeed: DepthFeed
    private var quoteFeed: QuoteFeed
    private var fundingFeed: FundingFeed
    private var funding = FundingUpdate()
    /// Sampled tops and funding go here (nil: no Redis).
    let streams: StreamPublisher?
    /// Symbol names by `SymbolId` index (`BTC-USDT`), for the stream entries.
    let symbolNames: [String]
    /// The connection's instruments by exchange symbol: sized to them, so that its few lines stay
    /// in cache between frames (a 1,024-symbol table spread 8 symbols over 88 KiB).
    private var symbols: SymbolTable
    /// One entry per instrument, fixed for the connection's life. A buffer rather than an array:
    /// the hot path updates entries in place, with no uniqueness or exclusivity check and no copy
    /// of an entry (each holds a synchroniser and strings, which a copy would retain).
    let states: UnsafeMutableBufferPointer<InstrumentFeedState>
    private var connection: WebSocketConnection?
    private var lastFrameNanos: Int64 = 0
    private var backoffMillis: Int64 = 100
    private var stopped = false
    private var timers: [RepeatedTask] = []
    private var random = SystemRandomNumberGenerator()
    private var depth = DepthMessage()
    private var quote = TopOfBookQuote()
    /// Instruments waiting for a resync (kept as a count so publishing never scans them all).
    private var pendingResyncs = 0
    /// Whether the first sync after connecting is over: every book verified, or the books still
    /// waiting have waited `syncPatienceNanos` (then the source is shown live and they are listed
    /// as problems: a symbol the venue no longer lists must not hold every other book's source in
    /// `syncing` for good).
    private var firstSyncOver = false
    static let syncPatienceNanos: Int64 = 10_000_000_000
    /// Counters for `status`.
    private(set) var framesReceived: UInt64 = 0
    private(set) var parseErrors: UInt64 = 0
    private(set) var ringFull: UInt64 = 0
    /// When the books' best levels were last prefetched (see `publish`).
    private var lastWarmNanos: Int64 = 0
    static let warmIntervalNanos: Int64 = 1_000_000
    /// Frame received → entry published in shm and notice pushed, per published frame, by what
    /// the frame carried: a best bid/ask, or depth (a diff re-prices many levels, and takes
    /// longer).
    var frameToShmTopOfBook = LatencyHistogram()
    var frameToShmDepth = LatencyHistogram()
    /// Every published frame: both kinds together (merged when asked for, not recorded twice).
    var frameToShm: LatencyHistogram {
        var all = frameToShmTopOfBook
        all.merge(frameToShmDepth)
        return all
    }
    /// The same for the frames that came after the connection had been quiet for `quietNanos` or
    /// more: the first of a burst finds code and data gone from the caches (measured: a quote
    /// frame's parse 0.3 µs inside a burst, about 5 µs after 20 ms of quiet).
    var frameToShmAfterQuiet = LatencyHistogram()
    static let quietNanos: Int64 = 1_000_000
    /// Time since the connection's previous frame, when the current one arrived.
    private var frameGapNanos: Int64 = 0
    /// Errors the venue sent on the socket, and the last one's code and text (after everything a
    /// frame touches).
    private(set) var venueErrors: UInt64 = 0
    private(set) var lastVenueError = ""
    /// When the connection was lost (monotonic ns; 0 while connected) and the attempts since: an
    /// outage is logged once when it starts and once when it ends.
    private var disconnectedSinceNanos: Int64 = 0
    private var failedConnects = 0

    init(
        source: SourceId, instruments: [Instrument], loop: EventLoop, endpoints: VenueEndpoints, store: PriceStore,
        ring: RingProducer<UpdateNotice>?, health: SourceHealthWriter, doorbell: Doorbell?, streams: StreamPublisher?, symbolNames: [String]
    ) {
        self.doorbell = doorbell
        self.source = source
        self.streams = streams
        self.symbolNames = symbolNames
        self.loop = loop
        self.endpoints = endpoints
        self.store = store
        self.ring = ring
        self.health = health
        let venue = venueSubscriptions(for: source)
        subscriptions = venue
        depthFeed = DepthFeed(source: source)
        quoteFeed = QuoteFeed(source: source)
        fundingFeed = FundingFeed(source: source)
        topics = instruments.flatMap { venue.topics(exchangeSymbol: $0.exchangeSymbol) }
        symbols = SymbolTable(capacity: instruments.count)
        var states: [InstrumentFeedState] = []
        for instrument in instruments {
            guard let slot = store.slot(symbol: instrument.symbol, source: source) else { continue }
            try? symbols.insert(instrument.exchangeSymbol, slot: states.count)
            states.append(InstrumentFeedState(instrument: instrument, slot: slot, feed: depthFeed))
        }
        self.states = .allocate(capacity: states.count)
        _ = self.states.initialize(from: states)
    }

    deinit {
        states.deinitialize()
        states.deallocate()
    }

    var isLive: Bool { connection != nil }
    var verifiedCount: Int { states.filter { $0.sync.book.isVerified }.count }

    // MARK: Lifecycle

    func start() {
        loop.preconditionInEventLoop()
        connect()
        timers.append(loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in watchdog() })
        if let interval = subscriptions.limits.clientPingIntervalMillis {
            timers.append(loop.scheduleRepeatedTask(initialDelay: .milliseconds(Int64(interval)), delay: .milliseconds(Int64(interval))) { [self] _ in
                if let frame = subscriptions.pingFrame(nowMillis: WallClock.now() / 1_000_000) { connection?.send(frame) }
            })
        }
    }

    func stop() {
        loop.preconditionInEventLoop()
        stopped = true
        timers.forEach { $0.cancel() }
        connection?.close()
        for state in states { store.markUnverified(slot: state.slot) }
    }

    private func connect() {
        guard !stopped else { return }
        health.setState(.connecting)
        let url: TransportURL
        do {
            url = try TransportURL(endpoints.publicWebSocketURL)
        } catch {
            parseErrors += 1
            return
        }
        WebSocketConnection.connect(to: url, group: loop, makeReceiver: { self }).hop(to: loop).whenComplete { [self] result in
            switch result {
            case .success(let connection):
                self.connection = connection
                if stopped {
                    connection.close()
                    return
                }
                if disconnectedSinceNanos != 0 {
                    let millis = (MonotonicClock.now() - disconnectedSinceNanos) / 1_000_000
                    writeErrorLine("gateway \(source.name): connected again to \(url) after \(millis) ms (\(failedConnects) failed attempts)")
                    disconnectedSinceNanos = 0
                    failedConnects = 0
                }
                backoffMillis = 100
                lastFrameNanos = MonotonicClock.now()
                health.setState(.syncing)
                firstSyncOver = false
                subscribe(connection)
            case .failure(let error):
                failedConnects += 1
                disconnected("cannot connect: \(error)")
                scheduleReconnect()
            }
        }
    }

    /// Sends the subscribe requests spaced to the venue's request rate; REST-snapshot venues then
    /// fetch every book's snapshot (diffs are kept by the synchronisers meanwhile).
    private func subscribe(_ connection: WebSocketConnection) {
        let frames = subscriptions.subscribeFrames(topics, nowMillis: WallClock.now() / 1_000_000)
        let spacing = Int64(1000 / max(subscriptions.limits.requestsPerSecond, 0.1))
        for (index, frame) in frames.enumerated() {
            if index == 0 {
                connection.send(frame)
            } else {
                loop.scheduleTask(in: .milliseconds(spacing * Int64(index))) { connection.send(frame) }
            }
        }
        guard !snapshotOnSocket else { return }
        let settle = spacing * Int64(frames.count) + 150
        loop.scheduleTask(in: .milliseconds(settle)) { [self] in
            for index in states.indices { requestResync(index, counted: false) }
        }
    }

    var snapshotOnSocket: Bool { source.exchange == .bybit || source.exchange == .okx }

    /// The start of an outage: logged once, until a connection succeeds again.
    private func disconnected(_ what: String) {
        guard disconnectedSinceNanos == 0, !stopped else { return }
        disconnectedSinceNanos = MonotonicClock.now()
        writeErrorLine("gateway \(source.name): \(what); books unverified, reconnecting with backoff (0.1 s doubling to 30 s)")
    }

    private func scheduleReconnect() {
        guard !stopped else { return }
        let jitter = Int64.random(in: 0...(backoffMillis / 2), using: &random)
        let delay = backoffMillis + jitter
        backoffMillis = min(backoffMillis * 2, 30_000)
        loop.scheduleTask(in: .milliseconds(delay)) { [self] in
            health.reconnected()
            connect()
        }
    }

    private func watchdog() {
        guard let connection else { return }
        let now = MonotonicClock.now()
        health.heartbeat(nowNanos: now)
        if now - lastFrameNanos > Int64(subscriptions.limits.idleTimeoutMillis) * 1_000_000 {
            health.setState(.stale)
            connection.close()  // webSocketClosed reconnects
            return
        }
        if !firstSyncOver { endFirstSyncIfOnlyStuckBooksWait(now: now) }
    }

    /// Declares the source live when some of its books are verified and every book still waiting
    /// for a snapshot has waited `syncPatienceNanos`; logs the ones left waiting.
    private func endFirstSyncIfOnlyStuckBooksWait(now: Int64) {
        var waiting: [String] = []
        var verified = false
        for index in states.indices {
            if states[index].resyncPending {
                guard now - states[index].pendingSinceNanos >= Self.syncPatienceNanos else { return }
                waiting.append(states[index].instrument.exchangeSymbol)
            } else if states[index].sync.withBook({ $0.isVerified }) {
                verified = true
            }
        }
        guard verified, !waiting.isEmpty else { return }
        firstSyncOver = true
        health.setState(.live)
        writeErrorLine(
            "gateway \(source.name): live; \(waiting.count) book(s) still without a snapshot after \(Self.syncPatienceNanos / 1_000_000_000) s: "
                + "\(waiting.joined(separator: ", ")) (draizer status lists why)")
    }

    // MARK: WebSocketReceiver (hot path)

    func webSocketConnected(_ connection: WebSocketConnection) {}

    func webSocketReceived(_ bytes: UnsafeRawBufferPointer, binary: Bool, connection: WebSocketConnection) {
        let now = MonotonicClock.now()
        frameGapNanos = now - lastFrameNanos
        lastFrameNanos = now
        framesReceived &+= 1
        health.messageReceived(nowNanos: now)
        do throws(VenueParseError) {
            switch try depthFeed.read(bytes, depth: &depth, quote: &quote) {
            case .depth:
                if let index = symbols.find(UnsafeRawBufferPointer(rebasing: bytes[depth.symbol])) { depthReceived(index, now: now) }
                return
            case .quote:
                if let index = symbols.find(UnsafeRawBufferPointer(rebasing: bytes[quote.symbol])) { quoteReceived(index, now: now) }
                return
            case .other:
                break  // a quote QuoteFeed reads, or a control frame
            }
        } catch {
            parseErrors &+= 1
            health.errorCounted()
            return
        }
        do throws(VenueParseError) {
            let complete = try quoteFeed.parse(bytes, into: &quote)
            if quoteFeed.frameCarriedFunding, streams != nil { fundingReceived(quoteFeed.funding, in: bytes, now: now) }
            guard complete, let index = symbols.find(UnsafeRawBufferPointer(rebasing: bytes[quote.symbol])) else { return }
            quoteReceived(index, now: now)
        } catch .unsupportedMessage {
            otherFrameReceived(bytes, now: now)
        } catch {
            parseErrors &+= 1
            health.errorCounted()
        }
    }

    /// Slow path: a funding channel's frame, or a control frame (acks, pongs, errors). A frame
    /// counts as an error when the venue reports one, or when it is neither funding that parses
    /// nor a control frame.
    private func otherFrameReceived(_ bytes: UnsafeRawBufferPointer, now: Int64) {
        var badFunding = false
        if source.market == .perp, streams != nil {
            do throws(VenueParseError) {
                if try fundingFeed.parse(bytes, into: &funding) {
                    fundingReceived(funding, in: bytes, now: now)
                    return
                }
            } catch .unsupportedMessage {
                // not funding
            } catch {
                badFunding = true
            }
        }
        switch subscriptions.classify(Array(bytes)) {
        case .error(let code, let message):
            parseErrors &+= 1
            health.errorCounted()
            venueErrorReceived(code: code, message: message)
        case .notControl where badFunding:
            parseErrors &+= 1
            health.errorCounted()
        default:
            break
        }
    }

    /// An error the venue sent (a refused subscription, a bad request): kept for `status` and
    /// logged, the first `loggedVenueErrors` of the connection's life only.
    private func venueErrorReceived(code: String, message: String) {
        venueErrors &+= 1
        lastVenueError = code.isEmpty ? message : "\(code): \(message)"
        if venueErrors <= Self.loggedVenueErrors {
            writeErrorLine(
                "gateway \(source.name): the venue answered with an error: \(lastVenueError)"
                    + (venueErrors == Self.loggedVenueErrors ? " (further ones are only counted: status → venue_errors)" : ""))
        }
    }

    static let loggedVenueErrors: UInt64 = 10

    /// A funding update goes to Redis when its rate or settlement changed, or once a second.
    private func fundingReceived(_ update: FundingUpdate, in bytes: UnsafeRawBufferPointer, now: Int64) {
        guard let streams, let index = symbols.find(UnsafeRawBufferPointer(rebasing: bytes[update.symbol])) else { return }
        if let last = states[index].lastFunding, last.rate == update.rate, last.nextSettlementMillis == update.nextSettlementMillis,
            now - last.atNanos < 1_000_000_000
        {
            return
        }
        states[index].lastFunding = (update.rate, update.nextSettlementMillis, now)
        let instrument = states[index].instrument
        var fields: [(String, String)] = [
            ("source", source.name), ("symbol", symbolNames[instrument.symbol.index]), ("exchange_symbol", instrument.exchangeSymbol),
            ("rate", update.rate.normalized.description), ("interval_ms", String(update.intervalMillis)),
            ("next_settlement_ms", String(update.nextSettlementMillis)),
        ]
        if let mark = update.markPrice { fields.append(("mark_price", mark.normalized.description)) }
        if let index = update.indexPrice { fields.append(("index_price", index.normalized.description)) }
        fields.append(("ts_exchange_ms", String(update.eventTimeMillis)))
        fields.append(("ts_ms", String(WallClock.now() / 1_000_000)))
        streams.publish([StreamMessage(stream: MarketStreamNames.funding, fields: fields)])
    }

    /// One stream entry per instrument with a price in shared memory: what the store holds now.
    func sampleTops(into entries: inout [StreamMessage], wallMillis: Int64) {
        var top = TopOfBook()
        for state in states where store.readTop(slot: state.slot, into: &top) == .consistent && (top.bidPrice > 0 || top.askPrice > 0) {
            entries.append(
                StreamMessage(
                    stream: MarketStreamNames.bookTicker,
                    fields: [
                        ("source", source.name), ("symbol", symbolNames[state.instrument.symbol.index]),
                        ("exchange_symbol", state.instrument.exchangeSymbol), ("bid", top.bid.decimal.normalized.description),
                        ("bid_qty", top.bidSize.decimal.normalized.description), ("ask", top.ask.decimal.normalized.description),
                        ("ask_qty", top.askSize.decimal.normalized.description), ("verified", top.verified ? "1" : "0"),
                        ("ts_exchange_ms", String(top.tsExchangeNanos / 1_000_000)), ("ts_ms", String(wallMillis)),
                    ]))
        }
    }

    private func depthReceived(_ index: Int, now: Int64) {
        // The detector holds copies of the entry: ask for it back now, while the frame is applied.
        store.prefetchForWrite(slot: states[index].slot)
        states[index].lastExchangeMillis = max(states[index].lastExchangeMillis, depth.eventTimeMillis)
        switch states[index].sync.diffReceived(depth) {
        case .applied:
            if depth.isSnapshot { setResyncPending(index, false) }
            publish(index, now: now, after: .depth)
        case .resyncNeeded:
            health.gapDetected()
            store.markUnverified(slot: states[index].slot)
            requestResync(index)
        case .buffered, .dropped:
            break
        }
    }

    private func quoteReceived(_ index: Int, now: Int64) {
        store.prefetchForWrite(slot: states[index].slot)
        let priceScale = states[index].priceScale
        let quantityScale = states[index].quantityScale
        guard let bid = try? quote.bidPrice.mantissa(atScale: priceScale), let ask = try? quote.askPrice.mantissa(atScale: priceScale),
            let bidSize = try? quote.bidQuantity.mantissa(atScale: quantityScale),
            let askSize = try? quote.askQuantity.mantissa(atScale: quantityScale)
        else {
            parseErrors &+= 1
            health.errorCounted()
            return
        }
        states[index].quote = (BookLevel(price: bid, quantity: bidSize), BookLevel(price: ask, quantity: askSize), quote.updateId)
        states[index].lastExchangeMillis = max(states[index].lastExchangeMillis, quote.eventTimeMillis)
        if states[index].sync.withBook({ $0.isVerified }) { publish(index, now: now, after: .topOfBook) }
    }

    /// Publishes the instrument's entry and its update notice; `now` is when the frame that
    /// caused it was received (`fromFrame` false for REST snapshots, which are not timed), `kind`
    /// what it carried.
    private func publish(_ index: Int, now: Int64, after kind: UpdateNotice.Kind, fromFrame: Bool = true) {
        let snapshot = states[index].snapshot(receivedNanos: now)
        store.publish(slot: states[index].slot, book: snapshot)
        if snapshot.top.verified, pendingResyncs == 0 {
            health.setState(.live)
            firstSyncOver = true
        }
        if let ring {
            let notice = UpdateNotice(symbol: states[index].instrument.symbol, source: source, kind: kind.rawValue, tsReceivedNanos: now)
            if !ring.tryPush(notice) { ringFull &+= 1 }
            doorbell?.ring()
        }
        if fromFrame {
            let elapsed = MonotonicClock.now() - now
            if kind == .topOfBook { frameToShmTopOfBook.record(elapsed) } else { frameToShmDepth.record(elapsed) }
            if frameGapNanos >= Self.quietNanos { frameToShmAfterQuiet.record(elapsed) }
        }
        if now - lastWarmNanos > Self.warmIntervalNanos {
            // Between an instrument's updates, other processes sharing this core push its book
            // out of the cache; after publishing, ask for every book's best levels again.
            lastWarmNanos = now
            for index in states.indices {
                states[index].sync.withBook { book in
                    book.bids.prefetchBest()
                    book.asks.prefetchBest()
                }
            }
        }
    }

    // MARK: Resync (one symbol at a time)

    /// Fetches (or re-subscribes for) a fresh snapshot of the symbol's book. `counted` false: not
    /// a resync in the health block — the first sync of a connection, or another attempt at one
    /// already counted.
    func requestResync(_ index: Int, counted: Bool = true) {
        guard !stopped, let connection, !states[index].resyncPending || MonotonicClock.now() > states[index].nextResyncNanos else { return }
        setResyncPending(index, true)
        states[index].nextResyncNanos = MonotonicClock.now() + 2_000_000_000
        if counted { health.resyncStarted() }
        let symbol = states[index].instrument.exchangeSymbol
        if snapshotOnSocket {
            // Bybit and OKX answer a fresh subscription with a snapshot.
            let depthTopics = subscriptions.topics(exchangeSymbol: symbol).filter { $0.contains("orderbook.") || $0.hasPrefix("books|") }
            subscriptions.unsubscribeFrames(depthTopics, nowMillis: WallClock.now() / 1_000_000).forEach(connection.send)
            subscriptions.subscribeFrames(depthTopics, nowMillis: WallClock.now() / 1_000_000).forEach(connection.send)
            return
        }
        let url: TransportURL
        do {
            url = try TransportURL(endpoints.restBaseURL).appending(VenueRESTPaths.depthSnapshot(source, exchangeSymbol: symbol))
        } catch {
            return
        }
        HTTPFetcher.get(url, group: loop).hop(to: loop).whenComplete { [self] result in
            guard !stopped else { return }
            var snapshot = DepthMessage()
            let feed = depthFeed
            let failure: String
            var httpStatus: Int?
            switch result {
            case .failure(let error):
                failure = "\(error)"
                if case .httpStatus(let status, _) = error as? TransportError { httpStatus = status }
            case .success(let body):
                let parseError = body.withUnsafeBytes { raw -> String? in
                    do {
                        try feed.parseSnapshot(raw, into: &snapshot)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                if let parseError {
                    failure = "unreadable snapshot: \(parseError)"
                } else if let fault = states[index].sync.snapshotReceived(snapshot) {
                    health.gapDetected()
                    failure = "snapshot refused: \(fault)"
                } else {
                    if states[index].snapshotFailures > 0 {
                        writeErrorLine("gateway \(source.name) \(symbol): depth snapshot in after \(states[index].snapshotFailures) failed attempts")
                        states[index].snapshotFailures = 0
                        states[index].snapshotError = ""
                    }
                    setResyncPending(index, false)
                    publish(index, now: MonotonicClock.now(), after: .depth, fromFrame: false)
                    return
                }
            }
            // Failed: try again later, waiting longer after each failure in a row (a symbol the
            // venue does not list, or a rate limit, must not be asked for twice a second forever).
            states[index].snapshotFailures += 1
            states[index].snapshotError = failure
            let delay = Self.snapshotRetryMillis(failures: states[index].snapshotFailures, httpStatus: httpStatus)
            // A gap found meanwhile does not start an attempt before this one (see requestResync).
            states[index].nextResyncNanos = MonotonicClock.now() + delay * 1_000_000
            if states[index].snapshotFailures == 1 {
                writeErrorLine("gateway \(source.name) \(symbol): depth snapshot failed (\(failure)); retrying, waiting longer each time (at most 60 s)")
            }
            loop.scheduleTask(in: .milliseconds(delay)) { [self] in
                states[index].nextResyncNanos = 0
                requestResync(index, counted: false)
            }
        }
    }

    /// Wait before the next snapshot attempt after `failures` in a row: 0.5 s doubling to 60 s; at
    /// least 10 s after a rate limit (429) and 120 s after an IP ban (418).
    static func snapshotRetryMillis(failures: Int, httpStatus: Int?) -> Int64 {
        let doubled = Int64(500) << Int64(min(max(failures - 1, 0), 7))
        let floor: Int64 = httpStatus == 418 ? 120_000 : httpStatus == 429 ? 10_000 : 0
        return max(min(doubled, 60_000), floor)
    }

    /// Instruments whose depth snapshot keeps failing, for `status`: exchange symbol, failures in
    /// a row and the last reason.
    var failingSnapshots: [(symbol: String, failures: Int, error: String)] {
        states.filter { $0.snapshotFailures > 0 }.map { ($0.instrument.exchangeSymbol, $0.snapshotFailures, $0.snapshotError) }
    }

    private func setResyncPending(_ index: Int, _ pending: Bool) {
        guard states[index].resyncPending != pending else { return }
        states[index].resyncPending = pending
        if pending { states[index].pendingSinceNanos = MonotonicClock.now() }
        pendingResyncs += pending ? 1 : -1
    }

    func webSocketClosed(_ connection: WebSocketConnection, error: Error?) {
        loop.preconditionInEventLoop()
        guard self.connection === connection else { return }
        self.connection = nil
        health.setState(stopped ? .stopped : .down)
        if !stopped { disconnected("connection to \(connection.url) closed (\(error.map { "\($0)" } ?? "by the venue or the idle watchdog"))") }
        for index in states.indices {
            states[index].sync.resetRequested()
            setResyncPending(index, false)
            states[index].quote = nil
            store.markUnverified(slot: states[index].slot)
        }
        scheduleReconnect()
    }
}

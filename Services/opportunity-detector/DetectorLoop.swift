import CDraizerShim
import DraizerCore
import FastPath
import RedisBus
import Strategies
import Synchronization

/// The detector's evaluation thread: drains every gateway's notice ring, evaluates each update,
/// hands opportunities to the executor ring and Redis, and follows each signal to convergence.
/// Other threads (control socket, signals) talk to it only through `requests` and read
/// `statusText`.
final class DetectorLoop: @unchecked Sendable {
    // @unchecked Sendable: everything but `requests` and `statusText` (both Mutex) is touched only
    // by the thread that calls `run`.

    enum WaitMode: String, CaseIterable {
        /// Spin on the rings (lowest latency; owns a core).
        case busy
        /// When idle, spin briefly over every ring, then sleep on the control segment's update
        /// doorbell, which every gateway rings after a notice (at most 1 ms, for housekeeping).
        case futex
    }

    struct Requests {
        var config: DetectorConfig?
        var universe: Universe?
        var stop = false
    }

    /// Set by the SIGTERM/SIGINT handler (an atomic store is async-signal-safe); the loop stops at
    /// its next housekeeping, within a millisecond.
    static let terminationRequested = Atomic<Bool>(false)

    static let opportunitiesStream = "opportunities"
    static let tracksStream = "spread.tracks"

    let store: PriceStore
    let control: ControlSegment
    let consumers: [RingConsumer<UpdateNotice>]
    /// The same rings, for looking at between pauses.
    let poller: RingPoller<UpdateNotice>
    /// The executor ring's side of each decision (and the list of this round's opportunities).
    let outlet: OpportunityOutlet
    let streams: StreamPublisher?
    let journal: TrackJournal?
    /// The gateways' funding updates (Redis `md.funding`), read on a thread of its own.
    let funding: FundingReader?
    let wait: WaitMode
    let requests = Mutex(Requests())
    /// Stops the loop when a segment it uses is removed or replaced (set before `run`).
    var segmentWatch: SegmentWatch?
    let statusText = Mutex("{}")
    /// The configuration in force (what `set` edits).
    let currentConfig: Mutex<DetectorConfig>

    private var universe: Universe
    private var detector: SpreadDetector
    private var tracker: SpreadTracker
    /// Tracks' subjects by name: directions by "symbol|buy|sell", cycles by
    /// "cross symbol|source|currencies in order".
    private var directionsByName: [String: Int] = [:]
    private var cyclesByName: [String: TrackSubject] = [:]
    private var tickToDecision = LatencyHistogram()
    /// The same, by what the deciding frame carried: a best bid/ask, or depth (a diff re-prices
    /// many levels, and takes the gateway longer).
    private var tickAfterTopOfBook = LatencyHistogram()
    private var tickAfterDepth = LatencyHistogram()
    /// Gateway frame received → notice taken from the ring (how much of tick-to-decision is
    /// before the detector), sampled every 16th notice.
    private var noticeAge = LatencyHistogram()
    /// Notice taken from the ring → opportunity decided (the detector's own share).
    private var popToDecision = LatencyHistogram()
    /// Gateway frame received → notice taken, for the notices that led to an opportunity (the
    /// gateways' share of tick-to-decision).
    private var frameToPop = LatencyHistogram()
    /// Notice taken → its first opportunity: the later ones from the same notice wait for it.
    private var popToFirstDecision = LatencyHistogram()
    /// A notice's later decisions: each one's time after the one before it.
    private var decisionGap = LatencyHistogram()
    private var lastDecided: Int64 = 0
    /// When the notice behind the last opportunity was taken (to tell a notice's first one).
    private var lastEmittingPop: Int64 = 0
    /// `--wait busy`: the times this loop's CPU was taken away while it spun.
    private var stalls = BusyLoopStalls(thresholdNanos: DetectorLoop.slowTickNanos)
    /// Opportunities decided more than `slowTickNanos` after their frame, by where the time went.
    private var slowTicks = SlowTicks()
    static let slowTickNanos: Int64 = 10_000
    /// Decided, counted, not yet published; since when (monotonic ns).
    private var unpublished: [OpportunityRecord] = []
    private var unpublishedSince: Int64 = 0
    /// Side work waits for the rings to have been quiet this long …
    static let quietNanos: Int64 = 200_000
    /// … but no longer than this.
    static let sideWorkMaxDelayNanos: Int64 = 5_000_000
    private var noticesTaken: UInt64 = 0
    private var skippedAtStart = 0
    private var recent: [String] = []
    private var journalErrors: UInt64 = 0
    private var lastJournalError = ""
    /// `journalErrors` when the current spell of failed appends began (nil: appends succeed).
    private var journalErrorsAtFailure: UInt64?
    /// Open tracks found in the journal at start and followed again.
    private(set) var recoveredTracks = 0
    init(
        store: PriceStore, control: ControlSegment, universe: Universe, config: DetectorConfig, consumers: [RingConsumer<UpdateNotice>],
        executor: RingProducer<OpportunityRecord>?, streams: StreamPublisher?, journal: TrackJournal?, funding: FundingReader?,
        wait: WaitMode
    ) {
        self.funding = funding
        self.store = store
        self.control = control
        self.universe = universe
        self.consumers = consumers
        poller = RingPoller(consumers)
        outlet = OpportunityOutlet(ring: executor)
        unpublished.reserveCapacity(1024)
        self.streams = streams
        self.journal = journal
        self.wait = wait
        currentConfig = Mutex(config)
        // Ids stay unique across restarts: wall-clock microseconds at start, then +1 per emission.
        detector = SpreadDetector(store: store, universe: universe, config: config, firstId: UInt64(WallClock.now() / 1000))
        outlet.holder = detector
        emitToExecutor = OpportunityOutlet.emitter(outlet)
        rehearsal = wait == .busy ? Self.makeRehearsal(universe: universe, config: config) : nil
        rehearsalOutlet = wait == .busy ? try? OpportunityOutlet.rehearsal() : nil
        rehearsalOutlet?.holder = rehearsal?.understudy
        emitToRehearsal = rehearsalOutlet.map(OpportunityOutlet.emitter)
        tracker = SpreadTracker(intervalMillis: config.trackIntervalMillis, maxAgeSeconds: config.trackMaxSeconds, exitBps: config.exitBps)
        indexDirections()
        if let journal {
            let now = MonotonicClock.now()
            let wallMillis = WallClock.now() / 1_000_000
            let recovery = tracker.recover(lines: journal.recentLines(wallMillis: wallMillis), now: now) {
                self.subject(strategy: $0, symbol: $1, buy: $2, sell: $3)
            }
            recoveredTracks = recovery.recovered
            for track in tracker.open { detector.hold(track.subject, true) }
            closeUnfollowed(recovery.closes, wallMillis: wallMillis)
        }
    }

    private func indexDirections() {
        directionsByName = [:]
        for (position, direction) in detector.directions.enumerated() {
            directionsByName["\(universe.symbols[direction.symbol.index].name)|\(direction.buy.name)|\(direction.sell.name)"] = position
        }
        cyclesByName = [:]
        for (position, cycle) in detector.triangles.cycles.enumerated() {
            for forward in [true, false] {
                let name = "\(universe.symbols[cycle.cross.index].name)|\(cycle.source.name)|\(cyclePath(cycle, forward: forward))"
                cyclesByName[name] = TrackSubject(kind: .triangular, index: position, forward: forward)
            }
        }
    }

    /// A cycle's currencies in order: forward Q→A→B→Q, reverse Q→B→A→Q.
    private func cyclePath(_ cycle: TriangularCycle, forward: Bool) -> String {
        let first = universe.symbols[cycle.first.index]
        let second = universe.symbols[cycle.second.index]
        let path = forward ? [first.quote, first.base, second.base, first.quote] : [first.quote, second.base, first.base, first.quote]
        return path.joined(separator: ">")
    }

    /// A track's subject in today's universe, and its strategy, from its names (`strategy` nil:
    /// a spread, as tracks were before they named one); nil when it is no longer traded.
    private func subject(strategy: StrategyKind?, symbol: String, buy: String, sell: String) -> (TrackSubject, StrategyKind)? {
        if strategy == .triangular { return cyclesByName["\(symbol)|\(buy)|\(sell)"].map { ($0, .triangular) } }
        guard let position = directionsByName["\(symbol)|\(buy)|\(sell)"] else { return nil }
        let kind = detector.directions[position].kind
        if strategy == .fundingCarry { return kind == .spotPerp ? (TrackSubject(kind: .carry, index: position), .fundingCarry) : nil }
        return (TrackSubject(kind: .spread, index: position), StrategyKind.for(kind))
    }

    // MARK: The loop

    func run() {
        // Notices queued before this detector started describe prices it reads fresh anyway:
        // start from an empty backlog so old ticks never count as decisions.
        var skipped = 0
        for consumer in consumers { while consumer.tryPop() != nil { skipped += 1 } }
        skippedAtStart = skipped
        var nextHousekeeping: Int64 = 0
        while true {
            var drained = 0
            for consumer in consumers {
                var taken = 0
                while taken < 512, let notice = consumer.tryPop() {
                    let now = MonotonicClock.now()
                    stalls.clockRead(now)
                    outlet.popped = now
                    outlet.poppedKind = notice.kind
                    noticesTaken &+= 1
                    if noticesTaken & 15 == 0 { noticeAge.record(now - notice.tsReceivedNanos) }
                    detector.evaluate(notice, now: now, emit: emitToExecutor)
                    taken += 1
                }
                drained += taken
            }
            if !outlet.pending.isEmpty { accountEmissions() }
            let now = MonotonicClock.now()
            stalls.clockRead(now)
            // The side work below takes tens to hundreds of µs (text, Redis, the journal). A
            // dislocation's next frames follow its first within microseconds, and their notices
            // must not wait for it: it runs once the rings have been quiet for a while, or when
            // overdue.
            let quiet = now - outlet.popped >= Self.quietNanos
            var sideWork = false
            if !unpublished.isEmpty {
                let overdue = now - unpublishedSince >= Self.sideWorkMaxDelayNanos
                if quiet || overdue {
                    publishUnpublished(yielding: !overdue)
                    sideWork = true
                }
            }
            if now >= nextHousekeeping, quiet || now - nextHousekeeping >= Self.sideWorkMaxDelayNanos {
                if housekeeping(now: now) {
                    publishUnpublished(yielding: false)
                    return
                }
                nextHousekeeping = now + 1_000_000
                sideWork = true
            }
            if drained == 0, wait == .busy, now >= nextRehearsal {
                // Spinning leaves the decision path cold; rehearse it (nothing is emitted).
                rehearse()
                detector.warmBooks()
                outlet.warm()
                rehearsals &+= 1
                nextRehearsal = now + Self.rehearsalIntervalNanos
                sideWork = true
            }
            if drained == 0 {
                if wait == .busy { stalls.spinStarted(at: sideWork ? MonotonicClock.now() : now) }
                idle()
            }
        }
    }

    private func idle() {
        switch wait {
        case .busy:
            // A pause takes about 25 ns on this machine's CPUs: look at the rings between pauses,
            // or a notice waits for the whole spin (64 pauses, 1.6 µs) before it is taken.
            for _ in 0..<64 {
                if poller.anyHasRecords { return }
                drz_cpu_relax()
            }
        case .futex:
            for _ in 0..<256 {
                if poller.anyHasRecords { return }
                drz_cpu_relax()
            }
            let doorbell = control.updateDoorbell
            doorbell.prepareToSleep()
            if poller.anyHasRecords {
                doorbell.cancelSleep()
                return
            }
            doorbell.sleep(timeoutNanos: 1_000_000)
        }
    }

    /// The decision path end to end on the understudy's books: its evaluation, then the emit
    /// closure's code on the rehearsal's outlet (its private ring, the understudy's hold); nothing
    /// is kept.
    private func rehearse() {
        guard let rehearsal else { return }
        if let rehearsalOutlet, let emitToRehearsal {
            rehearsal.run(emit: emitToRehearsal)
            rehearsalOutlet.discardRehearsed()
        } else {
            rehearsal.run()
        }
    }

    /// This round's opportunities: their latency counts now; publication later
    /// (`publishUnpublished`).
    private func accountEmissions() {
        if unpublished.isEmpty { unpublishedSince = MonotonicClock.now() }
        // Iterated in place, then emptied once nothing else holds its buffer: its capacity is
        // kept, so emitting never allocates.
        for (record, popped, frameKind) in outlet.pending {
            unpublished.append(record)
            let tick = record.decidedNanos - record.tickReceivedNanos
            tickToDecision.record(tick)
            if frameKind == UpdateNotice.Kind.topOfBook.rawValue {
                tickAfterTopOfBook.record(tick)
            } else {
                tickAfterDepth.record(tick)
            }
            if tick > Self.slowTickNanos { slowTicks.counted(popped: popped, record: record, stalls: stalls) }
            popToDecision.record(record.decidedNanos - popped)
            if lastEmittingPop != popped {
                lastEmittingPop = popped
                popToFirstDecision.record(record.decidedNanos - popped)
            } else {
                decisionGap.record(record.decidedNanos - lastDecided)
            }
            lastDecided = record.decidedNanos
            frameToPop.record(popped - record.tickReceivedNanos)
        }
        outlet.removeAllPending()
    }

    /// Opportunities to Redis, the status list and their tracks, oldest first. `yielding` stops as
    /// soon as a notice arrives, so that it waits for one record's publication at most.
    private func publishUnpublished(yielding: Bool) {
        var published = 0
        while published < unpublished.count {
            publish(unpublished[published])
            published += 1
            if yielding, poller.anyHasRecords { break }
        }
        unpublished.removeFirst(published)
        unpublishedSince = MonotonicClock.now()
    }

    private func publish(_ record: OpportunityRecord) {
        let wallMillis = record.wallNanos / 1_000_000
        let symbol = universe.symbols[Int(record.symbol)].name
        var legs: [(String, String)] = [("buy", record.buy?.name ?? "?"), ("sell", record.sell?.name ?? "?")]
        let path = record.strategy == StrategyKind.triangular.rawValue
            ? cyclePath(detector.triangles.cycles[Int(record.direction)], forward: record.reserved == 1) : nil
        if let path { legs.append(("cycle", path)) }
        let fields: [(String, String)] = [
            ("id", String(record.id)), ("ts_ms", String(wallMillis)), ("strategy", record.strategyKind?.name ?? "?"), ("symbol", symbol),
        ] + legs + [
            ("quantity", Self.number(record.quantity)),
            ("buy_vwap", Self.number(record.buyVWAP)), ("sell_vwap", Self.number(record.sellVWAP)), ("gross_bps", Self.number(record.grossBps)),
            ("net_bps", Self.number(record.netBps)), ("net_bps_at_size", Self.number(record.netBpsAtSize)),
            ("expected_profit", Self.number(record.expectedProfit)), ("buy_age_ms", Self.number(Double(record.buyAgeNanos) / 1e6)),
            ("sell_age_ms", Self.number(Double(record.sellAgeNanos) / 1e6)),
            ("tick_to_decision_ns", String(record.decidedNanos - record.tickReceivedNanos)),
        ]
        streams?.publish([StreamMessage(stream: Self.opportunitiesStream, fields: fields)])
        let textFields: Set<String> = ["strategy", "symbol", "buy", "sell", "cycle"]
        recent.append("{" + fields.map { textFields.contains($0.0) ? "\"\($0.0)\":\"\($0.1)\"" : "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        if recent.count > 20 { recent.removeFirst(recent.count - 20) }
        // A track names a cycle by its exchange and its currencies in order.
        if let event = tracker.opened(
            record, symbol: symbol, buy: record.buy?.name ?? "?", sell: path ?? record.sell?.name ?? "?", now: MonotonicClock.now())
        {
            record_([event], wallMillis: wallMillis)
        } else {
            let subject = TrackSubject(record)
            if !tracker.isOpen(subject) { detector.hold(subject, false) }
        }
    }

    /// Every millisecond: control flags, requests, tracked spreads, the status text. True = stop.
    private func housekeeping(now: Int64) -> Bool {
        var mask: UInt32 = 0
        for strategy in StrategyKind.allCases where control.isStrategyEnabled(strategy) { mask |= 1 << UInt32(strategy.rawValue) }
        detector.enabledStrategies = mask
        // Records take their wall time from this offset: kept fresh here, a decision seldom reads
        // the wall clock itself.
        detector.refreshWallClockOffset()
        let taken = requests.withLock { requests -> Requests in
            let copy = requests
            requests.config = nil
            requests.universe = nil
            return copy
        }
        if taken.stop || Self.terminationRequested.load(ordering: .relaxed) || segmentWatch?.hasLost == true { return true }
        if let config = taken.config {
            detector.apply(config)
            rehearsal?.apply(config)
            tracker.exitBps = config.exitBps
            tracker.intervalNanos = Int64(config.trackIntervalMillis) * 1_000_000
            tracker.maxAgeMillis = Int64(config.trackMaxSeconds * 1000)
        }
        if let universe = taken.universe {
            // Records name their symbol and direction by index in the universe they came from.
            publishUnpublished(yielding: false)
            reload(universe)
        }
        if let funding {
            for rate in funding.drain() {
                guard let symbol = universe.symbolId(named: rate.symbol), let source = SourceId(name: rate.source) else { continue }
                let wasOutOfDate = detector.setFunding(
                    symbol: symbol, source: source, ratePerInterval: rate.ratePerInterval, intervalHours: rate.intervalHours,
                    nextSettlementMillis: rate.nextSettlementMillis)
                if wasOutOfDate { writeErrorLine("funding: \(rate.source) \(rate.symbol) has a current rate again; carry is signalled on it again") }
            }
        }
        let wallMillis = WallClock.now() / 1_000_000
        if now >= nextSecondlyCheck {
            nextSecondlyCheck = now + 1_000_000_000
            if let ring = outlet.ring {
                let stats = SPSCRing.stats(of: ring.segment)
                if let line = executorWatch.check(
                    refused: outlet.ringFull, backlog: Int(truncatingIfNeeded: stats.depth), capacity: stats.capacity,
                    consumerPid: Int32(bitPattern: stats.consumerPid))
                {
                    writeErrorLine(line)
                }
            }
            for (symbol, source) in detector.expireFunding(wallMillis: wallMillis) {
                writeErrorLine(
                    "funding: \(source.name) \(universe.symbols[symbol.index].name) is over \(SpreadDetector.fundingGraceMillis / 60_000) min past its "
                        + "settlement with no new rate; no carry signals on it until one comes")
            }
        }
        let events = tracker.tick(now: now, wallMillis: wallMillis) { self.detector.reading($0, now: now) }
        if !events.isEmpty {
            for case .closed(let track, _) in events { detector.hold(track.subject, false) }
            record_(events, wallMillis: wallMillis)
        }
        if now >= nextStatus {
            statusText.withLock { $0 = status() }
            nextStatus = now + 200_000_000
        }
        return false
    }

    private var nextStatus: Int64 = 0
    /// The once-a-second checks (funding out of date, the executor ring).
    private var nextSecondlyCheck: Int64 = 0
    private var executorWatch = ExecutorRingWatch()
    private var nextRehearsal: Int64 = 0
    private var rehearsals: UInt64 = 0
    /// `--wait busy`: the decision path run on private books while idle.
    private var rehearsal: DecisionRehearsal?
    private var rehearsalOutlet: OpportunityOutlet?
    /// `evaluate`'s emit closures, made once (see `OpportunityOutlet.emitter`).
    private let emitToExecutor: (inout OpportunityRecord) -> Void
    private var emitToRehearsal: ((inout OpportunityRecord) -> Void)?
    /// `--wait busy`: how often an idle detector rehearses the decision path.
    static let rehearsalIntervalNanos: Int64 = 50_000

    /// The busy loop's rehearsal, or nil (logged: decisions after a quiet spell then run cold).
    private static func makeRehearsal(universe: Universe, config: DetectorConfig) -> DecisionRehearsal? {
        let rehearsal = DecisionRehearsal(universe: universe, config: config)
        if rehearsal == nil, !universe.directions.isEmpty {
            writeErrorLine(
                "opportunity-detector: no decision rehearsal (its books cannot be written for the universe's first direction, "
                    + "or no private shared memory); the first decision after a quiet spell runs cold")
        }
        return rehearsal
    }

    /// A new universe: a fresh detector; open tracks follow their subjects by name.
    private func reload(_ fresh: Universe) {
        let replaced = detector
        let oldUniverse = universe
        universe = fresh
        detector = SpreadDetector(store: store, universe: fresh, config: detector.config, firstId: UInt64(WallClock.now() / 1000))
        detector.carryOver(from: replaced, oldUniverse: oldUniverse, newUniverse: fresh)
        outlet.holder = detector
        if wait == .busy {
            rehearsal = Self.makeRehearsal(universe: fresh, config: detector.config)
            rehearsalOutlet?.holder = rehearsal?.understudy
        }
        indexDirections()
        let removed = tracker.remap { self.subject(strategy: $0.strategy, symbol: $0.symbol, buy: $0.buy, sell: $0.sell)?.0 }
        for track in tracker.open { detector.hold(track.subject, true) }
        closeUnfollowed(removed, wallMillis: WallClock.now() / 1_000_000)
    }

    /// Closes (file, Redis, log) the tracks that cannot be followed: their direction or cycle is not
    /// in the universe (REMOVED), or another open track of it is followed (DUPLICATE).
    private func closeUnfollowed(_ closes: [SpreadTracker.Event], wallMillis: Int64) {
        guard !closes.isEmpty else { return }
        record_(closes, wallMillis: wallMillis)
        for case .closed(let track, let reason) in closes {
            let why = reason == .duplicate ? "an earlier open track of the same signal is followed" : "it is not in the universe"
            writeErrorLine("track \(track.id) \(track.symbol) \(track.buy) → \(track.sell) closed \(reason.rawValue): \(why)")
        }
    }

    /// Tracker events to the daily file and to Redis.
    private func record_(_ events: [SpreadTracker.Event], wallMillis: Int64) {
        let lines = events.map { SpreadTracker.line($0, wallMillis: wallMillis) }
        do {
            try journal?.append(lines, wallMillis: wallMillis)
            if let failedBefore = journalErrorsAtFailure {
                writeErrorLine("track journal: writing again after \(journalErrors - failedBefore) failed appends (their events went to Redis only)")
                journalErrorsAtFailure = nil
            }
        } catch {
            // Logged once per spell of failures (a full disk fails every append), counted always.
            if journalErrorsAtFailure == nil {
                journalErrorsAtFailure = journalErrors
                writeErrorLine("track journal: cannot append to \(journal?.directory ?? "?"): \(error); tracking goes on, events go to Redis only until it can")
            }
            journalErrors &+= 1
            lastJournalError = "\(error)"
        }
        streams?.publish(lines.map { StreamMessage(stream: Self.tracksStream, fields: [("event", $0)]) })
    }

    /// A histogram's count, median and 99th percentile as a JSON object.
    static func summary(_ histogram: LatencyHistogram) -> String {
        #"{"count":\#(histogram.count),"p50":\#(histogram.percentileJSON(0.5)),"p99":\#(histogram.percentileJSON(0.99))}"#
    }

    static func number(_ value: Double) -> String {
        value.jsonText(roundedTo: 1_000_000, ifNotFinite: "0")
    }

    private func status() -> String {
        let counters = detector.counters
        let strategies = StrategyKind.allCases.map { "\"\($0.name)\":\(detector.enabledStrategies & (1 << UInt32($0.rawValue)) != 0)" }
        let tracks = tracker.open.map { track in
            #"{"track":\#(track.id),"strategy":"\#(track.strategy.name)","symbol":\#(track.symbol.jsonQuoted),"buy":\#(track.buy.jsonQuoted),"sell":\#(track.sell.jsonQuoted),"opened_ms":\#(track.openedWallMillis),"points":\#(track.points),"last_net_bps":\#(Self.number(track.lastNetBps)),"peak_net_bps":\#(Self.number(track.peakNetBps))}"#
        }
        let config = detector.config
        return #"{"directions":\#(detector.directions.count),"triangular_cycles":\#(detector.triangles.cycles.count),"updates":\#(counters.updates),"evaluations":\#(counters.evaluations),"emissions":\#(counters.emissions),"rejected":{"stale":\#(counters.stale),"unverified":\#(counters.unverified),"below_threshold":\#(counters.belowThreshold),"below_min_notional":\#(counters.belowMinNotional),"cooldown_or_tracked":\#(counters.cooldown),"paused":\#(counters.paused),"no_price":\#(counters.noPrice),"inconsistent":\#(counters.inconsistent)},"tick_to_decision_ns":{"count":\#(tickToDecision.count),"p50":\#(tickToDecision.percentileJSON(0.5)),"p99":\#(tickToDecision.percentileJSON(0.99)),"max":\#(tickToDecision.maximum)},"tick_to_decision_by_frame_ns":{"top_of_book":\#(Self.summary(tickAfterTopOfBook)),"depth":\#(Self.summary(tickAfterDepth))},"notice_age_at_pop_ns":\#(Self.summary(noticeAge)),"frame_to_pop_ns":{"p50":\#(frameToPop.percentileJSON(0.5)),"p99":\#(frameToPop.percentileJSON(0.99))},"pop_to_first_decision_ns":\#(Self.summary(popToFirstDecision)),"decision_gap_ns":\#(Self.summary(decisionGap)),"pop_to_decision_ns":{"p50":\#(popToDecision.percentileJSON(0.5)),"p99":\#(popToDecision.percentileJSON(0.99))},"loop_stalls":{"count":\#(stalls.count),"lost_ns":\#(stalls.lostNanos),"longest_ns":\#(stalls.longestNanos)},"tick_over_10us":\#(slowTicks.json),"executor_ring_full":\#(outlet.ringFull),"rehearsals":\#(rehearsals),"strategies":{\#(strategies.joined(separator: ","))},"config":{"entryBps":\#(config.entryBps),"exitBps":\#(config.exitBps),"maxNotional":\#(config.maxNotional),"maxPriceAgeMillis":\#(config.maxPriceAgeMillis),"cooldownMillis":\#(config.cooldownMillis),"holdingHours":\#(config.holdingHours),"carryMinAnnualRate":\#(config.carryMinAnnualRate),"carryHoldingHours":\#(config.carryHoldingHours),"carryEntryBps":\#(config.carryEntryBps)},"streams":\#(streams?.statusJSON ?? "null"),"funding":\#(funding?.statusJSON ?? "null"),"funding_out_of_date":\#(detector.fundingOutOfDateCount),"journal_errors":\#(journalErrors),"journal_last_error":\#(lastJournalError.isEmpty ? "null" : lastJournalError.jsonQuoted),"recovered_tracks":\#(recoveredTracks),"closed_tracks":{"converged":\#(tracker.convergedCount),"converged_unseen":\#(tracker.convergedUnseenCount),"expired":\#(tracker.expiredCount),"seconds_to_converge":{"p50":\#(tracker.secondsToConverge(0.5).map(Self.number) ?? "null"),"p90":\#(tracker.secondsToConverge(0.9).map(Self.number) ?? "null")}},"skipped_at_start":\#(skippedAtStart),"open_tracks":[\#(tracks.joined(separator: ","))],"recent":[\#(recent.reversed().joined(separator: ","))]}"#
    }
}

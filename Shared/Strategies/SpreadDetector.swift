import CDraizerShim
import DraizerCore
import FastPath

/// Cross-source spread detection on every price update: for the updated (symbol, source), every
/// direction it is a leg of is checked at the best prices (one cache line per side); only a
/// candidate above the entry edge reads both books' levels and is sized. Emissions respect a
/// cooldown per direction.
///
/// Threading: owned by the detector's evaluation thread.
public final class SpreadDetector {
    /// Why evaluations ended, counted.
    public struct Counters: Sendable, Equatable {
        public var updates: UInt64 = 0
        public var evaluations: UInt64 = 0
        public var emissions: UInt64 = 0
        public var stale: UInt64 = 0
        public var unverified: UInt64 = 0
        public var belowThreshold: UInt64 = 0
        public var belowMinNotional: UInt64 = 0
        public var cooldown: UInt64 = 0
        public var paused: UInt64 = 0
        /// A leg has no price yet (its entry was never written).
        public var noPrice: UInt64 = 0
        /// A seqlock read found a writer mid-write throughout its retries.
        public var inconsistent: UInt64 = 0
        public init() {}
    }

    /// One direction's edge now (the tracker's points and the status view).
    public struct Reading: Sendable, Equatable {
        public var grossBps: Double
        public var netBps: Double
        /// Size that clears `entryBps` now (0 when none).
        public var quantity: Double
        public var valid: Bool

        public init(grossBps: Double, netBps: Double, quantity: Double, valid: Bool) {
            self.grossBps = grossBps
            self.netBps = netBps
            self.quantity = quantity
            self.valid = valid
        }

        /// No trustworthy prices: no point, no convergence.
        public static let invalid = Reading(grossBps: 0, netBps: 0, quantity: 0, valid: false)
    }

    public let store: PriceStore
    public private(set) var index: DirectionIndex
    /// Triangular cycles of the universe (each exchange's spot cross pairs) and their cooldowns.
    public let triangles: TriangularIndex
    private var triangleLastEmitNanos: [Int64]
    /// A cycle's second and cross legs (the first goes to `other`; `updated` stays the update's).
    private var second = TopOfBook()
    private var cross = TopOfBook()
    public private(set) var rules: LegRules
    public private(set) var config: DetectorConfig
    public private(set) var counters = Counters()
    /// Strategies allowed to emit, bit `StrategyKind.rawValue` (set by the service from the
    /// control block).
    public var enabledStrategies: UInt32 = .max
    /// Funding per (symbol, source) key: rate per interval, interval hours, next settlement (wall
    /// ms, 0 = unknown) and the rate per year (perpetuals).
    private var fundingRate: [Double]
    private var fundingIntervalHours: [Double]
    private var fundingNextMillis: [Int64]
    /// −∞ while the funding is out of date (its settlement passed `fundingGraceMillis` ago with no
    /// new rate): it then clears no carry threshold.
    private var fundingAnnual: [Double]
    /// Per perpetual key: its funding over `holdingHours` in bps, what a spot→perp spread edge
    /// adds (kept current by `setFunding` and `apply`, so the hot path only reads it).
    private var holdingFundingBps: [Double]
    /// Per leg: the perpetual's key for spot→perp legs (funding carry), else -1.
    private var legPerpKeys: [Int32] = []
    private var carryLastEmitNanos: [Int64]
    private var slots: [Int32]
    /// Every store entry of the universe, and where the next warming round starts.
    private let warmSlots: [Int32]
    private var warmCursor = 0
    /// Per leg (by index position), what the hot path needs without touching the direction:
    /// the counterpart's slot, the strategy's enable bit and both legs' taker fees.
    private var legSlots: [Int32] = []
    private var legStrategyBits: [UInt32] = []
    private var legFeesBps: [Double] = []
    private var lastEmitNanos: [Int64]
    /// Directions that may not emit a spread, carry on directions, and cycles that may not emit:
    /// each has an open track (see `hold`).
    private var held: [Bool]
    private var carryHeld: [Bool]
    private var cycleHeld: [Bool]
    private var nextId: UInt64
    private var maxAgeNanos: Int64 { Int64(config.maxPriceAgeMillis) * 1_000_000 }
    private var cooldownNanos: Int64 { Int64(config.cooldownMillis) * 1_000_000 }
    private var carryCooldownNanos: Int64 { Int64(config.carryCooldownMillis) * 1_000_000 }
    private var updated = TopOfBook()
    private var other = TopOfBook()
    private var buyBook = BookSnapshot()
    private var sellBook = BookSnapshot()
    /// The updated source's whole book, read once per update by its first candidate and reused
    /// by the others (`updatedBookSlot` is -1 until then).
    private var updatedBook = BookSnapshot()
    private var updatedBookSlot = -1
    private var updatedSlot = -1

    public init(store: PriceStore, universe: Universe, config: DetectorConfig, firstId: UInt64 = 1) {
        self.store = store
        self.config = config
        index = DirectionIndex(universe: universe)
        triangles = TriangularIndex(universe: universe)
        triangleLastEmitNanos = Array(repeating: .min / 2, count: triangles.cycles.count)
        rules = LegRules(universe: universe, config: config)
        let keys = universe.symbols.count * SourceId.count
        slots = (0..<keys).map { key in
            Int32(store.slot(symbol: SymbolId(key / SourceId.count), source: SourceId(rawValue: UInt8(key % SourceId.count))!) ?? -1)
        }
        warmSlots = slots.filter { $0 >= 0 }
        fundingRate = Array(repeating: 0, count: keys)
        fundingIntervalHours = Array(repeating: 8, count: keys)
        fundingNextMillis = Array(repeating: 0, count: keys)
        fundingAnnual = Array(repeating: 0, count: keys)
        holdingFundingBps = Array(repeating: 0, count: keys)
        carryLastEmitNanos = Array(repeating: .min / 2, count: index.directions.count)
        lastEmitNanos = Array(repeating: .min / 2, count: index.directions.count)
        held = Array(repeating: false, count: index.directions.count)
        carryHeld = held
        cycleHeld = Array(repeating: false, count: triangles.cycles.count)
        nextId = firstId
        buildLegTables()
    }

    private func buildLegTables() {
        legSlots = []
        legStrategyBits = []
        legFeesBps = []
        legPerpKeys = []
        for position in 0..<index.legCount {
            let leg = index.leg(at: position)
            let direction = index.directions[Int(leg.direction)]
            let symbol = direction.symbol.index
            legSlots.append(slots[symbol * SourceId.count + Int(leg.counterpart)])
            legStrategyBits.append(1 << UInt32(StrategyKind.for(direction.kind).rawValue))
            legFeesBps.append(
                rules.rules(symbol: symbol, source: direction.buy.index).takerFeeBps
                    + rules.rules(symbol: symbol, source: direction.sell.index).takerFeeBps)
            legPerpKeys.append(direction.kind == .spotPerp ? Int32(Self.sellKey(direction)) : -1)
        }
    }

    public var directions: [Direction] { index.directions }

    /// New thresholds, sizes or fees (the control socket's `set`).
    public func apply(_ config: DetectorConfig) {
        self.config = config
        rules.apply(config: config)
        buildLegTables()
        for key in holdingFundingBps.indices { updateHoldingFunding(key) }
    }

    /// The spot→perp edge's funding estimate.
    private func updateHoldingFunding(_ key: Int) {
        holdingFundingBps[key] = counted(
            SpreadMath.fundingBps(ratePerInterval: fundingRate[key], intervalHours: fundingIntervalHours[key], holdingHours: config.holdingHours),
            perpKey: key)
    }

    /// Funding `estimate` of perpetual `key` as an edge counts it. Out-of-date funding never adds
    /// to an edge (the rate paid now is unknown): a cost it showed still counts, income does not.
    private func counted(_ estimate: Double, perpKey key: Int) -> Double {
        isOutOfDate(key) ? min(estimate, 0) : estimate
    }

    /// A cycle's three store slots on its exchange; nil when one of its pairs has no entry.
    @inline(__always)
    private func slots(of cycle: TriangularCycle) -> (first: Int, second: Int, cross: Int)? {
        let source = cycle.source.index
        let first = Int(slots[cycle.first.index * SourceId.count + source])
        let second = Int(slots[cycle.second.index * SourceId.count + source])
        let cross = Int(slots[cycle.cross.index * SourceId.count + source])
        guard first >= 0, second >= 0, cross >= 0 else { return nil }
        return (first, second, cross)
    }

    /// A perpetual's funding (from the gateways' funding stream); `intervalHours` 0 = 8 h. Returns
    /// true when it had been out of date.
    @discardableResult
    public func setFunding(symbol: SymbolId, source: SourceId, ratePerInterval: Double, intervalHours: Double, nextSettlementMillis: Int64 = 0) -> Bool {
        let key = symbol.index * SourceId.count + source.index
        guard key < fundingRate.count, ratePerInterval.isFinite else { return false }
        let wasOutOfDate = isOutOfDate(key)
        fundingRate[key] = ratePerInterval
        fundingIntervalHours[key] = intervalHours > 0 ? intervalHours : 8
        fundingNextMillis[key] = nextSettlementMillis
        fundingAnnual[key] = SpreadMath.annualized(ratePerInterval: ratePerInterval, intervalHours: fundingIntervalHours[key])
        updateHoldingFunding(key)
        return wasOutOfDate
    }

    /// A rate is paid for its interval: once its settlement has passed by this much with no new
    /// rate (a perpetual's funding feed stopped, or the stream cannot be read), the rate paid now
    /// is unknown.
    public static let fundingGraceMillis: Int64 = 5 * 60 * 1000

    /// Marks out of date the funding whose settlement passed over `fundingGraceMillis` before
    /// `wallMillis` with no new rate since: no carry is signalled on it until a new rate comes,
    /// and the spot→perp spread edge keeps it only as a cost. Returns the perpetuals newly out of
    /// date. Off the hot path: the service calls it about once a second.
    public func expireFunding(wallMillis: Int64) -> [(symbol: SymbolId, source: SourceId)] {
        var expired: [(SymbolId, SourceId)] = []
        for key in fundingNextMillis.indices where !isOutOfDate(key) && fundingNextMillis[key] > 0 {
            guard wallMillis - fundingNextMillis[key] > Self.fundingGraceMillis else { continue }
            fundingAnnual[key] = -.infinity
            updateHoldingFunding(key)
            expired.append((SymbolId(key / SourceId.count), SourceId(rawValue: UInt8(key % SourceId.count))!))
        }
        return expired
    }

    /// Perpetuals whose funding is out of date now (see `expireFunding`).
    public var fundingOutOfDateCount: Int { fundingAnnual.indices.lazy.filter(isOutOfDate).count }

    private func isOutOfDate(_ key: Int) -> Bool { fundingAnnual[key] == -.infinity }

    /// Funding a spot→perp position collects over `holdingHours` from now, in bps of notional.
    func carryFundingBps(perpKey key: Int, holdingHours: Double) -> Double {
        let next = fundingNextMillis[key]
        let hoursToNext = next > 0 ? Double(next - WallClock.now() / 1_000_000) / 3_600_000 : nil
        let count = SpreadMath.settlements(holdingHours: holdingHours, intervalHours: fundingIntervalHours[key], hoursToNext: hoursToNext)
        return fundingRate[key] * 10_000 * count
    }

    /// After a `reload`: takes over from the detector it replaces what the new universe still
    /// names — funding (rates, settlements, whether out of date) per (symbol, perpetual), and the
    /// cooldowns of spread, carry and triangular signals — so that a reload neither forgets every
    /// rate until the gateways send it again nor repeats a signal the old detector just made (the
    /// caller holds again what open tracks follow). Ids go on from the old detector's.
    public func carryOver(from old: SpreadDetector, oldUniverse: Universe, newUniverse: Universe) {
        let oldSymbols = Dictionary(oldUniverse.symbols.map { ($0.name, $0.id.index) }, uniquingKeysWith: { first, _ in first })
        let symbolMap: [Int?] = newUniverse.symbols.map { oldSymbols[$0.name] }
        for key in fundingRate.indices {
            guard let oldSymbol = symbolMap[key / SourceId.count] else { continue }
            let oldKey = oldSymbol * SourceId.count + key % SourceId.count
            fundingRate[key] = old.fundingRate[oldKey]
            fundingIntervalHours[key] = old.fundingIntervalHours[oldKey]
            fundingNextMillis[key] = old.fundingNextMillis[oldKey]
            fundingAnnual[key] = old.fundingAnnual[oldKey]
            updateHoldingFunding(key)
        }
        struct DirectionKey: Hashable {
            var symbol: Int
            var buy: SourceId
            var sell: SourceId
        }
        var oldDirections: [DirectionKey: Int] = [:]
        for (position, direction) in old.index.directions.enumerated() {
            oldDirections[DirectionKey(symbol: direction.symbol.index, buy: direction.buy, sell: direction.sell)] = position
        }
        for (position, direction) in index.directions.enumerated() {
            guard let oldSymbol = symbolMap[direction.symbol.index],
                let oldPosition = oldDirections[DirectionKey(symbol: oldSymbol, buy: direction.buy, sell: direction.sell)]
            else { continue }
            lastEmitNanos[position] = old.lastEmitNanos[oldPosition]
            carryLastEmitNanos[position] = old.carryLastEmitNanos[oldPosition]
        }
        for (position, cycle) in triangles.cycles.enumerated() {
            guard let first = symbolMap[cycle.first.index], let second = symbolMap[cycle.second.index], let cross = symbolMap[cycle.cross.index],
                let oldPosition = old.triangles.cycles.firstIndex(where: {
                    $0.source == cycle.source && $0.first.index == first && $0.second.index == second && $0.cross.index == cross
                })
            else { continue }
            triangleLastEmitNanos[position] = old.triangleLastEmitNanos[oldPosition]
        }
        nextId = max(nextId, old.nextId)
    }

    /// A track holds its subject: no new signal of it until the track closes. A triangular track
    /// holds its cycle in both orientations.
    @inline(__always)
    public func hold(_ subject: TrackSubject, _ isHeld: Bool) {
        switch subject.kind {
        case .spread: if held.indices.contains(subject.index) { held[subject.index] = isHeld }
        case .carry: if carryHeld.indices.contains(subject.index) { carryHeld[subject.index] = isHeld }
        case .triangular: if cycleHeld.indices.contains(subject.index) { cycleHeld[subject.index] = isHeld }
        }
    }

    @inline(__always)
    func fundingBps(_ direction: Direction) -> Double {
        guard direction.kind == .spotPerp else { return 0 }
        return holdingFundingBps[Self.sellKey(direction)]
    }

    /// A direction's (symbol, source) key on its sell leg: its perpetual's on a spot→perp one.
    @inline(__always)
    private static func sellKey(_ direction: Direction) -> Int { direction.symbol.index * SourceId.count + direction.sell.index }

    /// A direction's two store slots (-1 where a leg has no entry).
    @inline(__always)
    private func slots(of direction: Direction) -> (buy: Int, sell: Int) {
        let symbolKey = direction.symbol.index * SourceId.count
        return (Int(slots[symbolKey + direction.buy.index]), Int(slots[symbolKey + direction.sell.index]))
    }

    /// Evaluates every direction of the notice's (symbol, source); `emit` gets each opportunity.
    public func evaluate(_ notice: UpdateNotice, now: Int64, emit: (inout OpportunityRecord) -> Void) {
        counters.updates &+= 1
        let symbol = Int(notice.symbol)
        let source = Int(notice.source)
        let legs = index.legRange(symbol: symbol, source: source)
        let cycles = triangles.cycles(symbol: symbol, source: source)
        guard !legs.isEmpty || !cycles.isEmpty else { return }
        let key = symbol * SourceId.count + source
        updatedSlot = Int(slots[key])
        // The updated entry was just written by its gateway, the counterparts' tops by others: ask
        // for all their lines at once. The updated entry's levels arrive while the legs are checked,
        // ready for sizing a candidate.
        if !legs.isEmpty { store.prefetchBook(slot: updatedSlot) }
        for position in legs { store.prefetchTop(slot: Int(legSlots[position])) }
        updatedBookSlot = -1
        guard updatedSlot >= 0, count(store.readTop(slot: updatedSlot, into: &updated)) else { return }
        if !cycles.isEmpty { evaluateCycles(cycles, notice: notice, now: now, emit: emit) }
        let updatedFresh = now - updated.tsReceivedNanos <= maxAgeNanos
        for position in legs {
            counters.evaluations &+= 1
            guard enabledStrategies & legStrategyBits[position] != 0 else {
                counters.paused &+= 1
                continue
            }
            let otherSlot = legSlots[position]
            guard otherSlot >= 0, count(store.readTop(slot: Int(otherSlot), into: &other)) else { continue }
            guard updated.verified, other.verified else {
                counters.unverified &+= 1
                continue
            }
            guard updatedFresh, now - other.tsReceivedNanos <= maxAgeNanos else {
                counters.stale &+= 1
                continue
            }
            let leg = index.leg(at: position)
            let gross =
                leg.isBuyLeg
                ? SpreadMath.grossBps(buyAsk: updated.askPrice, buyScale: updated.priceScale, sellBid: other.bidPrice, sellScale: other.priceScale)
                : SpreadMath.grossBps(buyAsk: other.askPrice, buyScale: other.priceScale, sellBid: updated.bidPrice, sellScale: updated.priceScale)
            // A spot→perp leg adds its perpetual's funding over the holding time (0 without one).
            let perpKey = Int(legPerpKeys[position])
            let funding = perpKey >= 0 ? holdingFundingBps[perpKey] : 0
            let net = gross - legFeesBps[position] + funding
            // Carry is the funding-driven trade: when the spread alone clears entry it is a spread
            // opportunity, signalled once, as such.
            if perpKey >= 0, net < config.entryBps, fundingAnnual[perpKey] >= config.carryMinAnnualRate, enabledStrategies & carryBit != 0 {
                considerCarry(position: position, perpKey: perpKey, gross: gross, notice: notice, now: now, emit: emit)
            }
            guard net >= config.entryBps else {
                counters.belowThreshold &+= 1
                continue
            }
            let directionIndex = Int(leg.direction)
            guard !held[directionIndex], now - lastEmitNanos[directionIndex] >= cooldownNanos else {
                counters.cooldown &+= 1
                continue
            }
            let chosen = index.directions[directionIndex]
            emitIfSized(
                directionIndex, chosen, StrategyKind.for(chosen.kind), notice: notice, now: now, gross: gross, net: net, funding: funding,
                buyRules: rules.rules(symbol: symbol, source: chosen.buy.index), sellRules: rules.rules(symbol: symbol, source: chosen.sell.index),
                emit: emit)
        }
    }

    private let carryBit: UInt32 = 1 << UInt32(StrategyKind.fundingCarry.rawValue)
    private let triangularBit: UInt32 = 1 << UInt32(StrategyKind.triangular.rawValue)

    /// The cycles an update takes part in: all three legs' best prices, the better orientation,
    /// three taker fees; emitted at or above `entryBps` (cooldown per cycle).
    private func evaluateCycles(_ cycles: ArraySlice<Int32>, notice: UpdateNotice, now: Int64, emit: (inout OpportunityRecord) -> Void) {
        for position in cycles {
            counters.evaluations &+= 1
            guard enabledStrategies & triangularBit != 0 else {
                counters.paused &+= 1
                continue
            }
            let cycle = triangles.cycles[Int(position)]
            let source = cycle.source.index
            guard let legs = slots(of: cycle), count(store.readTop(slot: legs.first, into: &other)),
                count(store.readTop(slot: legs.second, into: &second)), count(store.readTop(slot: legs.cross, into: &cross))
            else { continue }
            guard other.verified, second.verified, cross.verified else {
                counters.unverified &+= 1
                continue
            }
            let oldest = min(other.tsReceivedNanos, second.tsReceivedNanos, cross.tsReceivedNanos)
            guard now - oldest <= maxAgeNanos else {
                counters.stale &+= 1
                continue
            }
            let firstRules = rules.rules(symbol: cycle.first.index, source: source)
            let secondRules = rules.rules(symbol: cycle.second.index, source: source)
            let legQuotes = (first: Self.quote(other), second: Self.quote(second), cross: Self.quote(cross))
            let result = TriangularMath.evaluate(
                first: legQuotes.first, second: legQuotes.second, cross: legQuotes.cross, feeBps: firstRules.takerFeeBps,
                maxNotional: config.maxNotional)
            guard result.netBps >= config.entryBps else {
                counters.belowThreshold &+= 1
                continue
            }
            guard !cycleHeld[Int(position)], now - triangleLastEmitNanos[Int(position)] >= cooldownNanos else {
                counters.cooldown &+= 1
                continue
            }
            let crossRules = rules.rules(symbol: cycle.cross.index, source: source)
            guard result.startAmount > 0,
                let execution = TriangularMath.execute(
                    result, first: legQuotes.first, second: legQuotes.second, cross: legQuotes.cross, feeBps: firstRules.takerFeeBps,
                    limits: (firstRules, secondRules, crossRules))
            else {
                counters.belowMinNotional &+= 1
                continue
            }
            // Rounding to the steps leaves dust; the rounded orders must still clear entry.
            guard execution.netBps >= config.entryBps else {
                counters.belowThreshold &+= 1
                continue
            }
            var record = OpportunityRecord()
            record.id = nextId
            nextId &+= 1
            record.tickReceivedNanos = notice.tsReceivedNanos
            record.symbol = UInt32(cycle.cross.index)
            record.direction = UInt32(position)
            record.strategy = StrategyKind.triangular.rawValue
            record.buySource = cycle.source.rawValue
            record.sellSource = cycle.source.rawValue
            record.reserved = result.forward ? 1 : 0
            record.quantity = execution.spent
            record.grossBps = result.grossBps
            record.netBps = result.netBps
            record.netBpsAtSize = execution.netBps
            record.expectedProfit = execution.profit
            triangleLastEmitNanos[Int(position)] = now
            counters.emissions &+= 1
            record.decidedNanos = MonotonicClock.now()
            record.wallNanos = wallNanos(at: record.decidedNanos)
            record.buyAgeNanos = record.decidedNanos - oldest
            record.sellAgeNanos = record.buyAgeNanos
            emit(&record)
        }
    }

    /// Funding carry on a spot→perp leg whose perpetual pays enough: entry spread + the funding
    /// collected over `carryHoldingHours` − both taker fees ≥ `carryEntryBps`. Not while a track
    /// follows the direction's spread: that signal's position (long spot, short perp) is the
    /// carry's, which is signalled once the spread's track closes.
    private func considerCarry(position: Int, perpKey: Int, gross: Double, notice: UpdateNotice, now: Int64, emit: (inout OpportunityRecord) -> Void) {
        let directionIndex = Int(index.leg(at: position).direction)
        guard !carryHeld[directionIndex], !held[directionIndex], now - carryLastEmitNanos[directionIndex] >= carryCooldownNanos else { return }
        let funding = carryFundingBps(perpKey: perpKey, holdingHours: config.carryHoldingHours)
        let net = gross - legFeesBps[position] + funding
        guard net >= config.carryEntryBps else { return }
        let direction = index.directions[directionIndex]
        let symbol = direction.symbol.index
        let before = counters.emissions
        emitIfSized(
            directionIndex, direction, .fundingCarry, notice: notice, now: now, gross: gross, net: net, funding: funding,
            buyRules: rules.rules(symbol: symbol, source: direction.buy.index), sellRules: rules.rules(symbol: symbol, source: direction.sell.index),
            entryBps: config.carryEntryBps, emit: emit)
        if counters.emissions != before { carryLastEmitNanos[directionIndex] = now }
    }

    /// `book` as just the best bid and ask of `top` (one level a side, none where a side is empty).
    @inline(__always)
    private func bestLevel(of top: TopOfBook, into book: inout BookSnapshot) {
        book.top = top
        book.bids[0] = BookLevel(price: top.bidPrice, quantity: top.bidQuantity)
        book.asks[0] = BookLevel(price: top.askPrice, quantity: top.askQuantity)
        book.bidCount = top.bidQuantity > 0 ? 1 : 0
        book.askCount = top.askQuantity > 0 ? 1 : 0
    }

    /// The updated source's whole book, read once per update into `updatedBook`.
    @inline(__always)
    private func readUpdatedBook() -> Bool {
        guard updatedBookSlot != updatedSlot else { return true }
        guard count(store.readBook(slot: updatedSlot, into: &updatedBook)) else { return false }
        updatedBookSlot = updatedSlot
        return true
    }

    /// `CLOCK_MONOTONIC` minus `CLOCK_REALTIME`'s reading is steady but for NTP's slew (at most
    /// 0.5 µs per ms) and steps: a record's wall time is its decision time plus an offset taken at
    /// most `wallOffsetMaxAgeNanos` ago, which saves a clock read per emission.
    private var wallOffsetNanos: Int64 = 0
    private var wallOffsetTakenNanos: Int64 = .min / 2
    static let wallOffsetMaxAgeNanos: Int64 = 10_000_000

    /// Takes the wall clock's offset again (the busy loop calls it while idle, so that a decision
    /// seldom has to).
    public func refreshWallClockOffset() {
        let monotonic = MonotonicClock.now()
        wallOffsetNanos = WallClock.now() - monotonic
        wallOffsetTakenNanos = monotonic
    }

    @inline(__always)
    private func wallNanos(at monotonic: Int64) -> Int64 {
        if monotonic - wallOffsetTakenNanos > Self.wallOffsetMaxAgeNanos { refreshWallClockOffset() }
        return monotonic + wallOffsetNanos
    }

    /// True for a consistent read; counts the others by kind.
    @inline(__always)
    private func count(_ outcome: ReadOutcome) -> Bool {
        switch outcome {
        case .consistent: return true
        case .empty: counters.noPrice &+= 1
        case .inconsistent: counters.inconsistent &+= 1
        }
        return false
    }

    /// The slow part of a candidate: both books' levels, sizing, the record.
    private func emitIfSized(
        _ position: Int, _ direction: Direction, _ strategy: StrategyKind, notice: UpdateNotice, now: Int64, gross: Double, net: Double,
        funding: Double, buyRules: LegRules.Rules, sellRules: LegRules.Rules, entryBps: Double? = nil,
        emit: (inout OpportunityRecord) -> Void
    ) {
        let symbol = direction.symbol.index
        let (buySlot, sellSlot) = slots(of: direction)
        let entry = entryBps ?? config.entryBps
        // Sizes that stop at `maxNotional` within both best levels (which the leg check has just
        // read: the update's top and the counterpart's) are sized on those alone; the others read
        // both whole books. Both give the same size.
        let buyTop = buySlot == updatedSlot ? updated : other
        let sellTop = sellSlot == updatedSlot ? updated : other
        var sizing: Result<SpreadMath.Sizing, SpreadMath.SizingFailure>?
        if SpreadMath.bestLevelsCover(
            maxNotional: config.maxNotional, buyTop: buyTop, sellTop: sellTop, buyRules: buyRules, sellRules: sellRules)
        {
            bestLevel(of: buyTop, into: &buyBook)
            bestLevel(of: sellTop, into: &sellBook)
            sizing = SpreadMath.size(
                buy: buyBook, sell: sellBook, buyRules: buyRules, sellRules: sellRules, entryBps: entry, maxNotional: config.maxNotional,
                fundingBps: funding)
            if case .success(let best) = sizing, best.levelsExhausted { sizing = nil }
        }
        var buyReceived = buyTop.tsReceivedNanos
        var sellReceived = sellTop.tsReceivedNanos
        if sizing == nil {
            // A leg of the update: one side is the updated source (as `buyTop`/`sellTop` above
            // assume), whose book is read once per update and sized in place; only the
            // counterpart's is copied here.
            let buyIsUpdated = buySlot == updatedSlot
            let sellIsUpdated = !buyIsUpdated
            if !buyIsUpdated { store.prefetchBook(slot: buySlot) }
            if !sellIsUpdated { store.prefetchBook(slot: sellSlot) }
            guard readUpdatedBook(), buyIsUpdated || count(store.readBook(slot: buySlot, into: &buyBook)),
                sellIsUpdated || count(store.readBook(slot: sellSlot, into: &sellBook))
            else { return }
            let buyRead = buyIsUpdated ? updatedBook.top : buyBook.top
            let sellRead = sellIsUpdated ? updatedBook.top : sellBook.top
            guard buyRead.verified, sellRead.verified else {
                counters.unverified &+= 1
                return
            }
            buyReceived = buyRead.tsReceivedNanos
            sellReceived = sellRead.tsReceivedNanos
            sizing =
                if buyIsUpdated {
                    SpreadMath.size(
                        buy: updatedBook, sell: sellBook, buyRules: buyRules, sellRules: sellRules, entryBps: entry,
                        maxNotional: config.maxNotional, fundingBps: funding)
                } else {
                    SpreadMath.size(
                        buy: buyBook, sell: updatedBook, buyRules: buyRules, sellRules: sellRules, entryBps: entry,
                        maxNotional: config.maxNotional, fundingBps: funding)
                }
        }
        guard let sizing else { return }
        switch sizing {
        case .failure(.belowThreshold):
            counters.belowThreshold &+= 1
        case .failure(.belowMinNotional):
            counters.belowMinNotional &+= 1
        case .success(let sizing):
            var record = spreadRecord(
                id: nextId, tickReceived: notice.tsReceivedNanos, symbol: symbol, position: position, strategy: strategy, direction: direction,
                sizing: sizing, gross: gross, net: net)
            nextId &+= 1
            if strategy != .fundingCarry { lastEmitNanos[position] = now }
            counters.emissions &+= 1
            record.decidedNanos = MonotonicClock.now()
            record.wallNanos = wallNanos(at: record.decidedNanos)
            record.buyAgeNanos = record.decidedNanos - buyReceived
            record.sellAgeNanos = record.decidedNanos - sellReceived
            emit(&record)
        }
    }

    /// The record of a sized spread or carry signal (its times and ages are set by the caller).
    @inline(__always)
    private func spreadRecord(
        id: UInt64, tickReceived: Int64, symbol: Int, position: Int, strategy: StrategyKind, direction: Direction, sizing: SpreadMath.Sizing,
        gross: Double, net: Double
    ) -> OpportunityRecord {
        var record = OpportunityRecord()
        record.id = id
        record.tickReceivedNanos = tickReceived
        record.symbol = UInt32(symbol)
        record.direction = UInt32(position)
        record.strategy = strategy.rawValue
        record.buySource = direction.buy.rawValue
        record.sellSource = direction.sell.rawValue
        record.quantity = sizing.quantity
        record.buyVWAP = sizing.buyVWAP
        record.sellVWAP = sizing.sellVWAP
        record.grossBps = gross
        record.netBps = net
        record.netBpsAtSize = sizing.netBpsAtSize
        record.expectedProfit = sizing.expectedProfit
        return record
    }

    /// Entries one warming round asks for (5 cache lines each): the main job's whole universe,
    /// a slice of a large one.
    public static let warmSlotsPerRound = 256

    /// Asks this core's cache for the next `warmSlotsPerRound` entries of the store. A gateway
    /// writes each book a few dozen times a second; between writes its lines stay valid here, so
    /// a decision finds its counterparts' books in cache instead of fetching them from the core
    /// that wrote them (about 130 ns a line on this machine, several lines a decision).
    public func warmBooks() {
        warmTables()
        var remaining = min(Self.warmSlotsPerRound, warmSlots.count)
        while remaining > 0 {
            store.prefetchBook(slot: Int(warmSlots[warmCursor]))
            warmCursor += 1
            if warmCursor == warmSlots.count { warmCursor = 0 }
            remaining -= 1
        }
    }

    /// Bytes of the detector's own tables one warming round asks for: all of them for the main
    /// job's universe (a few KB), a rotating slice of a large universe's.
    public static let warmTableBytesPerRound = 32 * 1024
    /// Where the next round starts, in the tables' bytes taken in `forEachTable` order.
    private var tableWarmCursor = 0

    /// What a decision reads besides the books: the per-leg, per-direction and per-(symbol, source)
    /// tables, in a fixed order.
    private func forEachTable(_ body: (UnsafeRawBufferPointer) -> Void) {
        legSlots.withUnsafeBytes(body)
        legFeesBps.withUnsafeBytes(body)
        legPerpKeys.withUnsafeBytes(body)
        legStrategyBits.withUnsafeBytes(body)
        lastEmitNanos.withUnsafeBytes(body)
        held.withUnsafeBytes(body)
        carryHeld.withUnsafeBytes(body)
        cycleHeld.withUnsafeBytes(body)
        slots.withUnsafeBytes(body)
        holdingFundingBps.withUnsafeBytes(body)
        index.forEachTable(body)
        rules.forEachTable(body)
    }

    /// The busy detector's tables leave its core's caches between notices as surely as the books
    /// do (measured: the first decision 0.3-0.6 us slower without this). Asks for the next
    /// `warmTableBytesPerRound` of them, and for the scratch books a decision fills.
    private func warmTables() {
        var position = 0
        var budget = Self.warmTableBytesPerRound
        let start = tableWarmCursor
        var next = 0
        forEachTable { bytes in
            defer { position += bytes.count }
            guard budget > 0, let base = bytes.baseAddress, start < position + bytes.count else { return }
            var offset = max(start - position, 0)
            while offset < bytes.count, budget > 0 {
                drz_prefetch(base + offset)
                offset += 64
                budget -= 64
            }
            next = position + offset
        }
        // A round that did not use its whole budget reached the end: start over.
        tableWarmCursor = budget > 0 ? 0 : next
        func prefetch(_ bytes: UnsafeMutableRawBufferPointer) {
            for offset in stride(from: 0, to: bytes.count, by: 64) { drz_prefetch(bytes.baseAddress! + offset) }
        }
        withUnsafeMutableBytes(of: &buyBook, prefetch)
        withUnsafeMutableBytes(of: &sellBook, prefetch)
        withUnsafeMutableBytes(of: &updatedBook, prefetch)
    }

    /// What a track follows, now: the edge at the best prices and the size that clears the
    /// subject's entry edge. A spread's net counts the funding over `holdingHours`, a carry's the
    /// funding over `carryHoldingHours` (out-of-date funding only as a cost), a cycle's its three
    /// taker fees in the tracked orientation (its size is then the quote currency put in).
    public func reading(_ subject: TrackSubject, now: Int64) -> Reading {
        switch subject.kind {
        case .spread, .carry:
            guard index.directions.indices.contains(subject.index) else { return .invalid }
            let direction = index.directions[subject.index]
            guard subject.kind == .carry else {
                return directionReading(direction, fundingBps: fundingBps(direction), entryBps: config.entryBps, now: now)
            }
            guard direction.kind == .spotPerp else { return .invalid }
            let perpKey = Self.sellKey(direction)
            let funding = carryFundingBps(perpKey: perpKey, holdingHours: config.carryHoldingHours)
            return directionReading(direction, fundingBps: counted(funding, perpKey: perpKey), entryBps: config.carryEntryBps, now: now)
        case .triangular:
            guard triangles.cycles.indices.contains(subject.index) else { return .invalid }
            return cycleReading(triangles.cycles[subject.index], forward: subject.forward, now: now)
        }
    }

    private func directionReading(_ direction: Direction, fundingBps funding: Double, entryBps: Double, now: Int64) -> Reading {
        let symbol = direction.symbol.index
        let (buySlot, sellSlot) = slots(of: direction)
        guard buySlot >= 0, sellSlot >= 0, store.readBook(slot: buySlot, into: &buyBook) == .consistent,
            store.readBook(slot: sellSlot, into: &sellBook) == .consistent
        else { return .invalid }
        let buyRules = rules.rules(symbol: symbol, source: direction.buy.index)
        let sellRules = rules.rules(symbol: symbol, source: direction.sell.index)
        let fresh = now - buyBook.top.tsReceivedNanos <= maxAgeNanos && now - sellBook.top.tsReceivedNanos <= maxAgeNanos
        let gross = SpreadMath.grossBps(
            buyAsk: SpreadMath.value(buyBook.top.askPrice, scale: buyBook.top.priceScale),
            sellBid: SpreadMath.value(sellBook.top.bidPrice, scale: sellBook.top.priceScale))
        let net = gross - buyRules.takerFeeBps - sellRules.takerFeeBps + funding
        var quantity = 0.0
        if case .success(let sizing) = SpreadMath.size(
            buy: buyBook, sell: sellBook, buyRules: buyRules, sellRules: sellRules, entryBps: entryBps,
            maxNotional: config.maxNotional, fundingBps: funding)
        {
            quantity = sizing.quantity
        }
        return Reading(
            grossBps: gross, netBps: net, quantity: quantity,
            valid: buyBook.top.verified && sellBook.top.verified && fresh && buyBook.askCount > 0 && sellBook.bidCount > 0)
    }

    private func cycleReading(_ cycle: TriangularCycle, forward: Bool, now: Int64) -> Reading {
        guard let legs = slots(of: cycle), store.readTop(slot: legs.first, into: &other) == .consistent,
            store.readTop(slot: legs.second, into: &second) == .consistent, store.readTop(slot: legs.cross, into: &cross) == .consistent
        else { return .invalid }
        func usable(_ top: TopOfBook) -> Bool {
            top.verified && now - top.tsReceivedNanos <= maxAgeNanos && top.bidPrice > 0 && top.askPrice > 0 && top.bidQuantity > 0
                && top.askQuantity > 0
        }
        let valid = usable(other) && usable(second) && usable(cross)
        let result = TriangularMath.evaluate(
            first: Self.quote(other), second: Self.quote(second), cross: Self.quote(cross),
            feeBps: rules.rules(symbol: cycle.first.index, source: cycle.source.index).takerFeeBps, maxNotional: config.maxNotional, forward: forward)
        return Reading(grossBps: result.grossBps, netBps: result.netBps, quantity: result.startAmount, valid: valid)
    }

    /// A cycle leg's best prices and sizes.
    @inline(__always)
    static func quote(_ top: TopOfBook) -> TriangularMath.Quote {
        TriangularMath.Quote(
            bid: SpreadMath.value(top.bidPrice, scale: top.priceScale), bidSize: SpreadMath.value(top.bidQuantity, scale: top.quantityScale),
            ask: SpreadMath.value(top.askPrice, scale: top.priceScale), askSize: SpreadMath.value(top.askQuantity, scale: top.quantityScale))
    }
}

extension StrategyKind {
    /// The strategy a direction kind belongs to.
    public static func `for`(_ kind: DirectionKind) -> StrategyKind {
        switch kind {
        case .spotSpot: .spotSpot
        case .spotPerp: .spotPerp
        case .perpPerp: .perpPerp
        }
    }
}

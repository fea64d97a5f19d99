import DraizerCore
import FastPath
import Foundation
import Strategies
import TestSupport
import Testing

/// The detector over a real shared-memory price store: index, freshness, verification, the
/// entry threshold, sizing and the cooldown.
@Suite(.serialized) struct SpreadDetectorTests {
    static let binanceSpot = SourceId(exchange: .binance, market: .spot)
    static let bybitSpot = SourceId(exchange: .bybit, market: .spot)
    static let okxPerp = SourceId(exchange: .okx, market: .perp)

    static func universe() throws -> Universe {
        func instrument(_ source: SourceId, _ name: String) throws -> Instrument {
            Instrument(
                symbol: SymbolId(0), source: source, exchangeSymbol: name, tickSize: try Price("0.01"), stepSize: try Quantity("0.001"),
                minQuantity: try Quantity("0.001"), minNotional: try ExactDecimal("5"), contractSize: ExactDecimal(1))
        }
        return try Universe(
            symbols: [SymbolInfo(id: SymbolId(0), base: "BTC", quote: "USDT")],
            instruments: [try instrument(binanceSpot, "BTCUSDT"), try instrument(bybitSpot, "BTCUSDT"), try instrument(okxPerp, "BTC-USDT-SWAP")],
            directions: [
                Direction(kind: .spotSpot, symbol: SymbolId(0), buy: binanceSpot, sell: bybitSpot),
                Direction(kind: .spotSpot, symbol: SymbolId(0), buy: bybitSpot, sell: binanceSpot),
                Direction(kind: .spotPerp, symbol: SymbolId(0), buy: binanceSpot, sell: okxPerp),
            ])
    }

    @Test func indexListsEveryLegOfAnUpdate() throws {
        let index = DirectionIndex(universe: try Self.universe())
        let binance = index.legs(symbol: 0, source: Self.binanceSpot.index)
        #expect(binance.map(\.direction) == [0, 1, 2])
        #expect(binance.map(\.isBuyLeg) == [true, false, true])
        #expect(binance.map(\.counterpart) == [Self.bybitSpot.rawValue, Self.bybitSpot.rawValue, Self.okxPerp.rawValue])
        #expect(index.legs(symbol: 0, source: Self.okxPerp.index).map(\.isBuyLeg) == [false])
        #expect(index.legs(symbol: 0, source: SourceId(exchange: .mexc, market: .spot).index).isEmpty)
        #expect(index.legs(symbol: 7, source: 0).isEmpty, "unknown symbols have no legs")
        #expect(index.legCount == 6)
        #expect(DirectionIndex(universe: try Self.universe(), kinds: [.spotPerp]).legCount == 2)
    }

    final class Store {
        let names: SegmentNames
        let store: PriceStore
        init() throws {
            names = try SegmentNames(prefix: "sdt\(getpid())\(UInt16.random(in: 0...UInt16.max))")
            store = try PriceStore.create(names: names, symbolCapacity: 4)
        }
        deinit { for name in names.existing() { try? SharedMemorySegment.unlink(name: name) } }

        /// Publishes one level per side at 2-decimal prices, 3-decimal sizes.
        func publish(_ source: SourceId, bid: Int64, ask: Int64, size: Int64 = 2_000, verified: Bool = true, ageNanos: Int64 = 0) {
            var book = BookSnapshot()
            book.top.priceScale = 2
            book.top.quantityScale = 3
            book.top.verified = verified
            book.top.tsReceivedNanos = MonotonicClock.now() - ageNanos
            book.bids[0] = BookLevel(price: bid, quantity: size)
            book.asks[0] = BookLevel(price: ask, quantity: size)
            book.bidCount = 1
            book.askCount = 1
            store.publish(slot: store.slot(symbol: SymbolId(0), source: source)!, book: book)
        }
    }

    static func notice(_ source: SourceId) -> UpdateNotice {
        UpdateNotice(symbol: SymbolId(0), source: source, kind: 1, tsReceivedNanos: MonotonicClock.now())
    }

    @Test func emitsAboveTheEntryEdgeOnlyAndSizesIt() throws {
        let shm = try Store()
        var config = DetectorConfig()
        config.entryBps = 10
        config.takerFeeBps = ["binance/spot": 10, "bybit/spot": 10, "okx/perp": 5]
        let detector = SpreadDetector(store: shm.store, universe: try Self.universe(), config: config)
        // Bybit bids 65,200 while Binance asks 65,000: 30.77 bps gross, 10.77 net.
        shm.publish(Self.binanceSpot, bid: 6_499_000, ask: 6_500_000)
        shm.publish(Self.bybitSpot, bid: 6_520_000, ask: 6_521_000)
        shm.publish(Self.okxPerp, bid: 6_499_500, ask: 6_500_500)
        var emitted: [OpportunityRecord] = []
        let wallBefore = WallClock.now()
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { emitted.append($0) }
        let wallAfter = WallClock.now()
        #expect(emitted.count == 1)
        let record = try #require(emitted.first)
        // The wall time comes from the decision time and a clock offset: it lies between the wall
        // clock's readings around the call (1 µs either side for the two clocks' own steps).
        #expect(record.wallNanos >= wallBefore - 1_000 && record.wallNanos <= wallAfter + 1_000)
        #expect(record.buy == Self.binanceSpot && record.sell == Self.bybitSpot && record.strategyKind == .spotSpot)
        #expect(abs(record.grossBps - 200 / 65_000 * 10_000) < 1e-6)
        #expect(abs(record.netBps - (200 / 65_000 * 10_000 - 20)) < 1e-6)
        #expect(abs(record.quantity - 0.153) < 1e-9, "10,000 USDT at 65,000 is 0.15384…, rounded down to the step")
        #expect(record.decidedNanos >= record.tickReceivedNanos)
        #expect(detector.counters.emissions == 1 && detector.counters.evaluations == 2 && detector.counters.belowThreshold == 1)

        // Within the cooldown the same direction stays quiet.
        detector.evaluate(Self.notice(Self.binanceSpot), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.count == 1 && detector.counters.cooldown == 1)

        // 9 bps net is below a 10 bps entry: nothing, counted.
        shm.publish(Self.bybitSpot, bid: 6_518_900, ask: 6_521_000)
        let before = detector.counters.belowThreshold
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.count == 1 && detector.counters.belowThreshold == before + 2)
    }

    /// Publishes `levels` levels a side, each `size` deep and one tick apart.
    static func publishLevels(_ shm: Store, _ source: SourceId, bid: Int64, ask: Int64, size: Int64, levels: Int) {
        var book = BookSnapshot()
        book.top.priceScale = 2
        book.top.quantityScale = 3
        book.top.verified = true
        book.top.tsReceivedNanos = MonotonicClock.now()
        for level in 0..<levels {
            book.bids[level] = BookLevel(price: bid - Int64(level) * 100, quantity: size)
            book.asks[level] = BookLevel(price: ask + Int64(level) * 100, quantity: size)
        }
        book.bidCount = levels
        book.askCount = levels
        shm.store.publish(slot: shm.store.slot(symbol: SymbolId(0), source: source)!, book: book)
    }

    /// The detector sizes on the best levels it already read when they hold the whole size, and
    /// reads the books when the walk needs more: either way the size is the full-depth walk's.
    @Test(arguments: [(Int64(1_000_000), "best levels hold the 10,000 USDT"), (Int64(50), "0.05 BTC a level: the walk goes deep")])
    func sizesEqualTheFullDepthWalk(size: Int64, _ label: String) throws {
        let shm = try Store()
        var config = DetectorConfig()
        config.takerFeeBps = ["binance/spot": 10, "bybit/spot": 10, "okx/perp": 5]
        let universe = try Self.universe()
        let detector = SpreadDetector(store: shm.store, universe: universe, config: config)
        // Binance asks from 65,000, Bybit bids from 65,300 (46 bps gross at the best levels), $1 apart.
        Self.publishLevels(shm, Self.binanceSpot, bid: 6_499_000, ask: 6_500_000, size: size, levels: 8)
        Self.publishLevels(shm, Self.bybitSpot, bid: 6_530_000, ask: 6_531_000, size: size, levels: 8)
        Self.publishLevels(shm, Self.okxPerp, bid: 6_499_500, ask: 6_500_500, size: size, levels: 8)
        var emitted: [OpportunityRecord] = []
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { emitted.append($0) }
        let record = try #require(emitted.first { $0.sell == Self.bybitSpot })
        var buy = BookSnapshot()
        var sell = BookSnapshot()
        #expect(shm.store.readBook(slot: shm.store.slot(symbol: SymbolId(0), source: Self.binanceSpot)!, into: &buy) == .consistent)
        #expect(shm.store.readBook(slot: shm.store.slot(symbol: SymbolId(0), source: Self.bybitSpot)!, into: &sell) == .consistent)
        let rules = LegRules(universe: universe, config: config)
        guard case .success(let full) = SpreadMath.size(
            buy: buy, sell: sell, buyRules: rules.rules(symbol: 0, source: Self.binanceSpot.index),
            sellRules: rules.rules(symbol: 0, source: Self.bybitSpot.index), entryBps: config.entryBps, maxNotional: config.maxNotional)
        else {
            Issue.record("the full-depth walk sizes nothing")
            return
        }
        #expect(record.quantity == full.quantity && record.buyVWAP == full.buyVWAP && record.sellVWAP == full.sellVWAP, "\(label)")
        #expect(record.expectedProfit == full.expectedProfit && record.netBpsAtSize == full.netBpsAtSize)
        if size == 50 { #expect(full.buyLevels > 1 && record.quantity > 0.05, "deeper than the best level") }
        else { #expect(full.buyLevels == 1 && abs(record.quantity - 0.153) < 1e-9, "max notional within the best level") }
    }

    /// The best levels alone answer exactly when `maxNotional` is reached inside both of them.
    @Test func bestLevelsCoverOnlyWhenMaxNotionalStopsInsideThem() {
        func top(ask: Int64, askSize: Int64, bid: Int64, bidSize: Int64) -> TopOfBook {
            var top = TopOfBook()
            top.priceScale = 2
            top.quantityScale = 3
            top.askPrice = ask
            top.askQuantity = askSize
            top.bidPrice = bid
            top.bidQuantity = bidSize
            return top
        }
        let spot = LegRules.Rules(contractSize: 1, stepBase: 0.001, minQuantityBase: 0.001, minNotional: 5, takerFeeBps: 10, listed: true)
        let perp = LegRules.Rules(contractSize: 0.01, stepBase: 1, minQuantityBase: 1, minNotional: 0, takerFeeBps: 5, listed: true)
        // 10,000 USDT at 65,000 is 0.1538 BTC.
        let buy = top(ask: 6_500_000, askSize: 200, bid: 6_499_000, bidSize: 200)
        let deep = top(ask: 6_531_000, askSize: 200, bid: 6_530_000, bidSize: 200)
        let shallow = top(ask: 6_531_000, askSize: 150, bid: 6_530_000, bidSize: 150)
        #expect(SpreadMath.bestLevelsCover(maxNotional: 10_000, buyTop: buy, sellTop: deep, buyRules: spot, sellRules: spot))
        #expect(!SpreadMath.bestLevelsCover(maxNotional: 10_000, buyTop: buy, sellTop: shallow, buyRules: spot, sellRules: spot))
        #expect(!SpreadMath.bestLevelsCover(maxNotional: 20_000, buyTop: buy, sellTop: deep, buyRules: spot, sellRules: spot))
        // A perpetual's size is in contracts: 200 contracts of 0.01 BTC are 2 BTC, 10 are 0.1.
        let perpBids = top(ask: 6_531_000, askSize: 200_000, bid: 6_530_000, bidSize: 200_000)
        let fewContracts = top(ask: 6_531_000, askSize: 10_000, bid: 6_530_000, bidSize: 10_000)
        #expect(SpreadMath.bestLevelsCover(maxNotional: 10_000, buyTop: buy, sellTop: perpBids, buyRules: spot, sellRules: perp))
        #expect(!SpreadMath.bestLevelsCover(maxNotional: 10_000, buyTop: buy, sellTop: fewContracts, buyRules: spot, sellRules: perp))
        #expect(!SpreadMath.bestLevelsCover(maxNotional: 10_000, buyTop: TopOfBook(), sellTop: deep, buyRules: spot, sellRules: spot))
    }

    /// Rehearsal runs the real decision path on a private store: every run sizes and records an
    /// opportunity, and the real detector's store, counters, ids and cooldowns are untouched.
    @Test func rehearsalLeavesNoTrace() throws {
        let shm = try Store()
        var config = DetectorConfig()
        config.takerFeeBps = ["binance/spot": 10, "bybit/spot": 10, "okx/perp": 5]
        let universe = try Self.universe()
        let detector = SpreadDetector(store: shm.store, universe: universe, config: config, firstId: 7)
        shm.publish(Self.binanceSpot, bid: 6_499_000, ask: 6_500_000)
        shm.publish(Self.bybitSpot, bid: 6_520_000, ask: 6_521_000)
        shm.publish(Self.okxPerp, bid: 6_499_500, ask: 6_500_500)
        var before = BookSnapshot()
        #expect(shm.store.readBook(slot: shm.store.slot(symbol: SymbolId(0), source: Self.bybitSpot)!, into: &before) == .consistent)
        let rehearsal = try #require(DecisionRehearsal(universe: universe, config: config))
        for run in 1...100 {
            rehearsal.run()
            #expect(rehearsal.runs == UInt64(run))
        }
        // Its books make a candidate on the first direction (Binance → Bybit), sized to maxNotional
        // across several levels, as on real books.
        #expect(rehearsal.lastRecord.buy == Self.binanceSpot && rehearsal.lastRecord.sell == Self.bybitSpot)
        #expect(abs(rehearsal.lastRecord.buyVWAP * rehearsal.lastRecord.quantity - config.maxNotional) < config.maxNotional * 0.01)
        #expect(rehearsal.lastRecord.decidedNanos > 0 && rehearsal.lastRecord.netBps > config.entryBps)
        var after = BookSnapshot()
        #expect(shm.store.readBook(slot: shm.store.slot(symbol: SymbolId(0), source: Self.bybitSpot)!, into: &after) == .consistent)
        #expect(after.updateCount == before.updateCount, "the real store is not written")
        #expect(detector.counters == SpreadDetector.Counters())
        var emitted: [OpportunityRecord] = []
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.map(\.id) == [7], "ids continue from firstId")
        rehearsal.run()
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.count == 1 && detector.counters.cooldown == 1, "the cooldown set by the real emission holds")
        // A stricter entry applied to the rehearsal keeps it going through to the record.
        config.entryBps = 50
        rehearsal.apply(config)
        rehearsal.run()
        #expect(rehearsal.lastRecord.netBps > 50 && rehearsal.runs == 102)
    }

    /// The caller rehearses its own emit path on each run's record, and a hold it places (as the detector's outlet does) is lifted after the run,
    /// so the next run still reaches the record.
    @Test func rehearsalHandsOutItsRecordAndLiftsTheHold() throws {
        var config = DetectorConfig()
        config.takerFeeBps = ["binance/spot": 10, "bybit/spot": 10, "okx/perp": 5]
        let rehearsal = try #require(DecisionRehearsal(universe: try Self.universe(), config: config))
        var handed: [OpportunityRecord] = []
        for _ in 0..<3 {
            rehearsal.run { record in
                rehearsal.understudy.hold(TrackSubject(record), true)
                handed.append(record)
            }
        }
        #expect(handed.count == 3)
        #expect(handed.allSatisfy { $0.buy == Self.binanceSpot && $0.sell == Self.bybitSpot && $0.quantity > 0 })
        #expect(rehearsal.lastRecord.id == handed.last?.id)
    }

    @Test func staleOrUnverifiedPricesNeverEmit() throws {
        let shm = try Store()
        let detector = SpreadDetector(store: shm.store, universe: try Self.universe(), config: DetectorConfig())
        var emitted = 0
        shm.publish(Self.binanceSpot, bid: 6_499_000, ask: 6_500_000)
        shm.publish(Self.bybitSpot, bid: 6_600_000, ask: 6_601_000, verified: false)
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { _ in emitted += 1 }
        #expect(emitted == 0 && detector.counters.unverified == 2)
        shm.publish(Self.bybitSpot, bid: 6_600_000, ask: 6_601_000, ageNanos: 3_000_000_000)
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { _ in emitted += 1 }
        #expect(emitted == 0 && detector.counters.stale == 2)
        // Fresh and verified, the same prices emit; a paused strategy does not.
        shm.publish(Self.bybitSpot, bid: 6_600_000, ask: 6_601_000)
        detector.enabledStrategies = 0
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { _ in emitted += 1 }
        #expect(emitted == 0 && detector.counters.paused == 2)
        detector.enabledStrategies = .max
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { _ in emitted += 1 }
        #expect(emitted == 1)
    }

    @Test func heldDirectionsWaitForTheirTrackToClose() throws {
        let shm = try Store()
        var config = DetectorConfig()
        config.cooldownMillis = 0
        let detector = SpreadDetector(store: shm.store, universe: try Self.universe(), config: config)
        shm.publish(Self.binanceSpot, bid: 6_499_000, ask: 6_500_000)
        shm.publish(Self.bybitSpot, bid: 6_600_000, ask: 6_601_000)
        var emitted = 0
        detector.hold(TrackSubject(kind: .spread, index: 0), true)
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { _ in emitted += 1 }
        #expect(emitted == 0)
        detector.hold(TrackSubject(kind: .spread, index: 0), false)
        detector.evaluate(Self.notice(Self.bybitSpot), now: MonotonicClock.now()) { _ in emitted += 1 }
        #expect(emitted == 1)
        let reading = detector.reading(TrackSubject(kind: .spread, index: 0), now: MonotonicClock.now())
        #expect(reading.valid && abs(reading.grossBps - 100_000 / 6_500_000 * 10_000) < 1e-6)
    }

    @Test func configurationErrorsNameTheField() throws {
        #expect(try DetectorConfig.load(json: Array("{}".utf8)) == DetectorConfig())
        let custom = try DetectorConfig.load(json: Array(#"{"entryBps":12.5,"takerFeeBps":{"okx/perp":2}}"#.utf8))
        #expect(custom.entryBps == 12.5 && custom.takerFee(Self.okxPerp) == 2 && custom.takerFee(Self.binanceSpot) == 10)
        func error(_ text: String) -> String {
            do {
                _ = try DetectorConfig.load(json: Array(text.utf8))
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(error(#"{"entryBps":"ten"}"#).hasPrefix("entryBps: expected a number"))
        #expect(error(#"{"entryBps":5,"exitBps":8}"#).hasPrefix("exitBps: expected at most entryBps"))
        #expect(error(#"{"entrybps":5}"#).hasPrefix("entrybps: expected one of"))
        #expect(error(#"{"takerFeeBps":{"kraken/spot":1}}"#).hasPrefix("takerFeeBps.kraken/spot"))
        #expect(error(#"{"maxNotional":-1}"#).hasPrefix("maxNotional"))
        #expect(error(#"{"holdingHours":true}"#).hasPrefix("holdingHours: expected a number"), "a boolean is not a number")
        #expect(try DetectorConfig.load(json: Array(#"{"cooldownMillis":0,"holdingHours":1}"#.utf8)).cooldownMillis == 0, "0 and 1 are numbers")
        #expect(error("[1]").hasPrefix("(root)"))
    }
}

/// Funding carry: buy spot, sell the perpetual, collect the settlements of the holding time.
@Suite(.serialized) struct FundingCarryTests {
    @Test func settlementsInTheHoldingTime() {
        #expect(SpreadMath.settlements(holdingHours: 24, intervalHours: 8, hoursToNext: 1) == 3)
        #expect(SpreadMath.settlements(holdingHours: 24, intervalHours: 8, hoursToNext: 0.5) == 3)
        #expect(SpreadMath.settlements(holdingHours: 6, intervalHours: 8, hoursToNext: 7) == 0, "held 6 h, next payment in 7 h")
        #expect(SpreadMath.settlements(holdingHours: 24, intervalHours: 4, hoursToNext: 3.9) == 6)
        #expect(SpreadMath.settlements(holdingHours: 24, intervalHours: 8, hoursToNext: nil) == 3)
    }

    @Test func carryIsSignalledWhenFundingPaysForTheFees() throws {
        let shm = try SpreadDetectorTests.Store()
        var config = DetectorConfig()
        config.carryEntryBps = 5
        config.carryHoldingHours = 24
        config.carryMinAnnualRate = 0.5
        config.maxPriceAgeMillis = 120_000  // fresh past the carry cooldown (evaluated "later" below)
        let universe = try SpreadDetectorTests.universe()
        let detector = SpreadDetector(store: shm.store, universe: universe, config: config)
        // Spot ask 65,000, perp bid 65,005: 0.77 bps gross; fees 10 + 5.
        shm.publish(SpreadDetectorTests.binanceSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.bybitSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.okxPerp, bid: 6_500_500, ask: 6_500_600)
        let nextSettlement = WallClock.now() / 1_000_000 + 3_600_000
        var emitted: [OpportunityRecord] = []
        // 5 bps per 8 h is 54.75 % a year; 3 settlements in 24 h: 15 bps, net 0.77: below 5.
        detector.setFunding(
            symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.0005, intervalHours: 8, nextSettlementMillis: nextSettlement)
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.isEmpty)
        // 10 bps per 8 h: 30 bps collected, net 15.77.
        detector.setFunding(
            symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.001, intervalHours: 8, nextSettlementMillis: nextSettlement)
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) { emitted.append($0) }
        let carry = try #require(emitted.first)
        #expect(emitted.count == 1 && carry.strategyKind == .fundingCarry)
        #expect(carry.buy == SpreadDetectorTests.binanceSpot && carry.sell == SpreadDetectorTests.okxPerp)
        #expect(abs(carry.netBps - (5.0 / 65_000 * 10_000 - 15 + 30)) < 1e-6, "net \(carry.netBps) gross \(carry.grossBps)")
        #expect(carry.quantity > 0)
        // One signal per cooldown; a paused strategy signals nothing.
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.count == 1)
        // Its track holds the carry past the cooldown, and reads it as it was signalled (the
        // direction's spread is another subject: its reading counts the 8-hour funding, 10 bps).
        let subject = TrackSubject(carry)
        #expect(subject == TrackSubject(kind: .carry, index: Int(carry.direction)))
        detector.hold(subject, true)
        let later = MonotonicClock.now() + Int64(config.carryCooldownMillis + 1) * 1_000_000
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: later) { emitted.append($0) }
        #expect(emitted.count == 1, "held by its track")
        let reading = detector.reading(subject, now: MonotonicClock.now())
        #expect(reading.valid && abs(reading.netBps - carry.netBps) < 1e-6 && reading.quantity > 0, "\(reading)")
        let spreadReading = detector.reading(TrackSubject(kind: .spread, index: Int(carry.direction)), now: MonotonicClock.now())
        #expect(abs(spreadReading.netBps - (5.0 / 65_000 * 10_000 - 15 + 10)) < 1e-6, "\(spreadReading)")
        detector.hold(subject, false)
        // A track of the direction's spread holds the carry too: its position is the carry's.
        let spread = TrackSubject(kind: .spread, index: Int(carry.direction))
        detector.hold(spread, true)
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: later) { emitted.append($0) }
        #expect(emitted.count == 1, "the direction's spread is followed")
        detector.hold(spread, false)
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: later) { emitted.append($0) }
        #expect(emitted.count == 2 && emitted[1].strategyKind == .fundingCarry, "signalled again once its track closed")
        // Below the annual minimum nothing is considered.
        let quiet = SpreadDetector(store: shm.store, universe: universe, config: config)
        quiet.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.0001, intervalHours: 8)
        var none = 0
        quiet.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) { _ in none += 1 }
        #expect(none == 0)
    }
}

/// Funding that goes out of date, and what a reload keeps.
@Suite(.serialized) struct FundingLifetimeTests {
    static func carryConfig() -> DetectorConfig {
        var config = DetectorConfig()
        config.carryEntryBps = 5
        config.carryHoldingHours = 24
        config.carryMinAnnualRate = 0.5
        return config
    }

    /// Spot ask 65,000 and perp bid 65,005 (as in the carry test), so 10 bps of funding per 8 h
    /// makes a carry signal.
    static func prices(_ shm: SpreadDetectorTests.Store) {
        shm.publish(SpreadDetectorTests.binanceSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.bybitSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.okxPerp, bid: 6_500_500, ask: 6_500_600)
    }

    static func carrySignals(_ detector: SpreadDetector) -> Int {
        var count = 0
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) {
            if $0.strategyKind == .fundingCarry { count += 1 }
        }
        return count
    }

    /// A rate whose settlement passed over 5 min ago with no new one signals no carry (the rate
    /// paid now is unknown); a new rate lifts that, and says the old one was out of date.
    @Test func fundingPastItsSettlementSignalsNoCarryUntilANewRate() throws {
        let shm = try SpreadDetectorTests.Store()
        Self.prices(shm)
        let universe = try SpreadDetectorTests.universe()
        let detector = SpreadDetector(store: shm.store, universe: universe, config: Self.carryConfig())
        let wallMillis = WallClock.now() / 1_000_000
        let settled = wallMillis - 4 * 60 * 1000
        detector.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.001, intervalHours: 8, nextSettlementMillis: settled)
        #expect(detector.expireFunding(wallMillis: wallMillis).isEmpty, "4 min past: within the grace")
        #expect(detector.expireFunding(wallMillis: wallMillis + 2 * 60 * 1000).map { "\($0.source.name) \($0.symbol.index)" } == ["okx/perp 0"])
        #expect(detector.expireFunding(wallMillis: wallMillis + 3 * 60 * 1000).isEmpty, "reported once")
        #expect(detector.fundingOutOfDateCount == 1)
        #expect(Self.carrySignals(detector) == 0)
        let wasOutOfDate = detector.setFunding(
            symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.001, intervalHours: 8, nextSettlementMillis: wallMillis + 3_600_000)
        #expect(wasOutOfDate && detector.fundingOutOfDateCount == 0)
        #expect(Self.carrySignals(detector) == 1)
    }

    /// Out-of-date funding adds nothing to a spot→perp edge (the rate paid now is unknown), but a
    /// cost it showed still counts; a new rate restores the estimate. Binance spot ask 65,000,
    /// OKX perp bid 20 or 36 bps above; 15 bps of fees; ±0.1 % per 8 h = ±10 bps over 8 h held.
    @Test func outOfDateFundingIsNoIncomeOnASpotPerpEdge() throws {
        let shm = try SpreadDetectorTests.Store()
        var config = DetectorConfig()
        config.cooldownMillis = 0
        let detector = SpreadDetector(store: shm.store, universe: try SpreadDetectorTests.universe(), config: config)
        func spreadNet() -> Double? {
            var net: Double?
            detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) { record in
                if record.strategyKind == .spotPerp, record.buy == SpreadDetectorTests.binanceSpot { net = record.netBps }
            }
            return net
        }
        let wallMillis = WallClock.now() / 1_000_000
        let settled = wallMillis - 6 * 60 * 1000
        func fund(_ rate: Double, next: Int64) {
            detector.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: rate, intervalHours: 8, nextSettlementMillis: next)
        }
        shm.publish(SpreadDetectorTests.binanceSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.okxPerp, bid: 6_513_000, ask: 6_513_100)
        fund(0.001, next: settled)
        #expect(abs((spreadNet() ?? 0) - 15) < 0.01, "20 − 15 + 10 while the rate is current")
        #expect(detector.expireFunding(wallMillis: wallMillis).count == 1)
        #expect(spreadNet() == nil, "20 − 15: no unknown income")
        detector.apply(config)
        #expect(spreadNet() == nil, "a set keeps it out of date")

        shm.publish(SpreadDetectorTests.okxPerp, bid: 6_523_400, ask: 6_523_500)
        fund(-0.001, next: settled)
        #expect(abs((spreadNet() ?? 0) - 11) < 0.01, "36 − 15 − 10")
        _ = detector.expireFunding(wallMillis: wallMillis)
        #expect(abs((spreadNet() ?? 0) - 11) < 0.01, "the cost still counts")
        fund(0.001, next: wallMillis + 3_600_000)
        #expect(abs((spreadNet() ?? 0) - 31) < 0.01, "a new rate: 36 − 15 + 10")
    }

    /// A reload's new detector keeps the funding it knew and the cooldowns of signals just made:
    /// it neither waits for every rate again nor repeats a carry signal (not held by a track).
    @Test func aReloadKeepsFundingAndCooldowns() throws {
        let shm = try SpreadDetectorTests.Store()
        Self.prices(shm)
        let universe = try SpreadDetectorTests.universe()
        let next = WallClock.now() / 1_000_000 + 3_600_000
        let signalled = SpreadDetector(store: shm.store, universe: universe, config: Self.carryConfig())
        signalled.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.001, intervalHours: 8, nextSettlementMillis: next)
        #expect(Self.carrySignals(signalled) == 1)
        let reloaded = SpreadDetector(store: shm.store, universe: universe, config: Self.carryConfig())
        reloaded.carryOver(from: signalled, oldUniverse: universe, newUniverse: universe)
        #expect(Self.carrySignals(reloaded) == 0, "in the cooldown of the signal just made")

        let quiet = SpreadDetector(store: shm.store, universe: universe, config: Self.carryConfig())
        quiet.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.001, intervalHours: 8, nextSettlementMillis: next)
        let fresh = SpreadDetector(store: shm.store, universe: universe, config: Self.carryConfig())
        #expect(Self.carrySignals(fresh) == 0, "no funding known: no carry")
        let kept = SpreadDetector(store: shm.store, universe: universe, config: Self.carryConfig())
        kept.carryOver(from: quiet, oldUniverse: universe, newUniverse: universe)
        #expect(Self.carrySignals(kept) == 1, "the funding known before the reload")
    }
}

/// Triangular cycles through the detector: an update of any leg evaluates the cycle.
@Suite(.serialized) struct TriangularDetectorTests {
    static func publish(_ store: PriceStore, symbol: Int, source: SourceId, bid: Double, ask: Double, size: Double, verified: Bool = true) {
        var book = BookSnapshot()
        book.top.priceScale = 8
        book.top.quantityScale = 8
        book.top.verified = verified
        book.top.tsReceivedNanos = MonotonicClock.now()
        book.bids[0] = BookLevel(price: Int64((bid * 1e8).rounded()), quantity: Int64((size * 1e8).rounded()))
        book.asks[0] = BookLevel(price: Int64((ask * 1e8).rounded()), quantity: Int64((size * 1e8).rounded()))
        book.bidCount = 1
        book.askCount = 1
        store.publish(slot: store.slot(symbol: SymbolId(symbol), source: source)!, book: book)
    }

    @Test func aCycleAboveEntryIsEmittedOnceThenCoolsDown() throws {
        let shm = try SpreadDetectorTests.Store()
        var config = DetectorConfig()
        config.maxPriceAgeMillis = 60_000  // fresh past the cooldown (evaluated 5 s "later" below)
        let detector = SpreadDetector(store: shm.store, universe: try TriangularTests.universe(), config: config)
        let binance = TriangularTests.binance
        Self.publish(shm.store, symbol: 0, source: binance, bid: 50_000, ask: 50_010, size: 1)
        Self.publish(shm.store, symbol: 2, source: binance, bid: 3_020, ask: 3_021, size: 10)
        Self.publish(shm.store, symbol: 1, source: binance, bid: 0.06, ask: 0.0601, size: 10, verified: false)
        var emitted: [OpportunityRecord] = []
        let notice = UpdateNotice(symbol: SymbolId(1), source: binance, kind: 1, tsReceivedNanos: MonotonicClock.now())
        detector.evaluate(notice, now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.isEmpty && detector.counters.unverified == 1, "an unverified leg never trades")
        Self.publish(shm.store, symbol: 1, source: binance, bid: 0.06, ask: 0.0601, size: 10)
        detector.evaluate(notice, now: MonotonicClock.now()) { emitted.append($0) }
        let record = try #require(emitted.first)
        #expect(record.strategyKind == .triangular && record.symbol == 1 && record.reserved == 1, "forward through ETH-BTC")
        let product = 3_020 / (50_010 * 0.0601)
        #expect(abs(record.netBps - (product * 0.999 * 0.999 * 0.999 - 1) * 10_000) < 1e-6)
        // Steps of 0.001: 0.198 BTC bought (9,901.98 USDT), 3.291 ETH, 3.287 ETH sold; the largest,
        // 0.199 BTC (3.307, 3.303 ETH), left more dust: 13.09 USDT against 14.83.
        #expect(abs(record.quantity - 0.198 * 50_010) < 1e-9)
        #expect(abs(record.expectedProfit - (3.287 * 3_020 * 0.999 - 0.198 * 50_010)) < 1e-9)
        #expect(abs(record.netBpsAtSize - 14.9801) < 0.0001)
        // An update of another leg inside the cooldown emits nothing new.
        detector.evaluate(UpdateNotice(symbol: SymbolId(0), source: binance, kind: 1, tsReceivedNanos: MonotonicClock.now()), now: MonotonicClock.now()) {
            emitted.append($0)
        }
        #expect(emitted.count == 1 && detector.counters.cooldown == 1)
        // Its track reads the cycle in the orientation signalled, and holds it past the cooldown.
        let subject = TrackSubject(record)
        #expect(subject == TrackSubject(kind: .triangular, index: Int(record.direction), forward: true))
        let reading = detector.reading(subject, now: MonotonicClock.now())
        #expect(reading.valid && abs(reading.netBps - record.netBps) < 1e-9 && reading.quantity == config.maxNotional, "\(reading)")
        let reverse = detector.reading(TrackSubject(kind: .triangular, index: Int(record.direction), forward: false), now: MonotonicClock.now())
        #expect(abs(reverse.netBps - ((0.06 * 50_000 / 3_021) * 0.999 * 0.999 * 0.999 - 1) * 10_000) < 1e-9)
        detector.hold(subject, true)
        let later = MonotonicClock.now() + 5_000_000_000
        detector.evaluate(notice, now: later) { emitted.append($0) }
        #expect(emitted.count == 1, "held by its track")
        detector.hold(subject, false)
        Self.publish(shm.store, symbol: 1, source: binance, bid: 0.06, ask: 0.0601, size: 10, verified: false)
        #expect(!detector.reading(subject, now: MonotonicClock.now()).valid, "an unverified leg: no point")
        Self.publish(shm.store, symbol: 1, source: binance, bid: 0.06, ask: 0.0601, size: 10)
        // Paused: nothing; resumed, past the cooldown and no longer held: signalled again.
        detector.enabledStrategies = ~(UInt32(1) << UInt32(StrategyKind.triangular.rawValue))
        detector.evaluate(notice, now: MonotonicClock.now() + 5_000_000_000) { emitted.append($0) }
        #expect(emitted.count == 1)
        detector.enabledStrategies = .max
        detector.evaluate(notice, now: MonotonicClock.now() + 5_000_000_000) { emitted.append($0) }
        #expect(emitted.count == 2)
    }
}

extension FundingCarryTests {
    /// Spot→perp spread edge: the perp's funding over `holdingHours` (default 8) counts, pro rata
    /// to the venue's interval; positive rates pay the short perpetual, negative ones cost it.
    @Test func spotPerpEdgeCountsFundingOverTheHoldingTime() throws {
        let shm = try SpreadDetectorTests.Store()
        var config = DetectorConfig()
        #expect(config.holdingHours == 8)
        config.carryMinAnnualRate = 100  // carry out of the way: this is the spread's own edge
        config.cooldownMillis = 0
        let detector = SpreadDetector(store: shm.store, universe: try SpreadDetectorTests.universe(), config: config)
        // Spot ask 65,000, perp bid 65,143: 22 bps gross; fees 10 + 5: 7 bps net, below 10.
        shm.publish(SpreadDetectorTests.binanceSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.bybitSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.okxPerp, bid: 6_514_300, ask: 6_514_400)
        var emitted: [OpportunityRecord] = []
        let notice = SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp)
        detector.evaluate(notice, now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.isEmpty, "no funding known: fees decide")
        // 5 bps per 8 h over 8 h: +5 bps, 12 net.
        detector.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.0005, intervalHours: 8)
        detector.evaluate(notice, now: MonotonicClock.now()) { emitted.append($0) }
        let record = try #require(emitted.first)
        #expect(record.strategyKind == .spotPerp && record.sell == SpreadDetectorTests.okxPerp)
        #expect(abs(record.netBps - (143.0 / 65_000 * 10_000 - 15 + 5)) < 1e-6, "net \(record.netBps)")
        // A 4-hour venue interval pays twice in 8 hours: +10 bps.
        detector.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.0005, intervalHours: 4)
        detector.evaluate(notice, now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.count == 2 && abs(emitted[1].netBps - (143.0 / 65_000 * 10_000 - 15 + 10)) < 1e-6)
        // Negative funding costs the short: 7 − 5 = 2 bps, nothing.
        detector.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: -0.0005, intervalHours: 8)
        detector.evaluate(notice, now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.count == 2)
        // holdingHours 0 leaves funding out of the spread edge.
        var without = config
        without.holdingHours = 0
        let plain = SpreadDetector(store: shm.store, universe: try SpreadDetectorTests.universe(), config: without)
        plain.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.0005, intervalHours: 8)
        var none = 0
        plain.evaluate(notice, now: MonotonicClock.now()) { _ in none += 1 }
        #expect(none == 0)
    }

    @Test func aSpreadThatClearsEntryAloneIsNotAlsoCarry() throws {
        let shm = try SpreadDetectorTests.Store()
        var config = DetectorConfig()
        config.carryMinAnnualRate = 0.05
        let detector = SpreadDetector(store: shm.store, universe: try SpreadDetectorTests.universe(), config: config)
        shm.publish(SpreadDetectorTests.binanceSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.bybitSpot, bid: 6_499_900, ask: 6_500_000)
        shm.publish(SpreadDetectorTests.okxPerp, bid: 6_550_000, ask: 6_550_100)  // 76.9 bps over spot
        detector.setFunding(symbol: SymbolId(0), source: SpreadDetectorTests.okxPerp, ratePerInterval: 0.001, intervalHours: 8)
        var emitted: [OpportunityRecord] = []
        detector.evaluate(SpreadDetectorTests.notice(SpreadDetectorTests.okxPerp), now: MonotonicClock.now()) { emitted.append($0) }
        #expect(emitted.map(\.strategyKind) == [.spotPerp])
    }
}

/// The detector's set-up on universes no discovery would write.
@Suite struct AlteredUniverseTests {
    /// Universe files altered (a hand edit, a listing gone strange: a minimum quantity of 10^18, a
    /// contract size of 10^-18): those that load make a detector, a busy detector's rehearsal and
    /// an evaluation of every instrument without a trap, or are refused.
    @Test func alteredUniversesMakeADetectorOrAreRefused() throws {
        var random = SplitMix64(seed: 0x0A1E_5E01)
        let text = try SpreadDetectorTests.universe().jsonBytes()
        let variants = FrameMutations.numberReplacements(of: text) + FrameMutations.mutations(of: text, count: 150, using: &random)
        let names = try SegmentNames(prefix: "sdtu\(getpid())\(UInt16.random(in: 0...UInt16.max))")
        let store = try PriceStore.create(names: names, symbolCapacity: 4)
        defer { for name in names.existing() { try? SharedMemorySegment.unlink(name: name) } }
        // Each instrument's sizes and steps in turn at the edges an exact decimal can hold.
        let base = try SpreadDetectorTests.universe()
        var edges: [Universe] = []
        for (position, instrument) in base.instruments.enumerated() {
            for text in ["100000000000000000", "0.000000000000000001", "999999999999.999999", "0"] {
                let value = try ExactDecimal(text)
                for field in 0..<5 {
                    var changed = instrument
                    switch field {
                    case 0: changed.tickSize = Price(value)
                    case 1: changed.stepSize = Quantity(value)
                    case 2: changed.minQuantity = Quantity(value)
                    case 3: changed.minNotional = value
                    default: changed.contractSize = value
                    }
                    var instruments = base.instruments
                    instruments[position] = changed
                    if let universe = try? Universe(symbols: base.symbols, instruments: instruments, directions: base.directions) {
                        edges.append(universe)
                    }
                }
            }
        }
        var made = 0
        var emitted = 0
        for candidate in variants.map({ try? Universe(json: $0) }) + edges.map(Optional.some) {
            guard let universe = candidate, universe.symbols.count <= 4 else { continue }
            let detector = SpreadDetector(store: store, universe: universe, config: DetectorConfig())
            if let rehearsal = DecisionRehearsal(universe: universe, config: DetectorConfig()) { rehearsal.run() }
            // Books on which every direction is a candidate (each source's bid above every ask
            // but its own), so that sizing runs on the altered rules.
            for (number, instrument) in universe.instruments.enumerated() {
                guard let slot = store.slot(symbol: instrument.symbol, source: instrument.source) else { continue }
                var book = BookSnapshot()
                book.top.priceScale = 2
                book.top.quantityScale = 8
                book.top.verified = true
                book.top.tsReceivedNanos = MonotonicClock.now()
                for level in 0..<8 {
                    book.bids[level] = BookLevel(price: 10_100 + Int64(number) * 50 - Int64(level), quantity: 100_000_000)
                    book.asks[level] = BookLevel(price: 10_000 - Int64(number) * 50 + Int64(level), quantity: 100_000_000)
                }
                book.bidCount = 8
                book.askCount = 8
                store.publish(slot: slot, book: book)
            }
            for instrument in universe.instruments {
                let notice = UpdateNotice(symbol: instrument.symbol, source: instrument.source, kind: 0, tsReceivedNanos: 0)
                detector.evaluate(notice, now: MonotonicClock.now()) { _ in emitted += 1 }
            }
            made += 1
        }
        #expect(made > 10 && emitted > 10, "\(made) detectors, \(emitted) opportunities")
    }
}

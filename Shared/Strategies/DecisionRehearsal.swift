import DraizerCore
import FastPath
import Foundation

/// Keeps a busy-waiting detector's decision path warm. Between notices the detector only spins,
/// so the first opportunity after a quiet spell ran cold: on this 2-vCPU VM its leg checks,
/// sizing and record took 2–3 µs, against about 0.3 µs in a loop. A second detector (the
/// understudy) on a private price store, whose two books always make a candidate, runs the very
/// same `evaluate` code — prefetches, leg checks, both books read, sizing, the record — on each
/// `run()`. Nothing reaches the real store, rings, counters, ids or cooldowns.
public final class DecisionRehearsal {
    private let store: PriceStore
    /// The second detector: what a rehearsed emit path holds its direction on.
    public let understudy: SpreadDetector
    private let notice: UpdateNotice
    /// The last rehearsed opportunity (kept, so the work is not optimised away).
    public private(set) var lastRecord = OpportunityRecord()
    public private(set) var runs: UInt64 = 0

    /// Rehearses the universe's first direction (a spot→spot one when there is one); nil when the
    /// universe has no direction, its books cannot be written or no private store can be made.
    public init?(universe: Universe, config: DetectorConfig) {
        guard let direction = universe.directions.first(where: { $0.kind == .spotSpot }) ?? universe.directions.first,
            let names = try? SegmentNames(prefix: "draizer-rehearsal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"),
            let store = try? PriceStore.create(names: names, symbolCapacity: direction.symbol.index + 1)
        else { return nil }
        // The mapping stays; the name is not needed again.
        try? SharedMemorySegment.unlink(name: names.prices)
        self.store = store
        understudy = SpreadDetector(store: store, universe: universe, config: Self.understudyConfig(config))
        notice = UpdateNotice(symbol: direction.symbol, source: direction.sell, kind: 1, tsReceivedNanos: 0)
        let rules = understudy.rules
        let buyRules = rules.rules(symbol: direction.symbol.index, source: direction.buy.index)
        let sellRules = rules.rules(symbol: direction.symbol.index, source: direction.sell.index)
        guard let books = Self.books(buyRules: buyRules, sellRules: sellRules, config: config) else { return nil }
        for (source, book) in [(direction.buy, books.buy), (direction.sell, books.sell)] {
            guard let slot = store.slot(symbol: direction.symbol, source: source) else { return nil }
            store.publish(slot: slot, book: book)
        }
    }

    /// The real thresholds and sizes; no cooldown, so every run goes through to the record.
    static func understudyConfig(_ config: DetectorConfig) -> DetectorConfig {
        var config = config
        config.cooldownMillis = 0
        return config
    }

    /// Follows the detector's `set`.
    public func apply(_ config: DetectorConfig) {
        understudy.apply(Self.understudyConfig(config))
    }

    /// One rehearsal: the sell side's notice, evaluated as a real one. `emit` gets the record, so
    /// the caller can rehearse what it does with an opportunity too; a hold it places on the
    /// understudy's subject is lifted afterwards.
    public func run(emit: (inout OpportunityRecord) -> Void = { _ in }) {
        understudy.evaluate(notice, now: MonotonicClock.now()) { record in
            lastRecord = record
            emit(&record)
        }
        understudy.hold(TrackSubject(lastRecord), false)
        runs &+= 1
    }

    /// Asks at 100.00 rising a cent a level, bids far enough above to clear entry on every level;
    /// each level holds a fifth of `maxNotional` (at least both legs' minimums), so sizing reads
    /// past the best levels, as it does on most real books, and stops at `maxNotional`. Fresh for
    /// ever: received at the end of time. Nil when a level's quantity cannot be written at 8
    /// decimals in 64 bits (a listing's minimum of 10^11 base units or more, a contract of 10^-12).
    static func books(buyRules: LegRules.Rules, sellRules: LegRules.Rules, config: DetectorConfig) -> (buy: BookSnapshot, sell: BookSnapshot)? {
        let priceScale: UInt8 = 2
        let quantityScale: UInt8 = 8
        let ask = 100.0
        let bid = ask * (1 + (buyRules.takerFeeBps + sellRules.takerFeeBps + config.entryBps + 100) / 10_000)
        func levelQuantity(_ rules: LegRules.Rules) -> Int64? {
            let contract = rules.contractSize > 0 ? rules.contractSize : 1
            let base = max(config.maxNotional / 5 / ask, rules.minQuantityBase * 2, rules.minNotional * 2 / ask, 1e-6)
            return Int64(exactly: (base / contract * 1e8).rounded(.up))
        }
        func book(bids: Bool, from price: Double, quantity: Int64) -> BookSnapshot {
            var book = BookSnapshot()
            book.top.priceScale = priceScale
            book.top.quantityScale = quantityScale
            book.top.verified = true
            book.top.tsReceivedNanos = Int64.max / 2
            book.top.tsExchangeNanos = Int64.max / 2
            let first = Int64((price * 100).rounded())
            for level in 0..<PriceStore.levelsPerSide {
                let offset = Int64(level)
                if bids {
                    book.bids[level] = BookLevel(price: first - offset, quantity: quantity)
                    book.asks[level] = BookLevel(price: first + 1 + offset, quantity: quantity)
                } else {
                    book.asks[level] = BookLevel(price: first + offset, quantity: quantity)
                    book.bids[level] = BookLevel(price: first - 1 - offset, quantity: quantity)
                }
            }
            book.bidCount = PriceStore.levelsPerSide
            book.askCount = PriceStore.levelsPerSide
            book.top.bidPrice = book.bids[0].price
            book.top.bidQuantity = quantity
            book.top.askPrice = book.asks[0].price
            book.top.askQuantity = quantity
            return book
        }
        guard let buyQuantity = levelQuantity(buyRules), let sellQuantity = levelQuantity(sellRules) else { return nil }
        return (book(bids: false, from: ask, quantity: buyQuantity), book(bids: true, from: bid, quantity: sellQuantity))
    }
}

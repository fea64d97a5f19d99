import DraizerCore

/// One level change of a simulated update (quantity 0 deletes).
public struct SimLevelChange: Sendable, Equatable {
    public var side: Side
    public var price: Int64
    public var quantity: Int64
}

/// A simulated instrument's book on one venue, in fixed point at the instrument's scales, with
/// the venue's sequence state. Each `update` produces the changes since the previous state;
/// writers turn them into that venue's diff message.
public struct SimVenueBook: Sendable {
    public let instrument: SimInstrument
    /// Best first.
    public private(set) var bids: [BookLevel] = []
    public private(set) var asks: [BookLevel] = []
    /// Binance/Gate/MEXC-style update id of the last change (each update consumes ≥ 1 id).
    public private(set) var updateId: UInt64
    /// Cross sequence (Bybit `seq`, OKX `seqId`): +1 per message, may jump.
    public private(set) var sequence: UInt64
    /// Bybit's per-topic `u`: +1 per message; a snapshot carries the current value and deltas go on
    /// from it, also across resubscriptions (as on Bybit).
    public private(set) var messageCount: UInt64 = 0
    /// +1 per message, never reset (MEXC contract `version`).
    public private(set) var version: UInt64
    /// The update id before the last update (Binance futures `pu`, range starts).
    public private(set) var previousUpdateId: UInt64 = 0
    /// The cross sequence before the last update (OKX `prevSeqId`).
    public private(set) var previousSequence: UInt64 = 0
    private var random: SimRandom
    private let tickUnits: Int64
    private let levels: Int

    public init(instrument: SimInstrument, levels: Int, seed: UInt64) {
        self.instrument = instrument
        self.levels = levels
        random = SimRandom(seed: seed ^ UInt64(instrument.source.index) << 32 ^ UInt64(instrument.symbolIndex))
        updateId = 1_000_000 + UInt64(instrument.source.index) * 10_000 + UInt64(instrument.symbolIndex) * 100
        sequence = 5_000_000 + UInt64(instrument.symbolIndex) * 1000
        version = 30_000_000 + UInt64(instrument.symbolIndex) * 1000
        tickUnits = instrument.tick.mantissa
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }

    /// The same book with its best levels resized to `bidSteps`/`askSteps` steps (stress mode's
    /// extra top-of-book frames). Ladder below the top and sequence state are unchanged.
    public func withTopSizes(bidSteps: Int64, askSteps: Int64) -> SimVenueBook {
        var copy = self
        if !copy.bids.isEmpty { copy.bids[0].quantity = max(bidSteps, 1) * instrument.step.mantissa }
        if !copy.asks.isEmpty { copy.asks[0].quantity = max(askSteps, 1) * instrument.step.mantissa }
        return copy
    }

    /// The same book with at most `levels` best levels per side (a REST depth request's `limit`).
    public func limited(to levels: Int) -> SimVenueBook {
        var copy = self
        copy.bids = Array(bids.prefix(max(levels, 0)))
        copy.asks = Array(asks.prefix(max(levels, 0)))
        return copy
    }

    /// Fixed-point price of a Double, on the tick grid (bids round down, asks up).
    func onGrid(_ price: Double, roundUp: Bool) -> Int64 {
        let scale = pow10(instrument.priceScale)
        let units = price * scale / Double(tickUnits)
        let ticks = roundUp ? units.rounded(.up) : units.rounded(.down)
        return max(Int64(ticks), 1) * tickUnits
    }

    /// A random size in order units: 1 to 401 lots, small sizes likelier.
    mutating func size() -> Int64 {
        let lots = Int64(1 + random.unit() * random.unit() * 400)
        return lots * instrument.stepsPerLot * instrument.step.mantissa
    }

    /// Moves the book to quote (`bid`, `ask`) and returns what changed. Prices stay on contiguous
    /// ticks from the best; a few sizes change each time, as on a live book.
    public mutating func update(bid: Double, ask: Double) -> [SimLevelChange] {
        var bestBid = onGrid(bid, roundUp: false)
        var bestAsk = onGrid(ask, roundUp: true)
        if bestAsk <= bestBid { bestAsk = bestBid + tickUnits }
        if bestBid <= 0 { bestBid = tickUnits }
        var changes: [SimLevelChange] = []
        bids = rebuild(bids, best: bestBid, direction: -1, side: .buy, changes: &changes)
        asks = rebuild(asks, best: bestAsk, direction: 1, side: .sell, changes: &changes)
        if !changes.isEmpty {
            previousUpdateId = updateId
            previousSequence = sequence
            updateId += UInt64(changes.count)
            sequence += 1 + UInt64(random.unit() < 0.2 ? 2 : 0)
            messageCount += 1
            version += 1
        }
        return changes
    }

    private mutating func rebuild(
        _ old: [BookLevel], best: Int64, direction: Int64, side: Side, changes: inout [SimLevelChange]
    ) -> [BookLevel] {
        var sizes: [Int64: Int64] = [:]
        for level in old { sizes[level.price] = level.quantity }
        var new: [BookLevel] = []
        new.reserveCapacity(levels)
        for depth in 0..<levels {
            let price = best + direction * Int64(depth) * tickUnits
            guard price > 0 else { break }
            var quantity = sizes[price] ?? size()
            if sizes[price] != nil, random.unit() < 0.1 { quantity = size() }
            new.append(BookLevel(price: price, quantity: quantity))
        }
        let kept = Set(new.map(\.price))
        for level in old where !kept.contains(level.price) {
            changes.append(SimLevelChange(side: side, price: level.price, quantity: 0))
        }
        for level in new where sizes[level.price] != level.quantity {
            changes.append(SimLevelChange(side: side, price: level.price, quantity: level.quantity))
        }
        return new
    }

    /// Skips update ids / sequence numbers (fault injection: the next diff will not follow).
    public mutating func skipSequence() {
        updateId += 2
        sequence += 2
        messageCount += 1
        version += 1
    }
}

func pow10(_ exponent: Int) -> Double {
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

import DraizerCore

/// Triangular cycles on one exchange's spot market, built from the universe: for a cross pair
/// `B-A` (e.g. ETH-BTC) listed on a source that also lists `A-Q` and `B-Q` (BTC-USDT, ETH-USDT),
/// the quote currency `Q` can go round Q→A→B→Q (forward) or Q→B→A→Q (reverse).
public struct TriangularCycle: Sendable, Equatable {
    public var source: SourceId
    /// `A-Q`, e.g. BTC-USDT.
    public var first: SymbolId
    /// `B-Q`, e.g. ETH-USDT.
    public var second: SymbolId
    /// `B-A`, e.g. ETH-BTC.
    public var cross: SymbolId

    public init(source: SourceId, first: SymbolId, second: SymbolId, cross: SymbolId) {
        self.source = source
        self.first = first
        self.second = second
        self.cross = cross
    }
}

/// Every cycle of a universe, and for each (symbol, source) the cycles it is a leg of (a flat
/// table like `DirectionIndex`).
public struct TriangularIndex: Sendable {
    public let cycles: [TriangularCycle]
    private let table: SourceKeyedTable<Int32>

    public init(universe: Universe, quote: String = "USDT") {
        var cycles: [TriangularCycle] = []
        let byName = Dictionary(universe.symbols.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        for instrument in universe.instruments where instrument.source.market == .spot {
            guard let cross = universe.symbol(instrument.symbol), cross.quote != quote,
                let first = byName["\(cross.quote)-\(quote)"], let second = byName["\(cross.base)-\(quote)"],
                universe.instrument(symbol: first, source: instrument.source) != nil,
                universe.instrument(symbol: second, source: instrument.source) != nil
            else { continue }
            cycles.append(TriangularCycle(source: instrument.source, first: first, second: second, cross: cross.id))
        }
        self.cycles = cycles
        let entries = cycles.enumerated().flatMap { position, cycle in
            [cycle.first, cycle.second, cycle.cross].map { (key: $0.index * SourceId.count + cycle.source.index, element: Int32(position)) }
        }
        table = SourceKeyedTable(symbolCount: universe.symbols.count, entries: entries)
    }

    /// The cycles an update of (symbol, source) is a leg of.
    @inline(__always)
    public func cycles(symbol: Int, source: Int) -> ArraySlice<Int32> {
        table.elements[table.range(symbol: symbol, source: source)]
    }
}

/// The arithmetic of a cycle at the best prices.
public enum TriangularMath {
    /// Best prices and sizes of one leg (sizes in that pair's base currency).
    public struct Quote: Sendable, Equatable {
        public var bid: Double
        public var bidSize: Double
        public var ask: Double
        public var askSize: Double

        public init(bid: Double, bidSize: Double, ask: Double, askSize: Double) {
            self.bid = bid
            self.bidSize = bidSize
            self.ask = ask
            self.askSize = askSize
        }
    }

    public struct Result: Sendable, Equatable {
        /// Forward Q→A→B→Q, else reverse Q→B→A→Q.
        public var forward: Bool
        public var grossBps: Double
        /// After three taker fees.
        public var netBps: Double
        /// Quote currency put in at the start, the most the three best levels take.
        public var startAmount: Double
        /// Quote currency gained after fees.
        public var expectedProfit: Double
    }

    /// The three orders of a cycle at the best prices, each a multiple of its pair's step.
    public struct Execution: Sendable, Equatable {
        /// Quote currency paid on the first order.
        public var spent: Double
        /// Quote currency received from the last order, after its fee.
        public var received: Double
        /// Base quantities of the orders on A-Q, B-A and B-Q.
        public var firstQuantity: Double
        public var crossQuantity: Double
        public var secondQuantity: Double

        public var profit: Double { received - spent }
        /// Edge of the rounded orders after fees; the dust that rounding leaves counts as lost.
        public var netBps: Double { (received / spent - 1) * 10_000 }
    }

    /// The orders that put at most `result.startAmount` round the cycle: each buys or sells what
    /// the previous one delivered after its taker fee (fees are taken from what an order
    /// receives), rounded down to the pair's step (`stepBase`). What rounding leaves of the middle
    /// and last currencies is dust, counted as lost; of the first order's largest quantity and the
    /// `sizeCandidates − 1` just below it (one step less each), the one with the most profit is
    /// taken, which leaves about half the dust (on 200–3,000 USDT cycles at Gate.io's steps: 2.3 bps
    /// of the start on average instead of 4.6). Nil when every candidate has an order below its
    /// pair's minimum size or value (`minQuantityBase`, `minNotional` in the pair's quote currency).
    public static func execute(
        _ result: Result, first: Quote, second: Quote, cross: Quote, feeBps: Double,
        limits: (first: LegRules.Rules, second: LegRules.Rules, cross: LegRules.Rules)
    ) -> Execution? {
        let keep = 1 - feeBps / 10_000
        func valid(_ quantity: Double, _ price: Double, _ limit: LegRules.Rules) -> Bool {
            quantity > 0 && quantity >= limit.minQuantityBase - 1e-12 && quantity * price >= limit.minNotional
        }
        // The first order's quantity in steps of its pair (forward: A on A-Q; reverse: B on B-Q).
        let opening = result.forward ? (price: first.ask, step: limits.first.stepBase) : (price: second.ask, step: limits.second.stepBase)
        let largest = SpreadMath.roundDown(result.startAmount / opening.price, toStep: opening.step)
        var best: Execution?
        // A pair without a step has one candidate: the largest.
        for candidate in 0..<(opening.step > 0 ? sizeCandidates : 1) {
            let quantity = largest - Double(candidate) * opening.step
            guard quantity > 0 else { break }
            let orders: Execution
            if result.forward {
                // Buy A on A-Q, buy B with A on B-A, sell B on B-Q.
                let a = quantity
                let b = SpreadMath.roundDown(a * keep / cross.ask, toStep: limits.cross.stepBase)
                let sold = SpreadMath.roundDown(b * keep, toStep: limits.second.stepBase)
                guard valid(a, first.ask, limits.first), valid(b, cross.ask, limits.cross), valid(sold, second.bid, limits.second) else {
                    continue
                }
                orders = Execution(spent: a * first.ask, received: sold * second.bid * keep, firstQuantity: a, crossQuantity: b, secondQuantity: sold)
            } else {
                // Buy B on B-Q, sell B for A on B-A, sell A on A-Q.
                let b = quantity
                let crossed = SpreadMath.roundDown(b * keep, toStep: limits.cross.stepBase)
                let a = SpreadMath.roundDown(crossed * cross.bid * keep, toStep: limits.first.stepBase)
                guard valid(b, second.ask, limits.second), valid(crossed, cross.bid, limits.cross), valid(a, first.bid, limits.first) else {
                    continue
                }
                orders = Execution(spent: b * second.ask, received: a * first.bid * keep, firstQuantity: a, crossQuantity: crossed, secondQuantity: b)
            }
            if best.map({ orders.profit > $0.profit }) ?? true { best = orders }
        }
        return best
    }

    /// First-order quantities `execute` compares (the largest and one step less each time).
    public static let sizeCandidates = 16

    /// A cycle with legs `first` (A-Q), `second` (B-Q), `cross` (B-A), each paying `feeBps`, in
    /// the better orientation (or the one asked for); sized to the best levels and `maxNotional`.
    public static func evaluate(
        first: Quote, second: Quote, cross: Quote, feeBps: Double, maxNotional: Double, forward orientation: Bool? = nil
    ) -> Result {
        let keep = (1 - feeBps / 10_000) * (1 - feeBps / 10_000) * (1 - feeBps / 10_000)
        // Forward: buy A with Q at A-Q's ask, buy B with A at B-A's ask, sell B at B-Q's bid.
        let forwardProduct = second.bid / (first.ask * cross.ask)
        // Reverse: buy B with Q at B-Q's ask, sell B for A at B-A's bid, sell A at A-Q's bid.
        let reverseProduct = cross.bid * first.bid / second.ask
        let forward = orientation ?? (forwardProduct >= reverseProduct)
        let product = forward ? forwardProduct : reverseProduct
        let start: Double
        if forward {
            start = min(
                maxNotional, first.askSize * first.ask, cross.askSize * cross.ask * first.ask, second.bidSize * cross.ask * first.ask)
        } else {
            start = min(maxNotional, second.askSize * second.ask, cross.bidSize * second.ask, first.bidSize / cross.bid * second.ask)
        }
        let net = product * keep - 1
        return Result(
            forward: forward, grossBps: (product - 1) * 10_000, netBps: net * 10_000, startAmount: max(start, 0),
            expectedProfit: max(start, 0) * net)
    }
}

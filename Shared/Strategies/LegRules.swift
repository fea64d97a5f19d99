import DraizerCore

/// How one (symbol, source) trades, in the units the evaluator works in: base-currency
/// quantities (venue quantity × contract size), the order step in base units, the minimum order
/// value and the taker fee. Flat table indexed like `DirectionIndex`.
public struct LegRules: Sendable {
    public struct Rules: Sendable, Equatable {
        /// Base units per unit of the venue's quantity (contracts on OKX/Gate/MEXC perps).
        public var contractSize: Double
        /// Smallest quantity increment, base units.
        public var stepBase: Double
        /// Smallest order, base units.
        public var minQuantityBase: Double
        public var minNotional: Double
        public var takerFeeBps: Double
        /// False when the universe lists no instrument here.
        public var listed: Bool

        public init(
            contractSize: Double, stepBase: Double, minQuantityBase: Double, minNotional: Double, takerFeeBps: Double, listed: Bool
        ) {
            self.contractSize = contractSize
            self.stepBase = stepBase
            self.minQuantityBase = minQuantityBase
            self.minNotional = minNotional
            self.takerFeeBps = takerFeeBps
            self.listed = listed
        }

        public static let unlisted = Rules(contractSize: 1, stepBase: 0, minQuantityBase: 0, minNotional: 0, takerFeeBps: 0, listed: false)
    }

    private var table: [Rules]

    public init(universe: Universe, config: DetectorConfig) {
        table = Array(repeating: .unlisted, count: universe.symbols.count * SourceId.count)
        for instrument in universe.instruments {
            let contract = instrument.contractSize.doubleValue
            table[instrument.symbol.index * SourceId.count + instrument.source.index] = Rules(
                contractSize: contract, stepBase: instrument.stepSize.decimal.doubleValue * contract,
                minQuantityBase: instrument.minQuantity.decimal.doubleValue * contract, minNotional: instrument.minNotional.doubleValue,
                takerFeeBps: config.takerFee(instrument.source), listed: true)
        }
    }

    /// The table's bytes, for warming them.
    func forEachTable(_ body: (UnsafeRawBufferPointer) -> Void) { table.withUnsafeBytes(body) }

    @inline(__always)
    public func rules(symbol: Int, source: Int) -> Rules {
        table[symbol * SourceId.count + source]
    }

    /// Replaces every listed instrument's fee (after a `set` of fees at run time).
    public mutating func apply(config: DetectorConfig) {
        for key in table.indices where table[key].listed {
            table[key].takerFeeBps = config.takerFee(SourceId(rawValue: UInt8(key % SourceId.count))!)
        }
    }
}

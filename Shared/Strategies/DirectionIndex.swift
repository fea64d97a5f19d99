import DraizerCore

/// What one (symbol, source) price update has to evaluate: every direction it is a leg of, with
/// the counterpart source. A flat table indexed by `symbol * SourceId.count + source`: no
/// hashing and no `String` on the hot path.
public struct DirectionIndex: Sendable {
    public struct Leg: Sendable, Equatable {
        /// Position in `directions`.
        public var direction: Int32
        /// The other leg's source.
        public var counterpart: UInt8
        /// True when the updated source is the one bought on.
        public var isBuyLeg: Bool
    }

    public let directions: [Direction]
    private let table: SourceKeyedTable<Leg>

    /// Directions of `universe` whose kind is in `kinds`.
    public init(universe: Universe, kinds: Set<DirectionKind> = Set(DirectionKind.allCases)) {
        let chosen = universe.directions.filter { kinds.contains($0.kind) }
        directions = chosen
        let entries = chosen.enumerated().flatMap { position, direction -> [(key: Int, element: Leg)] in
            let symbol = direction.symbol.index * SourceId.count
            return [
                (symbol + direction.buy.index, Leg(direction: Int32(position), counterpart: direction.sell.rawValue, isBuyLeg: true)),
                (symbol + direction.sell.index, Leg(direction: Int32(position), counterpart: direction.buy.rawValue, isBuyLeg: false)),
            ]
        }
        table = SourceKeyedTable(symbolCount: universe.symbols.count, entries: entries)
    }

    /// The legs an update of (symbol, source) takes part in (empty for unknown pairs).
    @inline(__always)
    public func legs(symbol: Int, source: Int) -> ArraySlice<Leg> {
        table.elements[legRange(symbol: symbol, source: source)]
    }

    /// Positions of those legs (for tables kept beside the index, one entry per leg).
    @inline(__always)
    public func legRange(symbol: Int, source: Int) -> Range<Int> { table.range(symbol: symbol, source: source) }

    @inline(__always)
    public func leg(at position: Int) -> Leg { table.elements[position] }

    /// The leg table's bytes, for warming them.
    func forEachTable(_ body: (UnsafeRawBufferPointer) -> Void) { table.forEachTable(body) }

    public var legCount: Int { table.elements.count }
}

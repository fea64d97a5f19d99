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
    public let symbolCount: Int
    /// `offsets[key] ..< offsets[key + 1]` are the legs of key `symbol * SourceId.count + source`.
    private let offsets: [Int32]
    private let legs: [Leg]

    /// Directions of `universe` whose kind is in `kinds`.
    public init(universe: Universe, kinds: Set<DirectionKind> = Set(DirectionKind.allCases)) {
        let chosen = universe.directions.filter { kinds.contains($0.kind) }
        directions = chosen
        symbolCount = universe.symbols.count
        let keys = symbolCount * SourceId.count
        var perKey = [[Leg]](repeating: [], count: keys)
        for (position, direction) in chosen.enumerated() {
            let symbol = direction.symbol.index * SourceId.count
            perKey[symbol + direction.buy.index].append(Leg(direction: Int32(position), counterpart: direction.sell.rawValue, isBuyLeg: true))
            perKey[symbol + direction.sell.index].append(Leg(direction: Int32(position), counterpart: direction.buy.rawValue, isBuyLeg: false))
        }
        var offsets = [Int32](repeating: 0, count: keys + 1)
        var legs: [Leg] = []
        legs.reserveCapacity(chosen.count * 2)
        for key in 0..<keys {
            offsets[key] = Int32(legs.count)
            legs += perKey[key]
        }
        offsets[keys] = Int32(legs.count)
        self.offsets = offsets
        self.legs = legs
    }

    /// The legs an update of (symbol, source) takes part in (empty for unknown pairs).
    @inline(__always)
    public func legs(symbol: Int, source: Int) -> ArraySlice<Leg> {
        legs[legRange(symbol: symbol, source: source)]
    }

    /// Positions of those legs (for tables kept beside the index, one entry per leg).
    @inline(__always)
    public func legRange(symbol: Int, source: Int) -> Range<Int> {
        guard symbol < symbolCount, source < SourceId.count else { return 0..<0 }
        let key = symbol * SourceId.count + source
        return Int(offsets[key])..<Int(offsets[key + 1])
    }

    @inline(__always)
    public func leg(at position: Int) -> Leg { legs[position] }

    public var legCount: Int { legs.count }
}

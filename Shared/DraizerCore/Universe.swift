/// A global trading pair, e.g. `BTC-USDT`.
public struct SymbolInfo: Sendable, Hashable {
    public var id: SymbolId
    public var base: String
    public var quote: String

    public init(id: SymbolId, base: String, quote: String) {
        self.id = id
        self.base = base
        self.quote = quote
    }

    /// `BASE-QUOTE`.
    public var name: String { "\(base)-\(quote)" }
}

/// How one source trades one symbol: its own name for it and its trading rules.
public struct Instrument: Sendable, Hashable {
    public var symbol: SymbolId
    public var source: SourceId
    /// The exchange's own name (`BTCUSDT`, `BTC-USDT-SWAP`, `BTC_USDT`).
    public var exchangeSymbol: String
    public var tickSize: Price
    public var stepSize: Quantity
    public var minQuantity: Quantity
    /// Minimum order value in the quote currency; zero when the venue has none.
    public var minNotional: ExactDecimal
    /// Base units per contract (1 for spot and for venues quoting perps in base units).
    public var contractSize: ExactDecimal

    public init(
        symbol: SymbolId, source: SourceId, exchangeSymbol: String, tickSize: Price,
        stepSize: Quantity, minQuantity: Quantity, minNotional: ExactDecimal,
        contractSize: ExactDecimal
    ) {
        self.symbol = symbol
        self.source = source
        self.exchangeSymbol = exchangeSymbol
        self.tickSize = tickSize
        self.stepSize = stepSize
        self.minQuantity = minQuantity
        self.minNotional = minNotional
        self.contractSize = contractSize
    }
}

/// The strategy family a direction belongs to; it fixes which markets the two legs use.
public enum DirectionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Buy spot on one exchange, sell spot on another.
    case spotSpot = "spot_spot"
    /// Buy spot, sell the perpetual (across or within an exchange).
    case spotPerp = "spot_perp"
    /// Buy one exchange's perpetual, sell another's.
    case perpPerp = "perp_perp"

    /// The markets of the buy and sell legs.
    public var legs: (buy: MarketKind, sell: MarketKind) {
        switch self {
        case .spotSpot: (.spot, .spot)
        case .spotPerp: (.spot, .perp)
        case .perpPerp: (.perp, .perp)
        }
    }
}

/// An ordered pair of sources on which one symbol may be bought on one and sold on the other.
public struct Direction: Sendable, Hashable {
    public var kind: DirectionKind
    public var symbol: SymbolId
    public var buy: SourceId
    public var sell: SourceId

    public init(kind: DirectionKind, symbol: SymbolId, buy: SourceId, sell: SourceId) {
        self.kind = kind
        self.symbol = symbol
        self.buy = buy
        self.sell = sell
    }
}

/// Everything the services trade: symbols (dense ids), per-source instruments and directions.
///
/// A `Universe` is always valid: the only ways to get one are `init(validating...)` and `load`,
/// which check every invariant and report the first violation with its JSON path.
public struct Universe: Sendable, Equatable {
    /// An asset code as the universe takes it and venues list it: capitals and digits (A-Z, 0-9),
    /// at least one.
    public static func isAssetCode(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Symbols in id order: `symbols[i].id.index == i`.
    public let symbols: [SymbolInfo]
    public let instruments: [Instrument]
    public let directions: [Direction]

    /// Flat index `symbol * SourceId.count + source` → position in `instruments`, or -1.
    private let instrumentSlots: [Int32]

    public init(symbols: [SymbolInfo], instruments: [Instrument], directions: [Direction])
        throws(UniverseError)
    {
        try UniverseValidator.validate(symbols: symbols, instruments: instruments, directions: directions)
        self.symbols = symbols
        self.instruments = instruments
        self.directions = directions
        var slots = [Int32](repeating: -1, count: symbols.count * SourceId.count)
        for (position, instrument) in instruments.enumerated() {
            slots[instrument.symbol.index * SourceId.count + instrument.source.index] = Int32(position)
        }
        self.instrumentSlots = slots
    }

    public static func == (lhs: Universe, rhs: Universe) -> Bool {
        lhs.symbols == rhs.symbols && lhs.instruments == rhs.instruments
            && lhs.directions == rhs.directions
    }

    public func symbol(_ id: SymbolId) -> SymbolInfo? {
        id.index < symbols.count ? symbols[id.index] : nil
    }

    public func symbolId(named name: String) -> SymbolId? {
        symbols.first(where: { $0.name == name })?.id
    }

    public func instrument(symbol: SymbolId, source: SourceId) -> Instrument? {
        guard symbol.index < symbols.count else { return nil }
        let position = instrumentSlots[symbol.index * SourceId.count + source.index]
        return position < 0 ? nil : instruments[Int(position)]
    }

    public func instruments(of source: SourceId) -> [Instrument] {
        instruments.filter { $0.source == source }
    }
}

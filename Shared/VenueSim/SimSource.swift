import DraizerCore

/// One simulated source (one market of one exchange): its instruments, a book per symbol and
/// its wire format. The server layer turns its output into WebSocket frames and REST bodies and
/// applies the scenario's faults.
///
/// Threading: one owner (the venue's simulation thread).
public struct SimSource: Sendable {
    public let source: SourceId
    public let format: any SimWireFormat
    /// One book per scenario symbol (indexed like `scenario.symbols`); the ones this source does
    /// not list (cross pairs on a perpetual market) are never updated or served.
    public private(set) var books: [SimVenueBook]
    private let listed: [Bool]
    private var noise: SimRandom

    public init(source: SourceId, scenario: SimScenario) {
        self.source = source
        format = simWireFormat(for: source)
        books = scenario.symbols.enumerated().map { index, symbol in
            SimVenueBook(
                instrument: SimInstrument.make(source: source, symbolIndex: index, symbol: symbol), levels: scenario.depthLevels,
                seed: scenario.seed)
        }
        listed = scenario.symbols.map { $0.isListed(on: source) }
        noise = SimRandom(seed: scenario.seed &+ UInt64(source.index) &* 7919)
    }

    /// The instruments this source lists.
    public var instruments: [SimInstrument] { books.indices.filter { listed[$0] }.map { books[$0].instrument } }

    /// The frames one market update of symbol `index` produces: top of book, and the depth diff
    /// when levels changed.
    public struct Update: Sendable {
        public var topOfBook: [UInt8]
        public var depth: [UInt8]?
    }

    public mutating func update(symbolIndex: Int, market: SimMarket, timeMillis: Int64) -> Update {
        let quote = market.quote(symbolIndex: symbolIndex, source: source, noise: &noise)
        let changes = books[symbolIndex].update(bid: quote.bid, ask: quote.ask)
        let book = books[symbolIndex]
        return Update(
            topOfBook: format.topOfBook(book, timeMillis: timeMillis, fundingRate: market.fundingRate(symbolIndex: symbolIndex, source: source)),
            depth: changes.isEmpty ? nil : format.depthUpdate(book, changes: changes, timeMillis: timeMillis))
    }

    /// Stress mode: the top-of-book frame of the current book with the best sizes set by
    /// `variant`, so consecutive frames differ while the book itself does not move.
    public func stressTopOfBook(symbolIndex: Int, variant: Int, market: SimMarket, timeMillis: Int64) -> [UInt8] {
        let book = books[symbolIndex].withTopSizes(bidSteps: Int64(1 + variant % 97), askSteps: Int64(1 + (variant * 7) % 89))
        return format.topOfBook(book, timeMillis: timeMillis, fundingRate: market.fundingRate(symbolIndex: symbolIndex, source: source))
    }

    /// The REST (or subscribe) depth snapshot, with at most `limit` levels per side (nil: all).
    public func depthSnapshot(symbolIndex: Int, timeMillis: Int64, limit: Int? = nil) -> [UInt8] {
        format.depthSnapshot(limit.map { books[symbolIndex].limited(to: $0) } ?? books[symbolIndex], timeMillis: timeMillis)
    }

    public func instrumentsBody(market: SimMarket, timeMillis: Int64) -> [UInt8] {
        let instruments = instruments
        return format.instruments(
            instruments, fundingRates: instruments.map { market.fundingRate(symbolIndex: $0.symbolIndex, source: source) },
            timeMillis: timeMillis)
    }

    public func fundingFrame(symbolIndex: Int, market: SimMarket, timeMillis: Int64) -> [UInt8]? {
        let next = (timeMillis / 28_800_000 + 1) * 28_800_000
        return format.funding(
            books[symbolIndex], rate: market.fundingRate(symbolIndex: symbolIndex, source: source), nextSettlementMillis: next,
            timeMillis: timeMillis)
    }

    /// Fault injection: the next depth diff of `symbolIndex` will not follow the previous one.
    public mutating func skipSequence(symbolIndex: Int) {
        books[symbolIndex].skipSequence()
    }

    /// Index of the symbol with this exchange name, or nil.
    public func symbolIndex(exchangeSymbol: String) -> Int? {
        books.indices.first { listed[$0] && books[$0].instrument.exchangeSymbol == exchangeSymbol }
    }
}

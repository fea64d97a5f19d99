import DraizerCore

/// One simulated instrument on one source, named and sized as that venue names and sizes it.
public struct SimInstrument: Sendable, Equatable {
    public var source: SourceId
    public var symbolIndex: Int
    public var base: String
    /// USDT, or BTC/ETH for a cross pair (spot only).
    public var quote: String
    /// `BTCUSDT`, `BTC-USDT`, `BTC-USDT-SWAP`, `BTC_USDT` — the venue's own spelling.
    public var exchangeSymbol: String
    public var tick: ExactDecimal
    /// Size step in the venue's order unit (base units, or 1 contract).
    public var step: ExactDecimal
    /// Base units per order unit (1 on spot; the base step on Gate.io and MEXC contracts).
    public var contractSize: ExactDecimal
    /// Smallest order value in the quote currency: 5 USDT, or 0.0001 of a cross pair's quote.
    public var minNotional: ExactDecimal
    /// Book levels are sized in lots of this many steps (the scenario's `lot` over its `step`).
    public var stepsPerLot: Int64 = 1

    public var priceScale: Int { Int(tick.scale) }
    public var quantityScale: Int { Int(step.scale) }

    public static func make(source: SourceId, symbolIndex: Int, symbol: SimScenario.Symbol) -> SimInstrument {
        let base = symbol.base
        let quote = symbol.quoteCurrency
        let tick = (try? ExactDecimal(symbol.tick ?? "0.01")) ?? "0.01"
        let baseStep = (try? ExactDecimal(symbol.step ?? "0.001")) ?? "0.001"
        let lot = symbol.lot.flatMap { try? ExactDecimal($0) } ?? baseStep
        let name: String
        switch (source.exchange, source.market) {
        case (.binance, _), (.bybit, _), (.mexc, .spot): name = "\(base)\(quote)"
        case (.okx, .spot): name = "\(base)-\(quote)"
        case (.okx, .perp): name = "\(base)-\(quote)-SWAP"
        case (.gateio, _), (.mexc, .perp): name = "\(base)_\(quote)"
        }
        // Gate.io and MEXC perpetuals trade whole contracts of `baseStep` base units.
        let inContracts = source.market == .perp && (source.exchange == .gateio || source.exchange == .mexc)
        return SimInstrument(
            source: source, symbolIndex: symbolIndex, base: base, quote: quote, exchangeSymbol: name, tick: tick,
            step: inContracts ? ExactDecimal(1) : baseStep, contractSize: inContracts ? baseStep : ExactDecimal(1),
            minNotional: symbol.isCross ? "0.0001" : ExactDecimal(5),
            stepsPerLot: max(1, Int64((lot.doubleValue / baseStep.doubleValue).rounded())))
    }
}

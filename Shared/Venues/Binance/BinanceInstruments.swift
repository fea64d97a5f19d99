import DraizerCore

/// Binance `GET /api/v3/exchangeInfo` (spot) and `GET /fapi/v1/exchangeInfo` (USDⓈ-M).
/// Kept: status `TRADING`, quote `USDT`; spot with spot trading allowed; futures `PERPETUAL`
/// contracts margined in USDT. Tick from `PRICE_FILTER`, step and min quantity from `LOT_SIZE`,
/// min notional from `MIN_NOTIONAL`/`NOTIONAL`.
enum BinanceInstruments {
    struct Filter: Decodable {
        var filterType: String
        var tickSize: VenueDecimal?
        var stepSize: VenueDecimal?
        var minQty: VenueDecimal?
        var minNotional: VenueDecimal?
        var notional: VenueDecimal?
    }
    struct Symbol: Decodable {
        var symbol: String
        var status: String
        var baseAsset: String
        var quoteAsset: String
        var marginAsset: String?
        var contractType: String?
        var isSpotTradingAllowed: Bool?
        var filters: [Filter]
    }
    struct Body: Decodable {
        var symbols: [Symbol]
    }

    static func spot(_ body: [UInt8]) throws -> InstrumentList {
        try parse(body, source: SourceId(exchange: .binance, market: .spot))
    }

    static func perp(_ body: [UInt8]) throws -> InstrumentList {
        try parse(body, source: SourceId(exchange: .binance, market: .perp))
    }

    static func parse(_ body: [UInt8], source: SourceId) throws -> InstrumentList {
        var list = InstrumentList()
        for symbol in try InstrumentListParser.decode(Body.self, body).symbols {
            guard symbol.status == "TRADING" else {
                list.exclude(symbol.symbol, "status \(symbol.status)")
                continue
            }
            guard InstrumentListParser.keeps(quote: symbol.quoteAsset, market: source.market) else {
                list.exclude(symbol.symbol, "quote \(symbol.quoteAsset)")
                continue
            }
            if source.market == .spot, symbol.isSpotTradingAllowed == false {
                list.exclude(symbol.symbol, "spot trading not allowed")
                continue
            }
            if source.market == .perp {
                guard symbol.contractType == "PERPETUAL" else {
                    list.exclude(symbol.symbol, "contract type \(symbol.contractType ?? "none")")
                    continue
                }
                guard symbol.marginAsset == InstrumentListParser.quote else {
                    list.exclude(symbol.symbol, "margin asset \(symbol.marginAsset ?? "none")")
                    continue
                }
            }
            let price = symbol.filters.first { $0.filterType == "PRICE_FILTER" }
            let lot = symbol.filters.first { $0.filterType == "LOT_SIZE" }
            let notional = symbol.filters.first { $0.filterType == "MIN_NOTIONAL" || $0.filterType == "NOTIONAL" }
            guard let tick = price?.tickSize?.value, let step = lot?.stepSize?.value, let minQty = lot?.minQty?.value else {
                list.exclude(symbol.symbol, "missing PRICE_FILTER or LOT_SIZE")
                continue
            }
            let listing = InstrumentListing(
                source: source, exchangeSymbol: symbol.symbol, base: symbol.baseAsset, quote: symbol.quoteAsset, tickSize: tick,
                stepSize: step, minQuantity: minQty, minNotional: notional?.minNotional?.value ?? notional?.notional?.value ?? .zero,
                contractSize: ExactDecimal(1))
            list.add(listing, separator: "")
        }
        return list
    }
}

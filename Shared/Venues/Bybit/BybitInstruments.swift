import DraizerCore

/// Bybit v5 `GET /v5/market/instruments-info?category=spot|linear`. Kept: status `Trading`,
/// quote `USDT`; linear `LinearPerpetual` contracts settled in USDT (dated futures excluded).
enum BybitInstruments {
    struct PriceFilter: Decodable { var tickSize: VenueDecimal }
    struct LotSizeFilter: Decodable {
        var basePrecision: VenueDecimal?
        var qtyStep: VenueDecimal?
        var minOrderQty: VenueDecimal
        var minOrderAmt: VenueDecimal?
        var minNotionalValue: VenueDecimal?
    }
    struct Item: Decodable {
        var symbol: String
        var status: String
        var baseCoin: String
        var quoteCoin: String
        var settleCoin: String?
        var contractType: String?
        var fundingInterval: Int?
        var priceFilter: PriceFilter
        var lotSizeFilter: LotSizeFilter
    }
    struct Result: Decodable { var list: [Item] }
    struct Body: Decodable {
        var retCode: Int
        var retMsg: String?
        var result: Result?
    }

    static func spot(_ body: [UInt8]) throws -> InstrumentList {
        try parse(body, source: SourceId(exchange: .bybit, market: .spot))
    }

    static func perp(_ body: [UInt8]) throws -> InstrumentList {
        try parse(body, source: SourceId(exchange: .bybit, market: .perp))
    }

    static func parse(_ body: [UInt8], source: SourceId) throws -> InstrumentList {
        let decoded = try InstrumentListParser.decode(Body.self, body)
        guard decoded.retCode == 0, let result = decoded.result else {
            throw InstrumentListError.venueError(source: source.name, detail: "retCode \(decoded.retCode) \(decoded.retMsg ?? "")")
        }
        var list = InstrumentList()
        for item in result.list {
            guard item.status == "Trading" else {
                list.exclude(item.symbol, "status \(item.status)")
                continue
            }
            guard InstrumentListParser.keeps(quote: item.quoteCoin, market: source.market) else {
                list.exclude(item.symbol, "quote \(item.quoteCoin)")
                continue
            }
            if source.market == .perp {
                guard item.contractType == "LinearPerpetual", item.settleCoin == InstrumentListParser.quote else {
                    list.exclude(item.symbol, "contract \(item.contractType ?? "none") settled in \(item.settleCoin ?? "none")")
                    continue
                }
            }
            guard let step = (source.market == .spot ? item.lotSizeFilter.basePrecision : item.lotSizeFilter.qtyStep)?.value else {
                list.exclude(item.symbol, "missing step size")
                continue
            }
            let minNotional = item.lotSizeFilter.minOrderAmt?.value ?? item.lotSizeFilter.minNotionalValue?.value ?? .zero
            let listing = InstrumentListing(
                source: source, exchangeSymbol: item.symbol, base: item.baseCoin, quote: item.quoteCoin,
                tickSize: item.priceFilter.tickSize.value, stepSize: step, minQuantity: item.lotSizeFilter.minOrderQty.value,
                minNotional: minNotional, contractSize: ExactDecimal(1),
                fundingIntervalMillis: item.fundingInterval.flatMap { VenueTime.millis(fromMinutes: Int64($0)) })
            list.add(listing, separator: "")
        }
        return list
    }
}

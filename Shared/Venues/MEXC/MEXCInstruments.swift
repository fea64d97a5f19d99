import DraizerCore

/// MEXC spot `GET /api/v3/exchangeInfo` and contract `GET /api/v1/contract/detail`.
/// Kept: spot status `1` (enabled) with spot trading allowed, quoted in USDT (tick =
/// 10^-quotePrecision, step `baseSizePrecision` or, when that is 0, 10^-baseAssetPrecision; min
/// notional `quoteAmountPrecision`);
/// contracts in state 0 (enabled) quoted and settled in USDT (sizes in contracts of
/// `contractSize` base units, tick `priceUnit`, min `minVol`).
enum MEXCInstruments {
    struct SpotSymbol: Decodable {
        var symbol: String
        var status: String
        var baseAsset: String
        var quoteAsset: String
        var isSpotTradingAllowed: Bool?
        var quotePrecision: Int
        var baseAssetPrecision: Int
        var baseSizePrecision: VenueDecimal
        var quoteAmountPrecision: VenueDecimal?
    }
    struct SpotBody: Decodable { var symbols: [SpotSymbol] }
    struct Contract: Decodable {
        var symbol: String
        var state: Int
        var baseCoin: String
        var quoteCoin: String
        var settleCoin: String?
        var priceUnit: VenueDecimal
        var volUnit: VenueDecimal?
        var minVol: VenueDecimal
        var contractSize: VenueDecimal
    }
    struct ContractBody: Decodable {
        var success: Bool?
        var code: Int?
        var data: [Contract]
    }

    static func spot(_ body: [UInt8]) throws -> InstrumentList {
        let source = SourceId(exchange: .mexc, market: .spot)
        var list = InstrumentList()
        for symbol in try InstrumentListParser.decode(SpotBody.self, body).symbols {
            guard symbol.status == "1" || symbol.status == "ENABLED" else {
                list.exclude(symbol.symbol, "status \(symbol.status)")
                continue
            }
            guard symbol.isSpotTradingAllowed != false else {
                list.exclude(symbol.symbol, "spot trading not allowed")
                continue
            }
            guard InstrumentListParser.keeps(quote: symbol.quoteAsset, market: source.market) else {
                list.exclude(symbol.symbol, "quote \(symbol.quoteAsset)")
                continue
            }
            // `baseSizePrecision` "0" means no size step of its own: the asset's decimals apply.
            let step =
                symbol.baseSizePrecision.value.isPositive
                ? symbol.baseSizePrecision.value : try InstrumentListParser.unit(decimals: symbol.baseAssetPrecision)
            let listing = InstrumentListing(
                source: source, exchangeSymbol: symbol.symbol, base: symbol.baseAsset, quote: symbol.quoteAsset,
                tickSize: try InstrumentListParser.unit(decimals: symbol.quotePrecision), stepSize: step,
                minQuantity: step, minNotional: symbol.quoteAmountPrecision?.value ?? .zero, contractSize: ExactDecimal(1))
            list.add(listing, separator: "")
        }
        return list
    }

    static func perp(_ body: [UInt8]) throws -> InstrumentList {
        let source = SourceId(exchange: .mexc, market: .perp)
        let decoded = try InstrumentListParser.decode(ContractBody.self, body)
        guard decoded.success != false else {
            throw InstrumentListError.venueError(source: source.name, detail: "code \(decoded.code ?? -1)")
        }
        var list = InstrumentList()
        for contract in decoded.data {
            guard contract.state == 0 else {
                list.exclude(contract.symbol, "state \(contract.state)")
                continue
            }
            guard contract.quoteCoin == InstrumentListParser.quote, (contract.settleCoin ?? contract.quoteCoin) == InstrumentListParser.quote else {
                list.exclude(contract.symbol, "quote \(contract.quoteCoin) settled in \(contract.settleCoin ?? "none")")
                continue
            }
            let listing = InstrumentListing(
                source: source, exchangeSymbol: contract.symbol, base: contract.baseCoin, quote: contract.quoteCoin,
                tickSize: contract.priceUnit.value, stepSize: contract.volUnit?.value ?? ExactDecimal(1),
                minQuantity: contract.minVol.value, minNotional: .zero, contractSize: contract.contractSize.value)
            list.add(listing, separator: "_")
        }
        return list
    }
}

import DraizerCore

/// Gate.io `GET /api/v4/spot/currency_pairs` and `GET /api/v4/futures/usdt/contracts`.
/// Kept: spot pairs `tradable` and quoted in USDT (tick = 10^-precision, step =
/// 10^-amount_precision, min notional `min_quote_amount`); USDT contracts not being delisted
/// (sizes in contracts of `quanto_multiplier` base units; tick `order_price_round`).
enum GateIOInstruments {
    struct Pair: Decodable {
        var id: String
        var base: String
        var quote: String
        var trade_status: String
        var precision: Int
        var amount_precision: Int
        var min_base_amount: VenueDecimal?
        var min_quote_amount: VenueDecimal?
    }
    struct Contract: Decodable {
        var name: String
        var type: String?
        var in_delisting: Bool?
        var order_price_round: VenueDecimal
        var order_size_min: VenueDecimal
        var quanto_multiplier: VenueDecimal
        var funding_interval: Int?
    }

    static func spot(_ body: [UInt8]) throws -> InstrumentList {
        let source = SourceId(exchange: .gateio, market: .spot)
        var list = InstrumentList()
        for pair in try InstrumentListParser.decode([Pair].self, body) {
            guard pair.trade_status == "tradable" else {
                list.exclude(pair.id, "trade status \(pair.trade_status)")
                continue
            }
            guard InstrumentListParser.keeps(quote: pair.quote, market: source.market) else {
                list.exclude(pair.id, "quote \(pair.quote)")
                continue
            }
            let step = try InstrumentListParser.unit(decimals: pair.amount_precision)
            let listing = InstrumentListing(
                source: source, exchangeSymbol: pair.id, base: pair.base, quote: pair.quote,
                tickSize: try InstrumentListParser.unit(decimals: pair.precision), stepSize: step,
                minQuantity: pair.min_base_amount?.value ?? step, minNotional: pair.min_quote_amount?.value ?? .zero,
                contractSize: ExactDecimal(1))
            list.add(listing, separator: "_")
        }
        return list
    }

    static func perp(_ body: [UInt8]) throws -> InstrumentList {
        let source = SourceId(exchange: .gateio, market: .perp)
        var list = InstrumentList()
        for contract in try InstrumentListParser.decode([Contract].self, body) {
            guard contract.in_delisting != true else {
                list.exclude(contract.name, "in delisting")
                continue
            }
            let parts = contract.name.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1] == InstrumentListParser.quote[...] else {
                list.exclude(contract.name, "not a BASE_USDT contract")
                continue
            }
            let listing = InstrumentListing(
                source: source, exchangeSymbol: contract.name, base: String(parts[0]), quote: InstrumentListParser.quote,
                tickSize: contract.order_price_round.value, stepSize: ExactDecimal(1), minQuantity: contract.order_size_min.value,
                minNotional: .zero, contractSize: contract.quanto_multiplier.value,
                fundingIntervalMillis: contract.funding_interval.flatMap { VenueTime.millis(fromSeconds: Int64($0)) })
            list.add(listing, separator: "_")
        }
        return list
    }
}

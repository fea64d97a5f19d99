import DraizerCore

/// OKX `GET /api/v5/public/instruments?instType=SPOT|SWAP`. Kept: state `live`; spot quoted in
/// USDT; swaps that are `linear` and settled in USDT (inverse `…-USD-SWAP` excluded), named
/// `BASE-USDT-SWAP`. Swap sizes are in contracts of `ctVal` base units.
enum OKXInstruments {
    struct Item: Decodable {
        var instId: String
        var instType: String
        var state: String
        var baseCcy: String?
        var quoteCcy: String?
        var settleCcy: String?
        var ctType: String?
        var ctVal: VenueDecimal?
        var ctValCcy: String?
        var uly: String?
        var tickSz: VenueDecimal
        var lotSz: VenueDecimal
        var minSz: VenueDecimal
    }
    struct Body: Decodable {
        var code: String
        var msg: String?
        var data: [Item]
    }

    static func spot(_ body: [UInt8]) throws -> InstrumentList {
        try parse(body, source: SourceId(exchange: .okx, market: .spot))
    }

    static func perp(_ body: [UInt8]) throws -> InstrumentList {
        try parse(body, source: SourceId(exchange: .okx, market: .perp))
    }

    static func parse(_ body: [UInt8], source: SourceId) throws -> InstrumentList {
        let decoded = try InstrumentListParser.decode(Body.self, body)
        guard decoded.code == "0" else {
            throw InstrumentListError.venueError(source: source.name, detail: "code \(decoded.code) \(decoded.msg ?? "")")
        }
        var list = InstrumentList()
        for item in decoded.data {
            guard item.state == "live" else {
                list.exclude(item.instId, "state \(item.state)")
                continue
            }
            let listing: InstrumentListing
            let suffix: String
            if source.market == .spot {
                guard item.instType == "SPOT", InstrumentListParser.keeps(quote: item.quoteCcy, market: .spot), let quote = item.quoteCcy else {
                    list.exclude(item.instId, "quote \(item.quoteCcy ?? "none")")
                    continue
                }
                listing = InstrumentListing(
                    source: source, exchangeSymbol: item.instId, base: item.baseCcy ?? "", quote: quote,
                    tickSize: item.tickSz.value, stepSize: item.lotSz.value, minQuantity: item.minSz.value, minNotional: .zero,
                    contractSize: ExactDecimal(1))
                suffix = ""
            } else {
                guard item.instType == "SWAP", item.ctType == "linear", item.settleCcy == InstrumentListParser.quote else {
                    list.exclude(item.instId, "\(item.ctType ?? "unknown") swap settled in \(item.settleCcy ?? "none")")
                    continue
                }
                guard let contractValue = item.ctVal?.value, let base = item.ctValCcy else {
                    list.exclude(item.instId, "missing contract value")
                    continue
                }
                listing = InstrumentListing(
                    source: source, exchangeSymbol: item.instId, base: base, quote: InstrumentListParser.quote,
                    tickSize: item.tickSz.value, stepSize: item.lotSz.value, minQuantity: item.minSz.value, minNotional: .zero,
                    contractSize: contractValue)
                suffix = "-SWAP"
            }
            list.add(listing, separator: "-", suffix: suffix)
        }
        return list
    }
}

import DraizerCore

/// Gate.io top of book: `spot.book_ticker` and `futures.book_ticker`
/// (`{"result":{"t":…,"u":…,"s":…,"b":"…","B":…,"a":"…","A":…}}`; futures sizes are contract
/// counts as numbers), and `spot.tickers` (`highest_bid`/`lowest_ask`, no sizes: quantities 0).
public enum GateIOTickerParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into quote: inout TopOfBookQuote) throws(VenueParseError) {
        quote = TopOfBookQuote()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var isTickers = false
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "channel") {
                let channel = try cursor.string()
                if cursor.equals(channel, "spot.tickers") {
                    isTickers = true
                } else if !(cursor.equals(channel, "spot.book_ticker") || cursor.equals(channel, "futures.book_ticker")) {
                    throw .unsupportedMessage
                }
            } else if cursor.equals(key, "event") {
                let event = try cursor.string()
                guard cursor.equals(event, "update") else { throw .unsupportedMessage }
            } else if cursor.equals(key, "result") {
                try cursor.beginObject()
                while let field = try cursor.nextKey() {
                    switch cursor.singleByte(field) {
                    case UInt8(ascii: "b"):
                        quote.bidPrice = try cursor.decimal("b")
                        seen |= 1
                    case UInt8(ascii: "B"):
                        quote.bidQuantity = try cursor.decimal("B")
                        seen |= 2
                    case UInt8(ascii: "a"):
                        quote.askPrice = try cursor.decimal("a")
                        seen |= 4
                    case UInt8(ascii: "A"):
                        quote.askQuantity = try cursor.decimal("A")
                        seen |= 8
                    case UInt8(ascii: "u"): quote.updateId = try cursor.unsigned("u")
                    case UInt8(ascii: "t"): quote.eventTimeMillis = try cursor.unsigned("t")
                    case UInt8(ascii: "s"): quote.symbol = try cursor.string()
                    default:
                        if cursor.equals(field, "highest_bid") {
                            quote.bidPrice = try cursor.decimal("highest_bid")
                            seen |= 3
                        } else if cursor.equals(field, "lowest_ask") {
                            quote.askPrice = try cursor.decimal("lowest_ask")
                            seen |= 12
                        } else if cursor.equals(field, "currency_pair") {
                            quote.symbol = try cursor.string()
                        } else {
                            try cursor.skipValue()
                        }
                    }
                }
            } else if cursor.equals(key, "time_ms"), quote.eventTimeMillis == 0 {
                quote.eventTimeMillis = try cursor.unsigned("time_ms")
            } else {
                try cursor.skipValue()
            }
        }
        guard seen == 0b1111 else { throw .missingField(isTickers ? "highest_bid" : "b") }
        try quote.validate()
    }
}

/// Gate.io funding: `futures.tickers` pushes (`funding_rate`, `mark_price`, `index_price`; the
/// result is a list, the first contract is taken) and the contract list's `funding_rate`,
/// `funding_next_apply` (seconds) and `funding_interval` (seconds).
public enum GateIOFundingParser {
    /// Funding of every contract in a `GET /api/v4/futures/usdt/contracts` body, by contract name
    /// (slow path: REST, refreshed between pushes).
    public static func parseContracts(_ body: [UInt8]) throws(InstrumentListError) -> [String: FundingUpdate] {
        struct Contract: Decodable {
            var name: String
            var funding_rate: VenueDecimal
            var funding_next_apply: Int64?
            var funding_interval: Int64?
            var mark_price: VenueDecimal?
            var index_price: VenueDecimal?
        }
        let contracts: [Contract]
        do {
            contracts = try InstrumentListParser.decode([Contract].self, body)
        } catch let error as DecodingError {
            throw .malformed(source: "gateio/perp", detail: "\(error.problem) at \(error.jsonPath)")
        } catch {
            throw .malformed(source: "gateio/perp", detail: "\(error)")
        }
        var result: [String: FundingUpdate] = [:]
        for contract in contracts {
            var update = FundingUpdate()
            update.rate = contract.funding_rate.value
            // Unknown (0) when absent, negative or absurd: one contract's field fails no other.
            update.nextSettlementMillis = VenueTime.millis(fromSeconds: contract.funding_next_apply ?? 0) ?? 0
            update.intervalMillis = VenueTime.millis(fromSeconds: contract.funding_interval ?? 0) ?? 0
            update.markPrice = contract.mark_price?.value
            update.indexPrice = contract.index_price?.value
            result[contract.name] = update
        }
        return result
    }

    public static func parseTickers(_ frame: UnsafeRawBufferPointer, into funding: inout FundingUpdate) throws(VenueParseError) {
        funding = FundingUpdate()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var sawRate = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "channel") {
                let channel = try cursor.string()
                guard cursor.equals(channel, "futures.tickers") else { throw .unsupportedMessage }
            } else if cursor.equals(key, "result") {
                try cursor.beginArray()
                guard try cursor.nextElement() else { throw .missingField("result") }
                try cursor.beginObject()
                while let field = try cursor.nextKey() {
                    if cursor.equals(field, "funding_rate") {
                        funding.rate = try cursor.decimal("funding_rate")
                        sawRate = true
                    } else if cursor.equals(field, "mark_price") {
                        funding.markPrice = try cursor.optionalDecimal("mark_price")
                    } else if cursor.equals(field, "index_price") {
                        funding.indexPrice = try cursor.optionalDecimal("index_price")
                    } else if cursor.equals(field, "contract") {
                        funding.symbol = try cursor.string()
                    } else {
                        try cursor.skipValue()
                    }
                }
                while try cursor.nextElement() { try cursor.skipValue() }
            } else if cursor.equals(key, "time_ms") {
                funding.eventTimeMillis = try cursor.unsigned("time_ms")
            } else if cursor.equals(key, "time"), funding.eventTimeMillis == 0 {
                guard let millis = VenueTime.millis(fromSeconds: try cursor.unsigned("time")) else { throw .outOfRange("time") }
                funding.eventTimeMillis = millis
            } else {
                try cursor.skipValue()
            }
        }
        guard sawRate else { throw .missingField("funding_rate") }
    }
}

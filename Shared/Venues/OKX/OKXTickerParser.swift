import DraizerCore

/// OKX `tickers` pushes as top-of-book quotes (`bidPx`, `bidSz`, `askPx`, `askSz`, `ts`). They lag
/// the book; `bbo-tbt` (via `OKXBooksParser`) is the tick-by-tick top of book.
public enum OKXTickerParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into quote: inout TopOfBookQuote) throws(VenueParseError) {
        quote = TopOfBookQuote()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "arg") {
                quote.symbol = try OKXArgument.parse(&cursor, channels: .tickers)
            } else if cursor.equals(key, "data") {
                try cursor.beginArray()
                guard try cursor.nextElement() else { throw .missingField("data") }
                try cursor.beginObject()
                while let field = try cursor.nextKey() {
                    if cursor.equals(field, "bidPx") {
                        quote.bidPrice = try cursor.decimal("bidPx")
                        seen |= 1
                    } else if cursor.equals(field, "bidSz") {
                        quote.bidQuantity = try cursor.decimal("bidSz")
                        seen |= 2
                    } else if cursor.equals(field, "askPx") {
                        quote.askPrice = try cursor.decimal("askPx")
                        seen |= 4
                    } else if cursor.equals(field, "askSz") {
                        quote.askQuantity = try cursor.decimal("askSz")
                        seen |= 8
                    } else if cursor.equals(field, "ts") {
                        quote.eventTimeMillis = try cursor.unsigned("ts")
                    } else {
                        try cursor.skipValue()
                    }
                }
                while try cursor.nextElement() { try cursor.skipValue() }
            } else if cursor.equals(key, "event") {
                throw .unsupportedMessage
            } else {
                try cursor.skipValue()
            }
        }
        guard seen & 1 != 0 else { throw .missingField("bidPx") }
        guard seen & 2 != 0 else { throw .missingField("bidSz") }
        guard seen & 4 != 0 else { throw .missingField("askPx") }
        guard seen & 8 != 0 else { throw .missingField("askSz") }
        try quote.validate()
    }
}

/// OKX `funding-rate` pushes and the REST `GET /api/v5/public/funding-rate` body (same fields).
/// `fundingTime` is when the current period settles; the interval is `nextFundingTime − fundingTime`.
public enum OKXFundingParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into funding: inout FundingUpdate) throws(VenueParseError) {
        funding = FundingUpdate()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var sawRate = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "arg") {
                funding.symbol = try OKXArgument.parse(&cursor, channels: .fundingRate)
            } else if cursor.equals(key, "code") {
                let code = try cursor.string()
                guard cursor.equals(code, "0") else { throw .unsupportedMessage }
            } else if cursor.equals(key, "data") {
                try cursor.beginArray()
                guard try cursor.nextElement() else { throw .missingField("data") }
                try cursor.beginObject()
                var nextFunding: UInt64 = 0
                while let field = try cursor.nextKey() {
                    if cursor.equals(field, "fundingRate") {
                        funding.rate = try cursor.decimal("fundingRate")
                        sawRate = true
                    } else if cursor.equals(field, "fundingTime") {
                        funding.nextSettlementMillis = try cursor.unsigned("fundingTime")
                    } else if cursor.equals(field, "nextFundingTime") {
                        nextFunding = try cursor.optionalUnsigned("nextFundingTime") ?? 0
                    } else if cursor.equals(field, "instId"), funding.symbol.isEmpty {
                        funding.symbol = try cursor.string()
                    } else if cursor.equals(field, "ts") {
                        funding.eventTimeMillis = try cursor.unsigned("ts")
                    } else {
                        try cursor.skipValue()
                    }
                }
                if nextFunding > funding.nextSettlementMillis, funding.nextSettlementMillis > 0 {
                    funding.intervalMillis = nextFunding - funding.nextSettlementMillis
                }
                while try cursor.nextElement() { try cursor.skipValue() }
            } else if cursor.equals(key, "event") {
                throw .unsupportedMessage
            } else {
                try cursor.skipValue()
            }
        }
        guard sawRate else { throw .missingField("fundingRate") }
    }
}

import DraizerCore

/// Each source's top-of-book channel read into `TopOfBookQuote`s: Binance bookTicker, Bybit
/// `orderbook.1`, OKX `bbo-tbt`, Gate.io book tickers, MEXC aggregated book tickers (protobuf)
/// and contract `depth.full`. Bybit linear tickers are read for funding only (merged, since deltas
/// carry only changed fields): their bid1/ask1 come every 100 ms, the level-1 book's every 10 ms.
/// MEXC contract tickers too: their bid1/ask1 have no sizes and no version.
///
/// Threading: one owner (a gateway connection's event loop); keeps per-symbol state for Bybit.
public struct QuoteFeed: Sendable {
    public let source: SourceId
    private var symbols = SymbolTable(capacity: 256)
    private var tickers: [BybitTickerState] = []
    private var depth = DepthMessage(reservedLevels: 4)
    private var bybit = BybitTicker()
    /// The funding the last parsed frame carried (Bybit linear tickers, MEXC contract tickers),
    /// valid when `frameCarriedFunding`; `funding.symbol` points into that frame.
    public private(set) var funding = FundingUpdate()
    public private(set) var frameCarriedFunding = false

    public init(source: SourceId) { self.source = source }

    /// A quote from a top-of-book channel shaped like a book (Bybit `orderbook.1`, OKX `bbo-tbt`,
    /// MEXC contract `depth.full`).
    static func quote(fromBookShaped depth: borrowing DepthMessage, into quote: inout TopOfBookQuote) throws(VenueParseError) {
        guard depth.isTopOfBookOnly, let bid = depth.bids.first, let ask = depth.asks.first else { throw .unsupportedMessage }
        quote = TopOfBookQuote()
        quote.symbol = depth.symbol
        quote.updateId = depth.sequence != 0 ? depth.sequence : depth.finalUpdateId
        quote.bidPrice = bid.price
        quote.bidQuantity = bid.quantity
        quote.askPrice = ask.price
        quote.askQuantity = ask.quantity
        quote.eventTimeMillis = depth.eventTimeMillis
        try quote.validate()
    }

    /// Reads a frame; true when `quote` now holds a complete quote of the frame's symbol
    /// (`quote.symbol` points into `frame`). Other channels → `unsupportedMessage`.
    public mutating func parse(_ frame: UnsafeRawBufferPointer, into quote: inout TopOfBookQuote) throws(VenueParseError) -> Bool {
        frameCarriedFunding = false
        switch (source.exchange, source.market) {
        case (.binance, _):
            try BinanceTopOfBookParser.parse(frame, into: &quote)
        case (.bybit, .spot), (.okx, _):
            if source.exchange == .bybit {
                try BybitOrderBookParser.parse(frame, into: &depth)
            } else {
                try OKXBooksParser.parse(frame, into: &depth)
            }
            try QuoteFeed.quote(fromBookShaped: depth, into: &quote)
        case (.bybit, .perp):
            // The level-1 book is the top of book (every 10 ms); linear tickers (every 100 ms) are
            // read for their funding only.
            do throws(VenueParseError) {
                try BybitTickerParser.parse(frame, into: &bybit)
            } catch .unsupportedMessage {
                try BybitOrderBookParser.parse(frame, into: &depth)
                try QuoteFeed.quote(fromBookShaped: depth, into: &quote)
                return true
            }
            let slot = try symbols.findOrInsert(UnsafeRawBufferPointer(rebasing: frame[bybit.symbol]))
            if slot == tickers.count { tickers.append(BybitTickerState()) }
            tickers[slot].received(bybit)
            if bybit.fundingRate != nil || bybit.nextFundingTimeMillis != nil, var update = tickers[slot].current.funding {
                update.symbol = bybit.symbol
                funding = update
                frameCarriedFunding = true
            }
            return false
        case (.gateio, _):
            try GateIOTickerParser.parse(frame, into: &quote)
        case (.mexc, .spot):
            guard try MEXCSpotFrameReader.read(frame, quote: &quote, depth: &depth) == .bookTicker else { throw .unsupportedMessage }
        case (.mexc, .perp):
            // The top of book is `depth.full` (a gateway reads it through `DepthFeed`); the ticker's
            // bid1/ask1 have no sizes and no version: its funding only.
            switch try MEXCContractParser.parse(frame, quote: &quote, depth: &depth, funding: &funding) {
            case .depth:
                try Self.quote(fromBookShaped: depth, into: &quote)
            case .ticker:
                frameCarriedFunding = true
                return false
            case .fundingRate:
                throw .unsupportedMessage
            }
        }
        return true
    }
}

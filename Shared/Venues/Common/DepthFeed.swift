import DraizerCore
import OrderBook

/// How one source's depth data is read and kept continuous: its REST (or WS) snapshot parser,
/// its diff parser and its continuity rule. Used by gateways and by `draizer book replay`.
public struct DepthFeed: Sendable {
    public let source: SourceId

    public init(source: SourceId) {
        self.source = source
    }

    /// Parses a snapshot body as the venue sends it (REST for Binance, Gate.io, MEXC; the WS
    /// `snapshot` message for Bybit, whose REST body is accepted too, and OKX).
    public func parseSnapshot(_ body: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        switch (source.exchange, source.market) {
        case (.binance, _), (.mexc, .spot):
            try LastUpdateIdSnapshotParser.parse(body, into: &message)
        case (.bybit, _):
            if body.starts(with: #"{"retCode""#.utf8) {
                try BybitOrderBookParser.parseRESTSnapshot(body, into: &message)
            } else {
                try BybitOrderBookParser.parse(body, into: &message)
            }
        case (.okx, _):
            try OKXBooksParser.parse(body, into: &message)
        case (.gateio, _):
            try GateIOOrderBookParser.parseSnapshot(body, into: &message)
        case (.mexc, .perp):
            try MEXCContractParser.parseDepthSnapshot(body, into: &message)
        }
        guard message.isSnapshot else { throw .unsupportedMessage }
    }

    /// What one read of a WebSocket frame found.
    public enum Frame: Sendable, Equatable {
        /// A depth diff or snapshot, in `depth`.
        case depth
        /// A top-of-book quote the same parse produced (book-shaped channels, MEXC), in `quote`.
        case quote
        /// Neither: another channel, a control frame, or a quote `QuoteFeed` reads.
        case other
    }

    /// Reads a frame once: depth into `depth`; where the venue's top of book comes through the
    /// same parser (Bybit `orderbook.1`, OKX `bbo-tbt`, MEXC book tickers and `depth.full`), the quote into
    /// `quote`, so the gateway never parses a frame twice.
    public func read(
        _ frame: UnsafeRawBufferPointer, depth: inout DepthMessage, quote: inout TopOfBookQuote
    ) throws(VenueParseError) -> Frame {
        do {
            switch (source.exchange, source.market) {
            case (.binance, _): try BinanceDepthParser.parseDiff(frame, into: &depth)
            case (.bybit, _): try BybitOrderBookParser.parse(frame, into: &depth)
            case (.okx, _): try OKXBooksParser.parse(frame, into: &depth)
            case (.gateio, _): try GateIOOrderBookParser.parseUpdate(frame, into: &depth)
            case (.mexc, .spot):
                switch try MEXCSpotFrameReader.read(frame, quote: &quote, depth: &depth) {
                case .depth: return .depth
                case .bookTicker: return .quote
                case .other: return .other
                }
            case (.mexc, .perp):
                // `depth.full` is book-shaped (checked below); tickers carry funding, which
                // `QuoteFeed` reads, and no quote (no sizes, no version).
                var funding = FundingUpdate()
                switch try MEXCContractParser.parse(frame, quote: &quote, depth: &depth, funding: &funding) {
                case .depth: break
                case .ticker, .fundingRate: return .other
                }
            }
        } catch .unsupportedMessage {
            return .other
        }
        guard depth.isTopOfBookOnly else { return .depth }
        try QuoteFeed.quote(fromBookShaped: depth, into: &quote)
        return .quote
    }

    /// Parses one WebSocket frame as a depth message; other kinds of frame (including book-shaped
    /// top-of-book channels) → `unsupportedMessage`.
    public func parseDiff(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        var quote = TopOfBookQuote()
        guard try read(frame, depth: &message, quote: &quote) == .depth else { throw .unsupportedMessage }
    }

    /// A synchroniser with the source's continuity rule.
    public func makeSynchronizer(priceScale: Int, quantityScale: Int) -> any DepthSynchronizer {
        switch source.exchange {
        case .binance:
            UpdateIdDepthSync(rule: source.market == .spot ? .contiguousRanges : .linkedToPrevious, priceScale: priceScale, quantityScale: quantityScale)
        case .gateio, .mexc:
            UpdateIdDepthSync(rule: .contiguousRanges, priceScale: priceScale, quantityScale: quantityScale)
        case .bybit:
            BybitDepthSync(priceScale: priceScale, quantityScale: quantityScale)
        case .okx:
            OKXDepthSync(priceScale: priceScale, quantityScale: quantityScale)
        }
    }
}

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

    /// Parses one WebSocket frame as a depth message; other kinds of frame (including book-shaped
    /// top-of-book channels) → `unsupportedMessage`.
    public func parseDiff(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        try parseDepthOrQuote(frame, into: &message)
        guard !message.isTopOfBookOnly else { throw .unsupportedMessage }
    }

    private func parseDepthOrQuote(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        switch (source.exchange, source.market) {
        case (.binance, _): try BinanceDepthParser.parseDiff(frame, into: &message)
        case (.bybit, _): try BybitOrderBookParser.parse(frame, into: &message)
        case (.okx, _): try OKXBooksParser.parse(frame, into: &message)
        case (.gateio, _): try GateIOOrderBookParser.parseUpdate(frame, into: &message)
        case (.mexc, .spot):
            var quote = TopOfBookQuote()
            guard try MEXCSpotFrameReader.read(frame, quote: &quote, depth: &message) == .depth else { throw .unsupportedMessage }
        case (.mexc, .perp):
            var quote = TopOfBookQuote()
            var funding = FundingUpdate()
            guard try MEXCContractParser.parse(frame, quote: &quote, depth: &message, funding: &funding) == .depth else {
                throw .unsupportedMessage
            }
        }
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

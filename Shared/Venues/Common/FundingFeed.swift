import DraizerCore

/// Each perpetual source's funding channel read into `FundingUpdate`s: Binance `markPrice`, OKX
/// `funding-rate`, Gate.io `futures.tickers`, MEXC `push.funding.rate`. Bybit's funding and
/// MEXC's ticker rate ride on the top-of-book frames: `QuoteFeed` reports those.
///
/// Slow path (about one frame per second per instrument). Threading: one owner.
public struct FundingFeed: Sendable {
    public let source: SourceId
    private var quote = TopOfBookQuote()
    private var depth = DepthMessage(reservedLevels: 4)

    public init(source: SourceId) { self.source = source }

    /// Reads a frame; true when `funding` now holds its funding update (`funding.symbol` points
    /// into `frame`). Other channels → `unsupportedMessage`.
    public mutating func parse(_ frame: UnsafeRawBufferPointer, into funding: inout FundingUpdate) throws(VenueParseError) -> Bool {
        guard source.market == .perp else { throw .unsupportedMessage }
        switch source.exchange {
        case .binance: try BinanceFundingParser.parse(frame, into: &funding)
        case .okx: try OKXFundingParser.parse(frame, into: &funding)
        case .gateio: try GateIOFundingParser.parseTickers(frame, into: &funding)
        case .mexc:
            guard try MEXCContractParser.parse(frame, quote: &quote, depth: &depth, funding: &funding) == .fundingRate else {
                throw .unsupportedMessage
            }
        case .bybit: throw .unsupportedMessage
        }
        return true
    }
}

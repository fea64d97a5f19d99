import DraizerCore

/// Best bid and ask of one instrument as a venue's top-of-book feed sends them.
public struct TopOfBookQuote: Sendable, Equatable {
    /// Symbol bytes in the frame (valid while the frame buffer is).
    public var symbol: Range<Int> = 0..<0
    /// The venue's book update id or sequence for this quote (0 when it sends none).
    public var updateId: UInt64 = 0
    public var bidPrice: ExactDecimal = .zero
    public var bidQuantity: ExactDecimal = .zero
    public var askPrice: ExactDecimal = .zero
    public var askQuantity: ExactDecimal = .zero
    /// Exchange event time, ms since the epoch (0 when absent).
    public var eventTimeMillis: UInt64 = 0
    /// Matching-engine time where the venue sends it separately (Binance futures `T`), else 0.
    public var transactionTimeMillis: UInt64 = 0

    public init() {}

    /// Positive prices, non-negative sizes, bid ≤ ask: the checks every quote passes before use.
    public func validate() throws(VenueParseError) {
        guard bidPrice.isPositive else { throw .nonPositive("bid") }
        guard askPrice.isPositive else { throw .nonPositive("ask") }
        guard !bidQuantity.isNegative else { throw .nonPositive("bidQty") }
        guard !askQuantity.isNegative else { throw .nonPositive("askQty") }
        guard bidPrice <= askPrice else { throw .crossedQuote }
    }
}

/// A perpetual's funding: the rate for the current period and when it settles.
public struct FundingUpdate: Sendable, Equatable {
    public var symbol: Range<Int> = 0..<0
    /// Rate per funding interval (`0.0001` = 1 bp), positive when longs pay shorts.
    public var rate: ExactDecimal = .zero
    /// When the current period settles, ms since the epoch (0 when the venue does not say).
    public var nextSettlementMillis: UInt64 = 0
    /// Length of a funding period in ms where the venue says or it can be derived (0 otherwise).
    public var intervalMillis: UInt64 = 0
    public var markPrice: ExactDecimal?
    public var indexPrice: ExactDecimal?
    public var eventTimeMillis: UInt64 = 0

    public init() {}
}

import DraizerCore

/// Best bid and ask of one (symbol, source), as stored in the first cache line of its entry.
///
/// Prices and quantities are fixed-point integers at the instrument's `priceScale` and
/// `quantityScale` (the number of decimals of its tick and step), so comparisons within an
/// instrument are integer comparisons; `bid`/`ask` give exact `Price` values.
public struct TopOfBook: Sendable, Equatable {
    public var bidPrice: Int64 = 0
    public var bidQuantity: Int64 = 0
    public var askPrice: Int64 = 0
    public var askQuantity: Int64 = 0
    public var priceScale: UInt8 = 0
    public var quantityScale: UInt8 = 0
    /// False when the gateway's book for this source is not trustworthy (gap, resync, crossed).
    public var verified: Bool = false
    public var tsExchangeNanos: Int64 = 0
    /// Monotonic receive time in the gateway (`MonotonicClock`).
    public var tsReceivedNanos: Int64 = 0
    /// The seqlock value the read was consistent at; grows by 2 per write.
    public var version: UInt64 = 0

    public init() {}

    public var bid: Price { Price(ExactDecimal(fixedPoint: bidPrice, scale: Int(priceScale))) }
    public var ask: Price { Price(ExactDecimal(fixedPoint: askPrice, scale: Int(priceScale))) }
    public var bidSize: Quantity { Quantity(ExactDecimal(fixedPoint: bidQuantity, scale: Int(quantityScale))) }
    public var askSize: Quantity { Quantity(ExactDecimal(fixedPoint: askQuantity, scale: Int(quantityScale))) }
}

/// The whole entry: top of book plus up to `PriceStore.levelsPerSide` levels per side.
public struct BookSnapshot: Sendable {
    public var top = TopOfBook()
    /// Writes to this entry so far (never decreases).
    public var updateCount: UInt64 = 0
    /// The exchange's own sequence / update id of the last applied message.
    public var exchangeSequence: UInt64 = 0
    public var bidCount: Int = 0
    public var askCount: Int = 0
    /// Level 0 is the best level and equals `top`'s bid/ask.
    public var bids = InlineArray<8, BookLevel>(repeating: .empty)
    public var asks = InlineArray<8, BookLevel>(repeating: .empty)

    public init() {}
}

/// Outcome of a seqlock read.
public enum ReadOutcome: Sendable, Equatable {
    /// A consistent copy was taken.
    case consistent
    /// Never written.
    case empty
    /// No consistent copy within the retry budget: a writer is mid-write, or died mid-write.
    /// The caller must treat it as no price.
    case inconsistent
}

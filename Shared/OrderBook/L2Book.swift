import DraizerCore

/// An L2 order book for one instrument: two ladders at fixed scales, an integrity state and the
/// last applied exchange update id. Pure: continuity rules live with each exchange (the
/// `...DepthSync` types in Venues), which drive this book.
public struct L2Book: Sendable {
    /// Why a book cannot be trusted right now.
    public enum Integrity: Sendable, Equatable {
        /// Built from a snapshot and an unbroken chain of diffs.
        case verified
        /// No snapshot applied yet (start, reconnect, resync requested).
        case awaitingSnapshot
        /// A gap, failed checksum, crossed book or bad value was seen; a resync is needed.
        case broken(BookFault)
    }

    public var bids: PriceLadder
    public var asks: PriceLadder
    /// Decimals of prices and quantities in the ladders.
    public let priceScale: Int
    public let quantityScale: Int
    public private(set) var integrity: Integrity = .awaitingSnapshot
    /// The exchange's id of the last applied snapshot or diff.
    public var lastUpdateId: UInt64 = 0
    /// The venue's cross sequence of the last applied snapshot or diff that carried one (Bybit
    /// `seq`, OKX `seqId`), else 0.
    public var lastSequence: UInt64 = 0

    /// What a quote from another of the venue's channels is ordered against: the cross sequence
    /// where the venue sends one, else the update id. Bybit numbers each topic's messages on its
    /// own (`u`: tens of millions) but shares `seq` across them (hundreds of billions), which its
    /// `tickers` carry as `cs` and `orderbook.1` as `seq`; a quote checked against `u` always
    /// looked newer than the book.
    public var orderingId: UInt64 { lastSequence != 0 ? lastSequence : lastUpdateId }

    public init(priceScale: Int, quantityScale: Int, reservedLevels: Int = 1024) {
        precondition((0...ExactDecimal.maxScale).contains(priceScale) && (0...ExactDecimal.maxScale).contains(quantityScale))
        self.priceScale = priceScale
        self.quantityScale = quantityScale
        bids = PriceLadder(side: .buy, reservedLevels: reservedLevels)
        asks = PriceLadder(side: .sell, reservedLevels: reservedLevels)
    }

    public var isVerified: Bool { integrity == .verified }

    /// Best bid at or above best ask: never valid on a real exchange.
    public var isCrossed: Bool {
        guard let bid = bids.best, let ask = asks.best else { return false }
        return bid.price >= ask.price
    }

    /// Empties both sides and waits for a snapshot.
    public mutating func reset() {
        bids.removeAll()
        asks.removeAll()
        lastUpdateId = 0
        lastSequence = 0
        integrity = .awaitingSnapshot
    }

    /// Marks the book untrusted until the next snapshot.
    public mutating func invalidate(_ fault: BookFault) {
        integrity = .broken(fault)
    }

    /// A snapshot has been loaded into the ladders: the book is verified unless it is crossed.
    /// `sequence` is its cross sequence (0 when the venue sends none).
    public mutating func snapshotApplied(updateId: UInt64, sequence: UInt64 = 0) {
        lastUpdateId = updateId
        lastSequence = sequence
        integrity = isCrossed ? .broken(.crossed) : .verified
    }

    /// After a diff: records its id (and its cross sequence, when it carries one) and checks the
    /// book is not crossed.
    public mutating func diffApplied(updateId: UInt64, sequence: UInt64 = 0) {
        lastUpdateId = updateId
        if sequence != 0 { lastSequence = sequence }
        if isCrossed, integrity == .verified { integrity = .broken(.crossed) }
    }

    /// Sets one level from exact decimals; quantity 0 deletes. Values with more decimals than the
    /// book's scales (off-tick), negative, or out of range throw and change nothing.
    public mutating func set(side: Side, price: ExactDecimal, quantity: ExactDecimal) throws(BookFault) {
        let fixedPrice: Int64
        let fixedQuantity: Int64
        do {
            fixedPrice = try price.mantissa(atScale: priceScale)
            fixedQuantity = try quantity.mantissa(atScale: quantityScale)
        } catch {
            throw .precision
        }
        guard fixedPrice > 0, fixedQuantity >= 0 else { throw .negativeOrZero }
        if side == .buy {
            bids.set(price: fixedPrice, quantity: fixedQuantity)
        } else {
            asks.set(price: fixedPrice, quantity: fixedQuantity)
        }
    }

    public func price(_ fixed: Int64) -> Price { Price(ExactDecimal(fixedPoint: fixed, scale: priceScale)) }
    public func quantity(_ fixed: Int64) -> Quantity { Quantity(ExactDecimal(fixedPoint: fixed, scale: quantityScale)) }
}

/// What made a book untrustworthy. Each is counted by the gateway and triggers a resync of that
/// one book.
public enum BookFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// An update id did not follow the previous one (`expected`, `was`).
    case gap(expected: UInt64, was: UInt64)
    /// The first diff after a snapshot does not bridge the snapshot's id.
    case noBridge(snapshotId: UInt64, firstU: UInt64, lastU: UInt64)
    case checksumMismatch(expected: UInt32, computed: UInt32)
    case crossed
    /// A price or size with more decimals than the instrument's tick/step, or beyond 18 digits.
    case precision
    case negativeOrZero
    /// The exchange asked for a reset, or the connection was lost.
    case resetRequested

    public var description: String {
        switch self {
        case .gap(let expected, let was): "sequence gap: expected \(expected), was \(was)"
        case .noBridge(let snapshot, let first, let last): "first diff [\(first), \(last)] does not bridge snapshot \(snapshot)"
        case .checksumMismatch(let expected, let computed): "checksum mismatch: expected \(expected), computed \(computed)"
        case .crossed: "crossed book: best bid at or above best ask"
        case .precision: "price or quantity finer than the book's scale"
        case .negativeOrZero: "expected a positive price and a non-negative quantity"
        case .resetRequested: "reset requested"
        }
    }
}

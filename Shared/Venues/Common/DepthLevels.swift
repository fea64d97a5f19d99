import DraizerCore

/// One `[price, quantity]` pair of a depth message, as exact decimals (quantity 0 = delete).
public struct LevelUpdate: Sendable, Equatable {
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }
}

/// A parsed depth message (snapshot or diff). Parsers refill one instance per frame: its arrays
/// keep their capacity, so steady-state parsing allocates nothing.
public struct DepthMessage: Sendable {
    /// The symbol's bytes in the frame (valid while the frame buffer is).
    public var symbol: Range<Int> = 0..<0
    /// First update id in the message (`U`), or the snapshot id for snapshots.
    public var firstUpdateId: UInt64 = 0
    /// Last update id in the message (`u`), or the snapshot id for snapshots.
    public var finalUpdateId: UInt64 = 0
    /// Previous message's final id where the venue sends it (Binance futures `pu`), else nil.
    public var previousUpdateId: UInt64?
    /// The venue's cross sequence where it sends one (Bybit `seq`, OKX `seqId`), else 0.
    public var sequence: UInt64 = 0
    /// The venue's book checksum where it sends one (OKX CRC32, as a signed 32-bit value).
    public var checksum: Int32?
    /// Exchange event time in milliseconds (0 when absent).
    public var eventTimeMillis: UInt64 = 0
    public var isSnapshot = false
    /// True when the message came on a top-of-book channel shaped like a book (Bybit
    /// `orderbook.1`, OKX `bbo-tbt`): it is a quote, not part of the depth stream.
    public var isTopOfBookOnly = false
    public var bids: [LevelUpdate] = []
    public var asks: [LevelUpdate] = []

    public init(reservedLevels: Int = 1024) {
        bids.reserveCapacity(reservedLevels)
        asks.reserveCapacity(reservedLevels)
    }

    mutating func reset() {
        symbol = 0..<0
        firstUpdateId = 0
        finalUpdateId = 0
        previousUpdateId = nil
        sequence = 0
        checksum = nil
        eventTimeMillis = 0
        isSnapshot = false
        isTopOfBookOnly = false
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
    }
}

extension JSONCursor {
    /// Reads `[[price, quantity, ...], ...]` into `levels` (extra elements per level are skipped).
    public mutating func levels(into levels: inout [LevelUpdate], field: StaticString) throws(VenueParseError) {
        guard try peek() == UInt8(ascii: "[") else { throw .wrongType(field) }
        try beginArray()
        while try nextElement() {
            // (`??` would throw untyped: its right side is an autoclosure.)
            let level: LevelUpdate
            if let quoted = try quotedPair(field) { level = quoted } else { level = try pair(field) }
            while try nextElement() { try skipValue() }
            guard level.price.isPositive else { throw .nonPositive(field) }
            guard !level.quantity.isNegative else { throw .nonPositive(field) }
            levels.append(level)
        }
    }

    /// A level's price and quantity in any JSON shape; the cursor is left after the quantity.
    mutating func pair(_ field: StaticString) throws(VenueParseError) -> LevelUpdate {
        guard try peek() == UInt8(ascii: "[") else { throw .wrongType(field) }
        try beginArray()
        guard try nextElement() else { throw .missingField(field) }
        let price = try decimal(field)
        guard try nextElement() else { throw .missingField(field) }
        return LevelUpdate(price: price, quantity: try decimal(field))
    }

    /// `pair` for a level as venues write it, `["price","quantity"` with nothing between the
    /// tokens, read in one pass; nil with nothing consumed for any other shape, which `pair`
    /// reads (and reports) instead.
    @inline(__always)
    mutating func quotedPair(_ field: StaticString) throws(VenueParseError) -> LevelUpdate? {
        let quote = UInt8(ascii: "\"")
        var next = position
        guard next + 2 < count, base[next] == UInt8(ascii: "["), base[next + 1] == quote else { return nil }
        next += 2
        let price: ExactDecimal
        let quantity: ExactDecimal
        do {
            let (value, used) = try ExactDecimal.parsePrefix(UnsafeRawBufferPointer(start: base + next, count: count - next))
            price = value
            next += used
            guard next + 3 < count, base[next] == quote, base[next + 1] == UInt8(ascii: ","), base[next + 2] == quote else { return nil }
            next += 3
            let (amount, amountUsed) = try ExactDecimal.parsePrefix(UnsafeRawBufferPointer(start: base + next, count: count - next))
            quantity = amount
            next += amountUsed
        } catch {
            throw .invalidDecimal(field, error)
        }
        guard next < count, base[next] == quote else { return nil }
        position = next + 1
        return LevelUpdate(price: price, quantity: quantity)
    }
}

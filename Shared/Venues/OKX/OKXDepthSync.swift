import CDraizerShim
import DraizerCore
import OrderBook

/// Keeps one OKX book: a snapshot (sent on subscribe) replaces the book; each update must have
/// `prevSeqId == previous seqId` where the venue sends sequence ids, and after every message the
/// CRC32 of the top 25 levels must equal the message's `checksum`. A break asks for a resync,
/// which on OKX means resubscribing to that instrument's channel.
public struct OKXDepthSync: DepthSynchronizer {
    public private(set) var book: L2Book

    public func withBook<Result>(_ body: (borrowing L2Book) -> Result) -> Result { body(book) }
    /// Checksums verified so far (for health reporting and tests).
    public private(set) var checksumsVerified = 0

    public init(priceScale: Int, quantityScale: Int) {
        book = L2Book(priceScale: priceScale, quantityScale: quantityScale)
    }

    public mutating func snapshotReceived(_ snapshot: borrowing DepthMessage) -> BookFault? {
        if let fault = book.replace(with: snapshot) { return fault }
        return verifyChecksum(snapshot.checksum)
    }

    public mutating func diffReceived(_ diff: borrowing DepthMessage) -> DepthSyncAction {
        if diff.isSnapshot {
            if let fault = snapshotReceived(diff) { return .resyncNeeded(fault) }
            return .applied
        }
        guard book.isVerified else { return .dropped }
        if let previous = diff.previousUpdateId, book.lastUpdateId != 0, previous != book.lastUpdateId {
            return fail(.gap(expected: book.lastUpdateId, was: previous))
        }
        if let fault = book.applyInSequence(diff) { return .resyncNeeded(fault) }
        if let fault = verifyChecksum(diff.checksum) { return .resyncNeeded(fault) }
        return .applied
    }

    public mutating func resetRequested() {
        book.invalidate(.resetRequested)
    }

    private mutating func verifyChecksum(_ expected: Int32?) -> BookFault? {
        guard let expected else { return nil }
        let computed = OKXChecksum.compute(book)
        guard computed == expected else {
            let fault = BookFault.checksumMismatch(expected: UInt32(bitPattern: expected), computed: UInt32(bitPattern: computed))
            book.invalidate(fault)
            return fault
        }
        checksumsVerified += 1
        return nil
    }

    private mutating func fail(_ fault: BookFault) -> DepthSyncAction {
        book.invalidate(fault)
        return .resyncNeeded(fault)
    }
}

/// OKX's book checksum: CRC32 of `bidPx:bidSz:askPx:askSz:…` over the best 25 levels per side,
/// interleaved (a side that runs out is skipped), as a signed 32-bit integer. Values are written
/// as OKX writes them: plain decimals without trailing zeros (0 of the 8,264 recorded values had
/// any).
public enum OKXChecksum {
    public static func compute(_ book: L2Book) -> Int32 {
        compute(bidCount: book.bids.count, askCount: book.asks.count, priceScale: book.priceScale, quantityScale: book.quantityScale) {
            $0 == .buy ? book.bids.level($1) : book.asks.level($1)
        }
    }

    /// The same checksum over best-first level arrays (what a venue or simulator sends).
    public static func compute(bids: [BookLevel], asks: [BookLevel], priceScale: Int, quantityScale: Int) -> Int32 {
        compute(bidCount: bids.count, askCount: asks.count, priceScale: priceScale, quantityScale: quantityScale) {
            $0 == .buy ? bids[$1] : asks[$1]
        }
    }

    static func compute(
        bidCount: Int, askCount: Int, priceScale: Int, quantityScale: Int, level: (Side, Int) -> BookLevel
    ) -> Int32 {
        // The whole text first (at most 50 levels of two numbers and two colons), then one CRC over
        // it, folded 16 bytes at a time.
        let levels = min(bidCount, 25) + min(askCount, 25)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: levels * (2 * DecimalText.room + 2) + DecimalText.room) { buffer in
            let text = buffer.baseAddress!
            var length = 0
            func append(_ side: Side, _ depth: Int) {
                let entry = level(side, depth)
                length += drz_write_decimal(entry.price, Int32(priceScale), text + length)
                text[length] = UInt8(ascii: ":")
                length += 1
                length += drz_write_decimal(entry.quantity, Int32(quantityScale), text + length)
                text[length] = UInt8(ascii: ":")
                length += 1
            }
            for depth in 0..<25 {
                if depth < bidCount { append(.buy, depth) }
                if depth < askCount { append(.sell, depth) }
            }
            // Without the last colon.
            return Int32(bitPattern: drz_crc32(0, text, max(length - 1, 0)))
        }
    }
}

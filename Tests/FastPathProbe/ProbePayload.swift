import DraizerCore
import FastPath

/// The self-checking price payload shared by the probe (writer) and the tests (reader): every
/// field of write number `k` is a fixed function of `k`, so a reader that mixes two writes sees
/// fields that disagree.
enum ProbePayload {
    static func book(write k: Int64) -> BookSnapshot {
        var book = BookSnapshot()
        book.top.verified = k & 1 == 0
        book.top.priceScale = UInt8(k % 19)
        book.top.quantityScale = UInt8((k + 7) % 19)
        book.top.tsExchangeNanos = k &* 3
        book.top.tsReceivedNanos = k &* 5
        book.exchangeSequence = UInt64(k) &* 7
        book.bidCount = 8
        book.askCount = 8
        for level in 0..<8 {
            let offset = Int64(level)
            book.bids[level] = BookLevel(price: k &* 11 &- offset, quantity: k &+ offset)
            book.asks[level] = BookLevel(price: k &* 11 &+ 1 &+ offset, quantity: k &* 2 &+ offset)
        }
        return book
    }
}

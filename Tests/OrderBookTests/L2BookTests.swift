import DraizerCore
import OrderBook
import Testing

@Suite struct L2BookTests {
    func book() throws -> L2Book {
        var book = L2Book(priceScale: 2, quantityScale: 3)
        try book.set(side: .buy, price: "100.00", quantity: "1.000")
        try book.set(side: .buy, price: "99.50", quantity: "2.000")
        try book.set(side: .buy, price: "99.00", quantity: "3")
        try book.set(side: .sell, price: "100.50", quantity: "0.5")
        try book.set(side: .sell, price: "101", quantity: "4")
        book.snapshotApplied(updateId: 7)
        return book
    }

    /// Quotes from the venue's other channels are ordered against the cross sequence where the
    /// venue sends one (a diff without one keeps the last), else against the update id.
    @Test func orderingIdIsTheCrossSequenceWhereThereIsOne() throws {
        var book = try book()
        #expect(book.lastSequence == 0 && book.orderingId == 7, "no cross sequence: the update id")
        book.snapshotApplied(updateId: 18_521_288, sequence: 7_961_638_724)
        #expect(book.orderingId == 7_961_638_724)
        book.diffApplied(updateId: 18_521_289, sequence: 7_961_638_900)
        #expect(book.lastUpdateId == 18_521_289 && book.orderingId == 7_961_638_900)
        book.diffApplied(updateId: 18_521_290)
        #expect(book.orderingId == 7_961_638_900, "a diff without a sequence keeps the last")
        book.reset()
        #expect(book.lastSequence == 0 && book.orderingId == 0)
    }

    @Test func laddersKeepBestFirst() throws {
        var book = try book()
        #expect(book.isVerified)
        #expect(book.bids.best == BookLevel(price: 10_000, quantity: 1000))
        #expect(book.asks.best == BookLevel(price: 10_050, quantity: 500))
        #expect((0..<3).map { book.bids.level($0).price } == [10_000, 9950, 9900])
        #expect((0..<2).map { book.asks.level($0).price } == [10_050, 10_100])

        try book.set(side: .buy, price: "100.00", quantity: "0")  // delete the best bid
        #expect(book.bids.best?.price == 9950)
        try book.set(side: .buy, price: "99.75", quantity: "1")  // insert inside
        #expect(book.bids.best?.price == 9975)
        try book.set(side: .sell, price: "100.25", quantity: "1")  // new best ask
        #expect(book.asks.best?.price == 10_025)
        try book.set(side: .sell, price: "150", quantity: "0")  // deleting an absent level is a no-op
        #expect(book.asks.count == 3)
    }

    /// Levels at or better than a price, by binary search (a quote running ahead of the book).
    @Test func depthWorseThanAPrice() throws {
        let book = try book()
        // Bids 100.00, 99.50, 99.00 (best first); asks 100.50, 101.00.
        #expect(book.bids.depth(worseThan: 10_100) == 0, "a bid above the book: every level is worse")
        #expect(book.bids.depth(worseThan: 10_000) == 1, "equal counts as not worse")
        #expect(book.bids.depth(worseThan: 9_960) == 1)
        #expect(book.bids.depth(worseThan: 9_900) == 3)
        #expect(book.bids.depth(worseThan: 9_000) == 3)
        #expect(book.asks.depth(worseThan: 10_000) == 0)
        #expect(book.asks.depth(worseThan: 10_050) == 1)
        #expect(book.asks.depth(worseThan: 10_200) == 2, "an ask above the book: every level is at or better")
        var ladder = PriceLadder(side: .sell)
        for tick in 0..<1_000 { ladder.set(price: 10_000 + Int64(tick), quantity: 1) }
        #expect(ladder.depth(worseThan: 10_499) == 500)
        #expect((0..<1_000).allSatisfy { ladder.level($0).price == 10_000 + Int64($0) })
    }

    @Test func crossedAndBadValuesAreFaults() throws {
        var book = try book()
        #expect(throws: BookFault.precision) { try book.set(side: .buy, price: "99.995", quantity: "1") }
        #expect(throws: BookFault.negativeOrZero) { try book.set(side: .buy, price: "0", quantity: "1") }
        #expect(throws: BookFault.negativeOrZero) { try book.set(side: .buy, price: "99", quantity: "-1") }
        try book.set(side: .buy, price: "100.60", quantity: "1")
        book.diffApplied(updateId: 8)
        #expect(book.isCrossed)
        #expect(book.integrity == .broken(.crossed))
        book.reset()
        #expect(book.integrity == .awaitingSnapshot)
        #expect(book.bids.isEmpty && book.asks.isEmpty)
    }

    @Test func depthWalkGivesExecutableSizeAndVWAP() throws {
        let book = try book()
        // Buying 1.0 at 100.50 (0.5) and 101 (0.5): notional 100.75 → VWAP 100.75.
        let fill = book.asks.walk(quantity: 1000)
        #expect(fill.quantity == 1000)
        #expect(fill.levels == 2)
        #expect(fill.notional == Int128(10_050) * 500 + Int128(10_100) * 500)
        #expect(fill.averagePrice(priceScale: 2) == 100.75)
        // Selling into bids for at most 150 USDT (scale 2 + 3 = 5 decimals).
        let capped = book.bids.walk(maxNotional: 150 * 100_000)
        // 1.000 at 100.00 (100 USDT), then 50 USDT / 99.50 = 0.502 (floored to the 0.001 scale).
        #expect(capped.levels == 2)
        #expect(capped.quantity == 1502)
        #expect(capped.notional == Int128(10_000) * 1000 + Int128(9950) * 502)
        let all = book.bids.walk(quantity: 100_000)
        #expect(all.quantity == 6000, "a walk past the end takes everything")
    }
}

import DraizerCore
import FastPath
import Foundation
import Testing

@testable import fastpath_probe

@Suite struct PriceStoreTests {
    @Test func publishAndReadInOneProcess() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            let store = try PriceStore.create(names: names, symbolCapacity: 4)
            let slot = try #require(store.slot(symbol: SymbolId(3), source: SourceId(exchange: .okx, market: .perp)))
            var top = TopOfBook()
            #expect(store.readTop(slot: slot, into: &top) == .empty)

            var quote = TopOfBook()
            quote.bidPrice = 6_500_001
            quote.bidQuantity = 150
            quote.askPrice = 6_500_002
            quote.askQuantity = 7
            quote.priceScale = 2
            quote.quantityScale = 3
            quote.verified = true
            quote.tsReceivedNanos = 42
            store.publish(slot: slot, top: quote)

            #expect(store.readTop(slot: slot, into: &top) == .consistent)
            #expect(top.bid == "65000.01")
            #expect(top.askSize == "0.007")
            #expect(top.verified)
            #expect(top.tsReceivedNanos == 42)

            store.markUnverified(slot: slot)
            var book = BookSnapshot()
            #expect(store.readBook(slot: slot, into: &book) == .consistent)
            #expect(!book.top.verified)
            #expect(book.top.bid == "65000.01")
            #expect(book.updateCount == 2)
            #expect(book.bidCount == 1)
            #expect(store.census().written == 1)
            #expect(store.slot(symbol: SymbolId(4), source: SourceId(exchange: .okx, market: .perp)) == nil)
        }
    }

    /// Every read of a whole-book entry gives exactly the last book published — the top alone
    /// moved, every level moved, the book thinned (levels past the count read as empty) and
    /// refilled.
    @Test func wholeBookPublishesReadBackExactlyWhateverChanged() throws {
        try withSegmentPrefix { prefix in
            let store = try PriceStore.create(names: try SegmentNames(prefix: prefix), symbolCapacity: 1)
            let slot = try #require(store.slot(symbol: SymbolId(0), source: SourceId(exchange: .binance, market: .spot)))
            func book(bestBid: Int64, levels: Int, size: Int64 = 1_000) -> BookSnapshot {
                var book = BookSnapshot()
                book.top.priceScale = 2
                book.top.quantityScale = 3
                book.top.verified = true
                for level in 0..<levels {
                    book.bids[level] = BookLevel(price: bestBid - Int64(level) * 100, quantity: size + Int64(level))
                    book.asks[level] = BookLevel(price: bestBid + 100 + Int64(level) * 100, quantity: size + Int64(level))
                }
                book.bidCount = levels
                book.askCount = levels
                return book
            }
            func expectRead(_ published: BookSnapshot, _ comment: Comment) {
                var read = BookSnapshot()
                #expect(store.readBook(slot: slot, into: &read) == .consistent)
                #expect(read.bidCount == published.bidCount && read.askCount == published.askCount, comment)
                for level in 0..<PriceStore.levelsPerSide {
                    let bid = level < published.bidCount ? published.bids[level] : .empty
                    let ask = level < published.askCount ? published.asks[level] : .empty
                    #expect(read.bids[level] == bid && read.asks[level] == ask, comment)
                }
            }
            let full = book(bestBid: 6_500_000, levels: 8)
            store.publish(slot: slot, book: full)
            expectRead(full, "first write")
            // A quote: only the top moves.
            var quoted = full
            quoted.bids[0] = BookLevel(price: 6_500_050, quantity: 5)
            store.publish(slot: slot, book: quoted)
            expectRead(quoted, "top only")
            // Every level moves; then the book thins to three levels, then back to eight.
            let moved = book(bestBid: 6_490_000, levels: 8, size: 2_000)
            store.publish(slot: slot, book: moved)
            expectRead(moved, "all moved")
            let thin = book(bestBid: 6_490_000, levels: 3, size: 2_000)
            store.publish(slot: slot, book: thin)
            expectRead(thin, "thinned")
            store.publish(slot: slot, book: moved)
            expectRead(moved, "refilled")
            var read = BookSnapshot()
            _ = store.readBook(slot: slot, into: &read)
            #expect(read.updateCount == 5 && read.bids[7] == moved.bids[7])
        }
    }

    @Test func segmentIsPrivateToItsOwner() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            _ = try PriceStore.create(names: names, symbolCapacity: 1)
            var info = stat()
            #expect(stat("/dev/shm/\(prefix).prices", &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
        }
    }

    @Test func attachErrorsNameTheProblem() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            #expect(throws: SharedMemoryError.missing(name: names.prices)) { try PriceStore.attach(names: names) }
            _ = try PriceStore.create(names: names, symbolCapacity: 2)
            #expect(throws: SharedMemoryError.alreadyExists(name: names.prices)) {
                try PriceStore.create(names: names, symbolCapacity: 2)
            }
            #expect(throws: SharedMemoryError.self) { try SegmentNames(prefix: "bad/name") }

            // A ring where a price store is expected: wrong kind.
            let misplaced = try SegmentNames(prefix: "\(prefix)-ring")
            _ = try SPSCRing.create(name: misplaced.prices, capacity: 4, of: ProbeRecord.self)
            #expect(throws: SharedMemoryError.wrongKind(name: misplaced.prices, expected: "price store", found: "ring")) {
                try PriceStore.attach(names: misplaced)
            }

            // A foreign segment (someone else's bytes under our name).
            let foreign = try SegmentNames(prefix: "\(prefix)-foreign")
            let raw = try SharedMemorySegment.create(name: foreign.prices, size: 4096)
            raw.base.storeBytes(of: 0xDEAD_BEEF, toByteOffset: 0, as: UInt64.self)
            #expect(throws: SharedMemoryError.foreign(name: foreign.prices)) { try PriceStore.attach(names: foreign) }
        }
    }

    @Test func ringWithAnotherRecordTypeIsRefused() throws {
        try withSegmentPrefix { prefix in
            let name = "/\(prefix).ring.notices"
            _ = try SPSCRing.create(name: name, capacity: 8, of: ProbeRecord.self)
            #expect(throws: SharedMemoryError.self) { try RingProducer<UpdateNotice>(name: name) }
            do {
                _ = try RingConsumer<UpdateNotice>(name: name)
                Issue.record("attached to a ring of another record type")
            } catch {
                #expect("\(error)".contains("expected record bytes 16, was 24"))
            }
            #expect(throws: SharedMemoryError.invalidCapacity(name: name + "x", reason: "expected a power of two in 2...67108864, was 6")) {
                try SPSCRing.create(name: name + "x", capacity: 6, of: ProbeRecord.self)
            }
        }
    }

    /// Writer process at full speed, reader here: ≥ 10 million consistent reads, 0 torn, and the
    /// update counter of every entry never goes backwards.
    @Test(.timeLimit(.minutes(3))) func multiProcessSeqlockNeverTears() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            let store = try PriceStore.create(names: names, symbolCapacity: 1)
            let entries = 4
            let writer = try ProbeProcess(["prices-writer", prefix, String(entries)])
            try writer.waitForLine("ready")

            var top = TopOfBook()
            var book = BookSnapshot()
            var lastVersion = [UInt64](repeating: 0, count: entries)
            var lastCount = [UInt64](repeating: 0, count: entries)
            var consistent = 0
            var torn = 0
            var retriesExhausted = 0
            var backwards = 0
            var reads = 0
            while consistent < 10_000_000 {
                let slot = reads % entries
                reads += 1
                if reads % 64 == 0 {
                    switch store.readBook(slot: slot, into: &book) {
                    case .consistent:
                        consistent += 1
                        let k = book.top.bidPrice / 11
                        let expected = ProbePayload.book(write: k)
                        var intact = book.top.verified == expected.top.verified
                            && book.top.tsExchangeNanos == expected.top.tsExchangeNanos
                            && book.top.tsReceivedNanos == expected.top.tsReceivedNanos
                            && book.top.priceScale == expected.top.priceScale
                            && book.exchangeSequence == expected.exchangeSequence
                        for level in 0..<8 {
                            intact = intact && book.bids[level] == expected.bids[level] && book.asks[level] == expected.asks[level]
                        }
                        if !intact { torn += 1 }
                        if book.updateCount < lastCount[slot] { backwards += 1 }
                        lastCount[slot] = book.updateCount
                        if book.top.version < lastVersion[slot] { backwards += 1 }
                        lastVersion[slot] = book.top.version
                    case .inconsistent: retriesExhausted += 1
                    case .empty: continue
                    }
                } else {
                    switch store.readTop(slot: slot, into: &top) {
                    case .consistent:
                        consistent += 1
                        let k = top.bidPrice / 11
                        let intact = top.bidPrice == k * 11 && top.bidQuantity == k && top.askPrice == k * 11 + 1
                            && top.askQuantity == k * 2 && top.tsExchangeNanos == k * 3 && top.tsReceivedNanos == k * 5
                            && top.verified == (k & 1 == 0) && top.priceScale == UInt8(k % 19)
                            && top.quantityScale == UInt8((k + 7) % 19)
                        if !intact { torn += 1 }
                        if top.version < lastVersion[slot] { backwards += 1 }
                        lastVersion[slot] = top.version
                    case .inconsistent: retriesExhausted += 1
                    case .empty: continue
                    }
                }
            }
            writer.kill(signal: SIGKILL)
            #expect(torn == 0)
            #expect(backwards == 0)
            #expect(consistent >= 10_000_000)
            #expect(lastVersion.allSatisfy { $0 > 0 }, "the writer must have been writing every entry")
            print("seqlock multi-process: \(consistent) consistent reads, \(torn) torn, \(retriesExhausted) busy, \(backwards) backwards")
        }
    }

    /// A writer SIGKILLed in the middle of a write leaves the entry odd: readers report it as
    /// inconsistent (no price), and the next writer's repair makes it readable and unverified.
    @Test(.timeLimit(.minutes(2))) func crashedWriterLeavesInconsistentEntry() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            let store = try PriceStore.create(names: names, symbolCapacity: 1)
            var top = TopOfBook()
            var caughtMidWrite = false
            for attempt in 0..<300 where !caughtMidWrite {
                let writer = try ProbeProcess(["prices-writer", prefix, "1"])
                try writer.waitForLine("ready")
                usleep(UInt32(500 + attempt % 7 * 300))
                writer.kill(signal: SIGKILL)
                switch store.readTop(slot: 0, into: &top) {
                case .inconsistent:
                    caughtMidWrite = true
                case .consistent:
                    let k = top.bidPrice / 11
                    #expect(top.askQuantity == k * 2, "a completed write must be intact")
                case .empty:
                    continue
                }
            }
            #expect(caughtMidWrite, "no kill landed mid-write in 300 attempts")
            var book = BookSnapshot()
            #expect(store.readBook(slot: 0, into: &book) == .inconsistent)
            #expect(store.census().midWrite == 1)

            #expect(store.repairInterruptedWrites() == 1)
            #expect(store.readTop(slot: 0, into: &top) == .consistent)
            #expect(!top.verified, "a repaired entry is never trusted")
        }
    }

    /// Another process built with a different layout refuses to attach and says why.
    @Test func wrongLayoutVersionIsRefusedAcrossProcesses() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            let store = try PriceStore.create(names: names, symbolCapacity: 2)
            let good = try ProbeProcess(["attach-prices", prefix]).finish()
            #expect(good.status == 0)
            #expect(good.output.contains("attached 2"))

            // Simulate a segment made by an older build: layout version 0 in the header.
            store.segment.base.storeBytes(of: UInt32(0), toByteOffset: 8, as: UInt32.self)
            let refused = try ProbeProcess(["attach-prices", prefix]).finish()
            #expect(refused.status == 3)
            #expect(refused.output.contains("expected layout version \(SegmentHeader.layoutVersion), was 0"))
        }
    }
}

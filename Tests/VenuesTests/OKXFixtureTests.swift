import DraizerCore
import Foundation
import OrderBook
import TestSupport
import Testing
import Venues

@Suite struct OKXFixtureTests {
    @Test func everyFixtureFrameParses() throws {
        var depth = DepthMessage()
        var quote = TopOfBookQuote()
        var funding = FundingUpdate()
        var frames = 0
        for file in try Fixtures.files("okx/ws", suffix: ".jsonl") {
            for frame in try Fixtures.lines(file) {
                try frame.withUnsafeBytes { raw in
                    if file.contains("books") || file.contains("bbo") {
                        try OKXBooksParser.parse(raw, into: &depth)
                    } else if file.contains("tickers") {
                        try OKXTickerParser.parse(raw, into: &quote)
                    } else if file.contains("funding") {
                        try OKXFundingParser.parse(raw, into: &funding)
                        #expect(funding.rate == "0.0001875391284828")
                        #expect(funding.intervalMillis == 8 * 3_600_000)
                    } else {
                        #expect(throws: VenueParseError.self) { try OKXBooksParser.parse(raw, into: &depth) }
                        #expect(throws: VenueParseError.self) { try OKXTickerParser.parse(raw, into: &quote) }
                    }
                }
                frames += 1
            }
        }
        #expect(frames == 419)
        try Fixtures.bytes("okx/rest/docs-perp-funding-rate.json").withUnsafeBytes { try OKXFundingParser.parse($0, into: &funding) }
        #expect(funding.rate == "0.0000182221218054")
        #expect(funding.nextSettlementMillis == 1_743_609_600_000)
    }

    /// The CRC32 checksum verifies after every recorded message: 98 + 93 + 99 = 290 of 290.
    @Test func checksumVerifiesAfterEveryMessage() throws {
        var verified = 0
        for name in ["spot-BTC-USDT", "perp-UNI-USD-SWAP", "futures-BTC-USD-220527"] {
            let directory = "okx/replay/\(name)"
            let manifest = try Fixtures.json("\(directory)/manifest.json")
            let (messages, priceScale, quantityScale) = try Self.parse("\(directory)/books.jsonl")
            var sync = OKXDepthSync(priceScale: priceScale, quantityScale: quantityScale)
            for message in messages {
                #expect(sync.diffReceived(message) == .applied, "\(name)")
            }
            #expect(sync.checksumsVerified == manifest["checksum_ok"] as? Int, "\(name)")
            #expect(messages.count == manifest["messages"] as? Int)
            let final = manifest["final_top_of_book"] as! [String: String]
            let book = sync.book
            #expect(book.price(book.bids.best!.price).decimal == ExactDecimal(stringLiteral: final["bid"]!))
            #expect(book.quantity(book.bids.best!.quantity).decimal == ExactDecimal(stringLiteral: final["bidQty"]!))
            #expect(book.price(book.asks.best!.price).decimal == ExactDecimal(stringLiteral: final["ask"]!))
            #expect(book.quantity(book.asks.best!.quantity).decimal == ExactDecimal(stringLiteral: final["askQty"]!))
            verified += sync.checksumsVerified
        }
        #expect(verified == 290)
    }

    /// A missing update is caught by the checksum (this recording predates sequence ids); that book
    /// goes unverified; a new snapshot (resubscribe) restores it.
    @Test func missingUpdateFailsTheChecksum() throws {
        let (messages, priceScale, quantityScale) = try Self.parse("okx/replay/spot-BTC-USDT/books.jsonl")
        var sync = OKXDepthSync(priceScale: priceScale, quantityScale: quantityScale)
        var faults: [BookFault] = []
        for (index, message) in messages.enumerated() where index != 20 {
            if case .resyncNeeded(let fault) = sync.diffReceived(message) { faults.append(fault) }
        }
        #expect(faults.count == 1)
        if case .checksumMismatch = faults.first {} else { Issue.record("expected a checksum mismatch, was \(faults)") }
        #expect(!sync.book.isVerified)
        #expect(sync.diffReceived(messages[0]) == .applied, "the snapshot restores the book")
        #expect(sync.book.isVerified)
    }

    @Test func sequenceIdsAreChecked() throws {
        let frames = try Fixtures.lines("okx/ws/docs-books.jsonl")
        var snapshot = DepthMessage()
        var update = DepthMessage()
        try frames[0].withUnsafeBytes { try OKXBooksParser.parse($0, into: &snapshot) }
        try frames[1].withUnsafeBytes { try OKXBooksParser.parse($0, into: &update) }
        #expect(snapshot.previousUpdateId == nil && snapshot.sequence == 123_456)
        #expect(update.previousUpdateId == 123_456 && update.sequence == 123_457)
        var sync = OKXDepthSync(priceScale: 2, quantityScale: 0)
        snapshot.checksum = nil  // the documentation's checksums are illustrative
        update.checksum = nil
        #expect(sync.diffReceived(snapshot) == .applied)
        update.previousUpdateId = 123_455
        #expect(sync.diffReceived(update) == .resyncNeeded(.gap(expected: 123_456, was: 123_455)))
    }

    static func parse(_ path: String) throws -> ([DepthMessage], Int, Int) {
        var message = DepthMessage()
        var messages: [DepthMessage] = []
        var priceScale = 0
        var quantityScale = 0
        for frame in try Fixtures.lines(path) {
            try frame.withUnsafeBytes { try OKXBooksParser.parse($0, into: &message) }
            for level in message.bids + message.asks {
                priceScale = max(priceScale, Int(level.price.scale))
                quantityScale = max(quantityScale, Int(level.quantity.scale))
            }
            messages.append(message)
        }
        return (messages, priceScale, quantityScale)
    }
}

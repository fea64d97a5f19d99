import ArgumentParser
import DraizerCore
import OrderBook
import Venues

struct BookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: "Order-book tools.", subcommands: [Replay.self])

    /// `draizer book replay`: rebuilds a book from a REST snapshot body and a JSONL of WebSocket
    /// depth frames with the exchange's own continuity rule, printing the top of book after each
    /// applied diff and a line wherever continuity breaks (then it goes on, unverified).
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replay a depth snapshot and diffs with the exchange's rules.")

        @Option(help: "binance, bybit, okx, mexc or gateio") var exchange: String
        @Option(help: "spot or perp") var market: String
        @Option(help: "Depth snapshot body as the exchange sends it (REST; for Bybit and OKX the WS snapshot message)")
        var snapshot: String
        @Option(help: "JSONL of WebSocket depth frames, with or without an envelope (MEXC spot: one hex-encoded protobuf frame per line)")
        var diffs: String

        func run() throws {
            guard let venue = Exchange(name: exchange) else { throw CommandFailure("--exchange: unknown exchange \(exchange)") }
            guard let kind = MarketKind(name: market) else { throw CommandFailure("--market: expected spot or perp, was \(market)") }
            let feed = DepthFeed(source: SourceId(exchange: venue, market: kind))
            let snapshotBytes = try AtomicFile.read(path: snapshot)
            let frames = try FrameCorpus(path: diffs)
            var snapshotMessage = DepthMessage()
            do {
                try snapshotBytes.withUnsafeBytes { try feed.parseSnapshot($0, into: &snapshotMessage) }
            } catch {
                throw CommandFailure("\(snapshot): \(error)")
            }
            // Scales: the most decimals seen anywhere, so every level is held exactly.
            var messages: [DepthMessage] = []
            var priceScale = 0
            var quantityScale = 0
            func widen(_ message: DepthMessage) {
                for level in message.bids + message.asks {
                    priceScale = max(priceScale, Int(level.price.scale))
                    quantityScale = max(quantityScale, Int(level.quantity.scale))
                }
            }
            widen(snapshotMessage)
            let binaryLines = venue == .mexc && kind == .spot
            for index in 0..<frames.count {
                var message = DepthMessage(reservedLevels: 16)
                var line = Array(frames.bytes[frames.ranges[index]])
                if binaryLines {
                    guard let decoded = Hex.decode(line) else { throw CommandFailure("\(diffs) line \(index + 1): expected hex") }
                    line = decoded
                }
                let parsed: Result<Void, VenueParseError> = line.withUnsafeBytes { raw in
                    do throws(VenueParseError) {
                        try feed.parseDiff(raw, into: &message)
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
                switch parsed {
                case .success: break
                case .failure(.unsupportedMessage): continue  // trades, tickers and acks interleaved in a recording
                case .failure(let error): throw CommandFailure("\(diffs) line \(index + 1): \(error)")
                }
                widen(message)
                messages.append(message)
            }
            var sync = feed.makeSynchronizer(priceScale: priceScale, quantityScale: quantityScale)
            if let fault = sync.snapshotReceived(snapshotMessage) {
                printLine(JSONText.object([("gap", "\(snapshotMessage.finalUpdateId)"), ("reason", JSONText.quote("snapshot: \(fault)"))]))
            }
            var unverified: L2Book?
            for message in messages {
                if var book = unverified {
                    try? book.apply(message)
                    book.lastUpdateId = message.finalUpdateId
                    unverified = book
                    printTop(book, updateId: message.finalUpdateId, verified: false)
                    continue
                }
                switch sync.diffReceived(message) {
                case .applied:
                    printTop(sync.book, updateId: message.finalUpdateId, verified: true)
                case .dropped, .buffered:
                    continue
                case .resyncNeeded(let fault):
                    printLine(JSONText.object([("gap", "\(message.finalUpdateId)"), ("reason", JSONText.quote(fault.description))]))
                    var book = sync.book
                    try? book.apply(message)
                    book.lastUpdateId = message.finalUpdateId
                    unverified = book
                    printTop(book, updateId: message.finalUpdateId, verified: false)
                }
            }
        }

        func printTop(_ book: L2Book, updateId: UInt64, verified: Bool) {
            func decimal(_ value: Int64?, scale: Int) -> String {
                guard let value else { return "null" }
                return JSONText.quote(ExactDecimal(fixedPoint: value, scale: scale).description)
            }
            printLine(
                JSONText.object([
                    ("update_id", "\(updateId)"),
                    ("bid_price", decimal(book.bids.best?.price, scale: book.priceScale)),
                    ("bid_qty", decimal(book.bids.best?.quantity, scale: book.quantityScale)),
                    ("ask_price", decimal(book.asks.best?.price, scale: book.priceScale)),
                    ("ask_qty", decimal(book.asks.best?.quantity, scale: book.quantityScale)),
                    ("verified", verified ? "true" : "false"),
                ]))
        }
    }
}

enum Hex {
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var index = 0
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

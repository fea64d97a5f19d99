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

        @Option(help: "binance (other exchanges land with their adapters)") var exchange: String
        @Option(help: "spot or perp") var market: String
        @Option(help: "REST depth snapshot body, as the exchange sends it") var snapshot: String
        @Option(help: "JSONL of WebSocket depth frames, with or without the combined-stream envelope") var diffs: String

        func run() throws {
            guard let venue = Exchange(name: exchange) else { throw CommandFailure("--exchange: unknown exchange \(exchange)") }
            guard let kind = MarketKind(name: market) else { throw CommandFailure("--market: expected spot or perp, was \(market)") }
            guard venue == .binance else {
                throw CommandFailure("--exchange: book replay supports binance so far, was \(venue.name)")
            }
            let snapshotBytes = try AtomicFile.read(path: snapshot)
            let frames = try FrameCorpus(path: diffs)
            var snapshotMessage = DepthMessage()
            do {
                try snapshotBytes.withUnsafeBytes { try BinanceDepthParser.parseSnapshot($0, into: &snapshotMessage) }
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
            for index in 0..<frames.count {
                var message = DepthMessage(reservedLevels: 16)
                do {
                    try frames.bytes.withUnsafeBytes { all in
                        try BinanceDepthParser.parseDiff(UnsafeRawBufferPointer(rebasing: all[frames.ranges[index]]), into: &message)
                    }
                } catch {
                    throw CommandFailure("\(diffs) line \(index + 1): \(error)")
                }
                widen(message)
                messages.append(message)
            }
            var sync = UpdateIdDepthSync(rule: kind == .spot ? .contiguousRanges : .linkedToPrevious, priceScale: priceScale, quantityScale: quantityScale)
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

import ArgumentParser
import CAllocCounter
import DraizerCore
import OrderBook
import Venues

/// `draizer bench parse bt|depth FILE`: the cross-implementation protocol of ../shared/BENCH.md.
/// Prints exactly its JSON line on stdout; allocations per frame go to stderr.
struct ParseBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse benchmark on recorded frames (BENCH.md protocol).",
        discussion: """
            bt:    each frame → (symbol, bid, bidQty, ask, askQty) stored in a per-symbol table.
            depth: each frame → look up the symbol's book, apply every level, read best bid/ask.
            The file is one WebSocket frame per line (Binance combined-stream form).
            """)

    enum Task: String, ExpressibleByArgument {
        case bt
        case depth
    }

    @Argument(help: "bt or depth") var task: Task
    @Argument(help: "JSONL file of frames") var file: String
    @Option(help: "Frame format: binance (BENCH.md corpus), bybit (tickers / orderbook) or okx (books, depth only)")
    var format: String = "binance"
    @Flag(help: "depth: also check each frame's book checksum where it carries one (OKX), as its gateway does.")
    var verifyChecksum = false
    @Option(help: "Timed runs.") var runs: Int = 7
    @Option(help: "Minimum seconds per run.") var minSeconds: Double = 0.5
    @Option(
        help: """
            Before each frame of the latency pass, read through this many MiB of other memory (0: none), \
            as a gateway's frame finds its caches after other processes ran: lat_ns is then the cold cost.
            """)
    var evictMib: Int = 0

    func run() throws {
        guard runs > 0 else { throw CommandFailure("--runs: expected at least 1, was \(runs)") }
        guard minSeconds > 0, minSeconds <= 3600 else { throw CommandFailure("--min-seconds: expected 0 < seconds ≤ 3600, was \(minSeconds)") }
        guard (0...4096).contains(evictMib) else { throw CommandFailure("--evict-mib: expected 0...4096, was \(evictMib)") }
        let corpus = try FrameCorpus(path: file)
        guard corpus.count > 0 else { throw CommandFailure("\(file): expected frames, was empty") }
        guard let exchange = Exchange(name: format), [.binance, .bybit, .okx].contains(exchange),
            task == .depth || exchange != .okx
        else {
            throw CommandFailure("--format: expected binance, bybit or okx (okx: depth only), was \(format)")
        }
        var workload: any ParseWorkload = task == .bt ? TopOfBookWorkload(exchange: exchange) : DepthWorkload(exchange: exchange, verifyChecksum: verifyChecksum)
        try workload.pass(corpus)  // untimed warm-up; also proves every frame parses

        var runsNanos: [Double] = []
        let allocationsBefore = drz_alloc_count()
        var framesTimed = 0
        for _ in 0..<runs {
            var elapsed: Int64 = 0
            var frames = 0
            while Double(elapsed) < minSeconds * 1e9 {
                workload.resetBooks()
                let start = MonotonicClock.now()
                try workload.pass(corpus)
                elapsed += MonotonicClock.now() - start
                frames += corpus.count
            }
            framesTimed += frames
            runsNanos.append(Double(elapsed) / Double(frames))
        }
        let allocationsPerFrame = Double(drz_alloc_count() &- allocationsBefore) / Double(framesTimed)

        let eviction = CacheEviction(bytes: evictMib << 20)
        workload.resetBooks()
        var latencies = [Int64](repeating: 0, count: corpus.count)
        for index in 0..<corpus.count {
            eviction.run()
            let start = MonotonicClock.now()
            try workload.frame(corpus, index)
            latencies[index] = MonotonicClock.now() - start
        }
        latencies.sort()
        func percentile(_ fraction: Double) -> Int64 { latencies[min(latencies.count - 1, Int(fraction * Double(latencies.count)))] }

        let sorted = runsNanos.sorted()
        let median = sorted[sorted.count / 2]
        func number(_ value: Double) -> String { String((value * 10).rounded() / 10) }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        printLine(
            #"{"contender":"swift-draizer","lang":"swift","task":"\#(task.rawValue)","corpus":"\#(name)","n_msgs":\#(corpus.count),"#
                + #""runs_ns_per_msg":[\#(runsNanos.map(number).joined(separator: ","))],"median_ns_per_msg":\#(number(median)),"#
                + #""min_ns_per_msg":\#(number(sorted.first!)),"max_ns_per_msg":\#(number(sorted.last!)),"#
                + #""msgs_per_s_median":\#(Int((1e9 / median).rounded())),"#
                + #""lat_ns":{"p50":\#(percentile(0.5)),"p99":\#(percentile(0.99)),"p999":\#(percentile(0.999)),"max":\#(latencies.last!)}}"#)
        writeErrorLine(#"{"allocs_per_msg":\#(allocationsPerFrame)}"#)
    }
}

/// All frames of a file in one flat buffer (loaded before timing).
struct FrameCorpus {
    let bytes: [UInt8]
    let ranges: [Range<Int>]
    var count: Int { ranges.count }

    init(path: String) throws {
        let data = try AtomicFile.read(path: path)
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, byte) in data.enumerated() where byte == 0x0A {
            if index > start { ranges.append(start..<index) }
            start = index + 1
        }
        if start < data.count { ranges.append(start..<data.count) }
        bytes = data
        self.ranges = ranges
    }
}

protocol ParseWorkload {
    mutating func frame(_ corpus: FrameCorpus, _ index: Int) throws
    mutating func resetBooks()
}

extension ParseWorkload {
    mutating func pass(_ corpus: FrameCorpus) throws {
        for index in 0..<corpus.count { try frame(corpus, index) }
    }
}

/// Task bt: bookTicker → per-symbol table of exact values.
struct TopOfBookWorkload: ParseWorkload {
    struct Entry {
        var bid: ExactDecimal = .zero
        var bidQuantity: ExactDecimal = .zero
        var ask: ExactDecimal = .zero
        var askQuantity: ExactDecimal = .zero
    }

    let exchange: Exchange
    var symbols = SymbolTable(capacity: 4096)
    var table = [Entry](repeating: Entry(), count: 4096)
    var ticker = TopOfBookQuote()
    var bybit = BybitTicker()

    init(exchange: Exchange) { self.exchange = exchange }

    mutating func frame(_ corpus: FrameCorpus, _ index: Int) throws {
        let range = corpus.ranges[index]
        try corpus.bytes.withUnsafeBytes { all in
            let frame = UnsafeRawBufferPointer(rebasing: all[range])
            if exchange == .bybit {
                // Linear tickers: deltas carry only changed fields, merged into the table entry.
                try BybitTickerParser.parse(frame, into: &bybit)
                let slot = try symbols.findOrInsert(UnsafeRawBufferPointer(rebasing: frame[bybit.symbol]))
                if let value = bybit.bidPrice { table[slot].bid = value }
                if let value = bybit.bidSize { table[slot].bidQuantity = value }
                if let value = bybit.askPrice { table[slot].ask = value }
                if let value = bybit.askSize { table[slot].askQuantity = value }
                return
            }
            try BinanceTopOfBookParser.parse(frame, into: &ticker)
            let slot = try symbols.findOrInsert(UnsafeRawBufferPointer(rebasing: frame[ticker.symbol]))
            table[slot] = Entry(bid: ticker.bidPrice, bidQuantity: ticker.bidQuantity, ask: ticker.askPrice, askQuantity: ticker.askQuantity)
        }
    }

    mutating func resetBooks() {}
}

/// Task depth: depthUpdate → that symbol's book, every level applied, best bid/ask read.
struct DepthWorkload: ParseWorkload {
    let feed: DepthFeed
    var symbols = SymbolTable(capacity: 4096)
    var books: [L2Book] = []
    var message = DepthMessage()
    var checksum: Int64 = 0
    let verifyChecksum: Bool

    init(exchange: Exchange, verifyChecksum: Bool) {
        feed = DepthFeed(source: SourceId(exchange: exchange, market: .perp))
        self.verifyChecksum = verifyChecksum
    }

    mutating func frame(_ corpus: FrameCorpus, _ index: Int) throws {
        let range = corpus.ranges[index]
        try corpus.bytes.withUnsafeBytes { all in
            let frame = UnsafeRawBufferPointer(rebasing: all[range])
            try feed.parseDiff(frame, into: &message)
            let slot = try symbols.findOrInsert(UnsafeRawBufferPointer(rebasing: frame[message.symbol]))
            if slot == books.count { books.append(L2Book(priceScale: 8, quantityScale: 8)) }
            // A snapshot replaces the book (Bybit/OKX streams start with one); diffs apply.
            if message.isSnapshot { books[slot].reset() }
            try books[slot].apply(message)
            checksum &+= (books[slot].bids.best?.price ?? 0) &+ (books[slot].asks.best?.price ?? 0)
            if verifyChecksum, let expected = message.checksum {
                let computed = OKXChecksum.compute(books[slot])
                guard computed == expected else { throw CommandFailure("frame \(index): checksum \(computed), the frame says \(expected)") }
            }
        }
    }

    mutating func resetBooks() {
        for index in books.indices { books[index].reset() }
    }
}

/// Memory read through, a line at a time, to push a benchmark's own lines (and their pages'
/// translations) out of the caches.
struct CacheEviction {
    private let buffer: UnsafeMutableRawBufferPointer?

    init(bytes: Int) {
        guard bytes > 0 else {
            buffer = nil
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
        // Written once, so that every page is really mapped (not the shared zero page).
        buffer.initializeMemory(as: UInt8.self, repeating: 1)
        self.buffer = buffer
    }

    /// Reads one byte of every line; the sum is kept so the reads are not optimised away.
    func run() {
        guard let buffer else { return }
        var sum: UInt64 = 0
        var offset = 0
        while offset < buffer.count {
            sum &+= UInt64(buffer[offset])
            offset += 64
        }
        CacheEviction.sink = sum
    }

    nonisolated(unsafe) static var sink: UInt64 = 0
}

import DraizerCore
import FastPath
import Foundation
import NIOPosix
import ServiceKit
import TestSupport
import Testing
import VenueTransport

/// The recorded Binance spot session (cryptofeed, 2021-10-12) played by venue-sim over a real
/// WebSocket into a real `market-gateway`: REST snapshot, buffered diffs, bridge, then every
/// recorded diff and bookTicker. The shared-memory top of book must end equal to the
/// recording's last bookTicker of each symbol.
@Suite(.serialized) struct RecordedReplayTests {
    /// The recorded symbols with their exchangeInfo tick and step (from `rest/spot-instruments.json`).
    static let recorded: [(base: String, quote: String, exchangeSymbol: String, tick: String, step: String)] = [
        ("BLZ", "ETH", "BLZETH", "0.00000001", "1"),
        ("LRC", "BTC", "LRCBTC", "0.00000001", "1"),
        ("NKN", "USDT", "NKNUSDT", "0.0001", "1"),
    ]

    @Test(.timeLimit(.minutes(1))) func binanceSpotSessionEndsOnTheLastBookTicker() throws {
        let fixtures = Fixtures.root.path
        let sim = try VenueSimProcess(arguments: ["--replay", fixtures, "--speed", "20"])
        let prefix = "rpl\(getpid())\(UInt16.random(in: 0...UInt16.max))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            for name in (try? SegmentNames(prefix: prefix).existing()) ?? [] { try? SharedMemorySegment.unlink(name: name) }
        }
        let source = SourceId(exchange: .binance, market: .spot)
        let symbols = Self.recorded.enumerated().map { SymbolInfo(id: SymbolId($0.offset), base: $0.element.base, quote: $0.element.quote) }
        let instruments = try Self.recorded.enumerated().map { index, symbol in
            Instrument(
                symbol: SymbolId(index), source: source, exchangeSymbol: symbol.exchangeSymbol, tickSize: try Price(symbol.tick),
                stepSize: try Quantity(symbol.step), minQuantity: try Quantity(symbol.step), minNotional: .zero, contractSize: ExactDecimal(1))
        }
        try Universe(symbols: symbols, instruments: instruments, directions: []).save(path: "\(directory)/universe.json")
        let names = try SegmentNames(prefix: prefix)
        let store = try PriceStore.create(names: names, symbolCapacity: 8)
        _ = try ControlSegment.create(names: names)

        let gateway = try ChildProcess(
            executable: builtBinary("market-gateway"),
            arguments: [
                "--exchange", "binance", "--universe", "\(directory)/universe.json", "--sim-url", sim.baseURL, "--shm-prefix", prefix,
                "--control-socket", "/tmp/\(prefix).sock",
            ],
            output: .discard)
        defer { gateway.terminate(graceMillis: 2000) }

        // The recording lasts 30 s; at 20× venue-sim has sent it all after about 1.5 s.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let statusURL = try TransportURL("\(sim.baseURL)/sim/status")
        let deadline = Date().addingTimeInterval(20)
        var finished = false
        while !finished, Date() < deadline {
            let body = try HTTPFetcher.get(statusURL, group: group).wait()
            let status = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            finished = (status?["replays_finished"] as? Int ?? 0) >= 1
            if !finished { usleep(50_000) }
        }
        #expect(finished, "venue-sim played the whole recording")

        for (index, symbol) in Self.recorded.enumerated() {
            let folder = "binance/replay/spot-\(symbol.exchangeSymbol)"
            let manifest = try Fixtures.json("\(folder)/manifest.json")
            let finalUpdateId = try #require(manifest["final_update_id"] as? Int)
            let last = try #require(try Fixtures.lines("\(folder)/bookticker.jsonl").last)
            let ticker = try #require(
                (try JSONSerialization.jsonObject(with: Data(last)) as? [String: Any])?["data"] as? [String: Any])
            let slot = try #require(store.slot(symbol: SymbolId(index), source: source))

            // The gateway has applied the last recorded diff once the entry carries its id.
            var book = BookSnapshot()
            let applied = Date().addingTimeInterval(5)
            while Date() < applied {
                if store.readBook(slot: slot, into: &book) == .consistent, book.exchangeSequence == UInt64(finalUpdateId) { break }
                usleep(5_000)
            }
            #expect(book.exchangeSequence == UInt64(finalUpdateId), "\(symbol.exchangeSymbol): last diff applied")
            #expect(book.top.verified, "\(symbol.exchangeSymbol): verified")
            #expect(book.top.bid.decimal == (try ExactDecimal(ticker["b"] as! String)), "\(symbol.exchangeSymbol) bid \(book.top.bid)")
            #expect(book.top.bidSize.decimal == (try ExactDecimal(ticker["B"] as! String)), "\(symbol.exchangeSymbol) bid size")
            #expect(book.top.ask.decimal == (try ExactDecimal(ticker["a"] as! String)), "\(symbol.exchangeSymbol) ask \(book.top.ask)")
            #expect(book.top.askSize.decimal == (try ExactDecimal(ticker["A"] as! String)), "\(symbol.exchangeSymbol) ask size")
        }
        let health = try ControlSegment.attach(names: names).healthSnapshot(source)
        #expect(health.gaps == 0 && health.errors == 0, "\(health)")
    }
}

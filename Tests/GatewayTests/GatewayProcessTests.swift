import DraizerCore
import FastPath
import Foundation
import NIOPosix
import VenueTransport
import ServiceKit
import TestSupport
import Testing

/// venue-sim, `draizer discover` and `market-gateway` as real processes over real sockets; this
/// test process is the shared-memory checker.
@Suite(.serialized) struct GatewayProcessTests {
    struct Harness {
        let sim: VenueSimProcess
        let prefix: String
        let directory: String
        let universe: Universe
        let store: PriceStore
        let control: ControlSegment

        init(scenario: String) throws {
            sim = try VenueSimProcess(scenario: scenario)
            prefix = "gwt\(getpid())\(UInt16.random(in: 0...UInt16.max))"
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix).path
            let discover = try ChildProcess(
                executable: builtBinary("draizer"), arguments: ["discover", "--sim-url", sim.baseURL, "--out", directory], output: .discard)
            guard discover.wait() == 0 else { throw HarnessFailure(message: "discover failed") }
            universe = try Universe.load(path: "\(directory)/universe.json")
            let names = try SegmentNames(prefix: prefix)
            store = try PriceStore.create(names: names, symbolCapacity: 16)
            control = try ControlSegment.create(names: names)
            _ = try SPSCRing.create(name: names.ring("notices.binance"), capacity: 1 << 16, of: UpdateNotice.self)
        }

        /// A gateway on the harness; with `logs`, its standard error comes with its output (through
        /// `sh`, which execs it: the process is the gateway's).
        func gateway(_ exchange: Exchange, arguments extra: [String] = [], logs: Bool = false) throws -> ChildProcess {
            let arguments = [
                "--exchange", exchange.name, "--universe", "\(directory)/universe.json", "--sim-url", sim.baseURL, "--shm-prefix", prefix,
                "--control-socket", socket(exchange),
            ] + extra
            guard logs else { return try ChildProcess(executable: builtBinary("market-gateway"), arguments: arguments, output: .discard) }
            return try ChildProcess(
                executable: "/bin/sh", arguments: ["-c", #"exec "$0" "$@" 2>&1"#, builtBinary("market-gateway")] + arguments, output: .pipe)
        }

        func socket(_ exchange: Exchange) -> String { "/tmp/\(prefix)-\(exchange.name).sock" }

        func cleanUp() {
            try? FileManager.default.removeItem(atPath: directory)
            for name in (try? SegmentNames(prefix: prefix).existing()) ?? [] { try? SharedMemorySegment.unlink(name: name) }
        }

        func slots(_ exchange: Exchange) -> [(Instrument, Int)] {
            universe.instruments.filter { $0.source.exchange == exchange }.compactMap { instrument in
                store.slot(symbol: instrument.symbol, source: instrument.source).map { (instrument, $0) }
            }
        }

        /// Reads every entry of `exchange` until all are verified or `seconds` pass; fails on a
        /// verified entry that is crossed or empty. Returns how long it took (or nil).
        /// Adds XRP-USDT on `source` to the universe file (a symbol venue-sim does not list: a
        /// stale universe); the gateways started after read it.
        func addUnlistedSymbol(on source: SourceId, exchangeSymbol: String) throws -> SymbolInfo {
            let unlisted = SymbolInfo(id: SymbolId(universe.symbols.count), base: "XRP", quote: "USDT")
            let extra = Instrument(
                symbol: unlisted.id, source: source, exchangeSymbol: exchangeSymbol, tickSize: Price("0.0001"), stepSize: Quantity("0.01"),
                minQuantity: Quantity("0.01"), minNotional: ExactDecimal(1), contractSize: ExactDecimal(1))
            try Universe(symbols: universe.symbols + [unlisted], instruments: universe.instruments + [extra], directions: universe.directions)
                .save(path: "\(directory)/universe.json")
            return unlisted
        }

        func waitAllVerified(_ exchange: Exchange, seconds: Double) -> Double? {
            let start = Date()
            var top = TopOfBook()
            while Date().timeIntervalSince(start) < seconds {
                var verified = 0
                for (_, slot) in slots(exchange) where store.readTop(slot: slot, into: &top) == .consistent && top.verified {
                    #expect(top.bidPrice > 0 && top.bidPrice < top.askPrice, "verified entries are never crossed")
                    verified += 1
                }
                if verified == slots(exchange).count { return Date().timeIntervalSince(start) }
                usleep(5_000)
            }
            return nil
        }
    }

    struct HarnessFailure: Error { let message: String }

    @Test(.timeLimit(.minutes(2)), arguments: Exchange.allCases)
    func everyBookVerifiedInSharedMemory(exchange: Exchange) throws {
        let harness = try Harness(scenario: #"{"updatesPerSecond":40}"#)
        defer { harness.cleanUp() }
        let gateway = try harness.gateway(exchange)
        #expect(harness.waitAllVerified(exchange, seconds: 10) != nil, "\(exchange): books verified in shm")
        // Steady state: a second of traffic without faults brings no gap and no resync.
        let settled = harness.control.healthSnapshot(SourceId(exchange: exchange, market: .perp))
        usleep(1_000_000)
        for market in MarketKind.allCases {
            let health = harness.control.healthSnapshot(SourceId(exchange: exchange, market: market))
            #expect(health.state == .live && health.messages > 0 && health.errors == 0, "\(exchange): \(health)")
            #expect(health.gaps == 0, "\(exchange)/\(market): \(health.gaps) gaps without any fault")
            #expect(health.resyncs == 0, "\(exchange)/\(market): the first sync of each book is no resync, was \(health.resyncs)")
        }
        #expect(harness.control.healthSnapshot(SourceId(exchange: exchange, market: .perp)).resyncs == settled.resyncs)
        let status = try ControlSocketServer.request(path: "/tmp/\(harness.prefix)-\(exchange.name).sock", command: "status")
        #expect(status.contains(#""verified":4"#), "\(status)")
        // Frames after a quiet spell are counted apart too: some at 40 updates/s, never more than all.
        let json = try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any] ?? [:]
        let all = (json["frame_to_shm_ns"] as? [String: Any])?["count"] as? Int ?? 0
        let afterQuiet = (json["frame_to_shm_after_quiet_ns"] as? [String: Any])?["count"] as? Int ?? -1
        #expect(afterQuiet > 0 && afterQuiet <= all, "\(afterQuiet) of \(all)")
        // And by what they carried: every published frame is a best bid/ask or depth, and both come.
        let byFrame = json["frame_to_shm_by_frame_ns"] as? [String: Any] ?? [:]
        let quotes = (byFrame["top_of_book"] as? [String: Any])?["count"] as? Int ?? -1
        let depth = (byFrame["depth"] as? [String: Any])?["count"] as? Int ?? -1
        #expect(quotes > 0 && depth > 0 && quotes + depth == all, "\(quotes) + \(depth) of \(all)")
        if exchange == .binance {
            // The notices say what their frame carried: bookTicker frames and depth diffs both come.
            let notices = try RingConsumer<UpdateNotice>(name: SegmentNames(prefix: harness.prefix).ring("notices.binance"))
            var kinds: [UInt8: Int] = [:]
            let until = Date().addingTimeInterval(0.5)
            while Date() < until {
                while let notice = notices.tryPop() { kinds[notice.kind, default: 0] += 1 }
                usleep(2_000)
            }
            #expect(kinds[UpdateNotice.Kind.topOfBook.rawValue, default: 0] > 0 && kinds[UpdateNotice.Kind.depth.rawValue, default: 0] > 0)
            #expect(Set(kinds.keys).isSubset(of: [UpdateNotice.Kind.topOfBook.rawValue, UpdateNotice.Kind.depth.rawValue]), "\(kinds)")

            // reload: the universe again; a broken file is refused in a reply that is still JSON
            // (its error quotes the file), and the gateway goes on serving.
            let socket = harness.socket(exchange)
            #expect(try ControlSocketServer.request(path: socket, command: "reload").contains(#""ok":true,"symbols":"#))
            let path = "\(harness.directory)/universe.json"
            let good = try String(contentsOfFile: path, encoding: .utf8)
            try good.replacingOccurrences(of: #""binance/spot""#, with: #""bin\"an\\ce/spot""#).write(toFile: path, atomically: true, encoding: .utf8)
            let refused = try ControlSocketServer.request(path: socket, command: "reload")
            let reply = try JSONSerialization.jsonObject(with: Data(refused.utf8)) as? [String: Any] ?? [:]
            #expect(reply["ok"] as? Bool == false && (reply["error"] as? String)?.contains(#"bin"an\ce/spot"#) == true, "\(refused)")
            let after = try ControlSocketServer.request(path: socket, command: "status")
            #expect(try JSONSerialization.jsonObject(with: Data(after.utf8)) is [String: Any], "\(after)")
            // More symbols than the store holds (16 here): refused as at start, not half loaded.
            let extra = (harness.universe.symbols.count..<17).map { SymbolInfo(id: SymbolId($0), base: $0 < 10 ? "Z0\($0)" : "Z\($0)", quote: "USDT") }
            try Universe(symbols: harness.universe.symbols + extra, instruments: harness.universe.instruments, directions: harness.universe.directions)
                .save(path: path)
            let tooMany = try ControlSocketServer.request(path: socket, command: "reload")
            #expect(tooMany.contains(#""ok":false"#) && tooMany.contains("the price store holds 16"), "\(tooMany)")
        }

        // SIGTERM: a clean exit within 2 s, books marked unverified, health stopped.
        let started = Date()
        gateway.signal(SIGTERM)
        #expect(gateway.wait() == 0)
        #expect(Date().timeIntervalSince(started) < 2)
        var top = TopOfBook()
        for (_, slot) in harness.slots(exchange) {
            _ = harness.store.readTop(slot: slot, into: &top)
            #expect(!top.verified)
        }
        #expect(harness.control.healthSnapshot(SourceId(exchange: exchange, market: .perp)).state == .stopped)
    }

    /// Each fault kind breaks something; every book is verified again within 2 s, and while the
    /// checker reads shared memory no verified entry is ever crossed.
    @Test(.timeLimit(.minutes(2)), arguments: [
        ("binance", "skip_sequence"), ("binance", "drop_connection"), ("bybit", "skip_sequence"), ("okx", "corrupt_checksum"),
        ("gateio", "skip_sequence"), ("mexc", "drop_connection"), ("binance", "malformed_frame"),
    ])
    func recoversFromFaults(exchange: String, fault: String) throws {
        let venue = Exchange(name: exchange)!
        let faults = MarketKind.allCases.map { market in
            #"{"atSeconds":6,"source":"\#(exchange)/\#(market.name)","kind":"\#(fault)"}"#
        }
        let harness = try Harness(scenario: #"{"updatesPerSecond":40,"faults":[\#(faults.joined(separator: ","))]}"#)
        defer { harness.cleanUp() }
        let gateway = try harness.gateway(venue)
        defer { gateway.terminate(graceMillis: 2000) }
        #expect(harness.waitAllVerified(venue, seconds: 5) != nil, "\(exchange): synced before the fault")
        // Wait for the fault to hit (t = 6 s of simulated time since venue-sim started).
        let source = SourceId(exchange: venue, market: .spot)
        let before = harness.control.healthSnapshot(source)
        let deadline = Date().addingTimeInterval(8)
        var hit = false
        while Date() < deadline && !hit {
            let now = harness.control.healthSnapshot(source)
            hit = now.gaps > before.gaps || now.reconnects > before.reconnects || now.errors > before.errors
            var top = TopOfBook()
            for (_, slot) in harness.slots(venue) where harness.store.readTop(slot: slot, into: &top) == .consistent && top.verified {
                #expect(top.bidPrice < top.askPrice)
            }
            usleep(2_000)
        }
        #expect(hit, "\(exchange) \(fault): the fault was seen")
        let recovery = harness.waitAllVerified(venue, seconds: 2)
        #expect(recovery != nil, "\(exchange) \(fault): verified again within 2 s")
        // A broken sequence or checksum is a gap and a resync, found in the frame itself (not an
        // unreadable frame); a new connection's first syncs are no resync (its reconnect is
        // counted).
        var after = harness.control.healthSnapshot(source)
        let resyncBy = Date().addingTimeInterval(3)
        while fault == "skip_sequence" || fault == "corrupt_checksum", after.resyncs == before.resyncs, Date() < resyncBy {
            usleep(10_000)
            after = harness.control.healthSnapshot(source)
        }
        switch fault {
        case "skip_sequence", "corrupt_checksum":
            #expect(after.resyncs > before.resyncs && after.gaps > before.gaps && after.errors == before.errors, "\(exchange) \(fault): \(after)")
        case "drop_connection": #expect(after.resyncs == before.resyncs && after.reconnects > before.reconnects, "\(exchange) \(fault): \(after)")
        default: break
        }
    }

    /// A dropped connection is logged when it goes and when it is back, with how long it took (it
    /// left no trace in the log: only the reconnect counter moved).
    @Test(.timeLimit(.minutes(1))) func aDroppedConnectionIsLoggedWhenItGoesAndWhenItIsBack() throws {
        let harness = try Harness(scenario: #"{"updatesPerSecond":40,"faults":[{"atSeconds":6,"source":"binance/spot","kind":"drop_connection"}]}"#)
        defer { harness.cleanUp() }
        let gateway = try harness.gateway(.binance, logs: true)
        defer { gateway.terminate(graceMillis: 2000) }
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !lines.contains(where: { $0.contains("connected again") }) {
            if let line = gateway.readLine(timeoutMillis: 500) { lines.append(line) }
        }
        let lost = lines.filter { $0.hasPrefix("gateway binance/spot: connection to ws://") && $0.contains("closed") }
        let back = lines.filter { $0.hasPrefix("gateway binance/spot: connected again to ws://") }
        #expect(lost.count == 1 && back.count == 1, "\(lines)")
        #expect(lines.firstIndex { $0.contains("closed") } ?? .max < lines.firstIndex { $0.contains("connected again") } ?? -1, "\(lines)")
        #expect(!lines.contains { $0.contains("binance/perp: connection") }, "the other market's connection stayed: \(lines)")
    }

    /// Depth snapshots refused for a while (HTTP 503 from t = 3 s to 7 s): each book asks again
    /// after 0.5, 1, 2, 4 s (not twice a second for as long as it lasts), `status` names the
    /// failing books and why, and every book is verified once the venue answers again.
    @Test(.timeLimit(.minutes(1))) func failingSnapshotsBackOffAndRecover() throws {
        let started = ContinuousClock.now
        let harness = try Harness(
            scenario: #"{"updatesPerSecond":40,"faults":[{"atSeconds":3,"source":"binance/spot","kind":"rest_error","status":503,"durationSeconds":4}]}"#)
        defer { harness.cleanUp() }
        let untilFault = .seconds(3.3) - (ContinuousClock.now - started)
        guard untilFault > .zero else {
            Issue.record("venue-sim and discover took over 3 s; the fault window was missed")
            return
        }
        usleep(UInt32(untilFault.components.seconds * 1_000_000 + untilFault.components.attoseconds / 1_000_000_000_000))
        let gateway = try harness.gateway(.binance)
        defer { gateway.terminate(graceMillis: 2000) }
        usleep(3_000_000)
        let during = try JSONSerialization.jsonObject(with: Data(try ControlSocketServer.request(path: harness.socket(.binance), command: "status").utf8))
        let spot = ((during as? [String: Any])?["sources"] as? [String: Any])?["binance/spot"] as? [String: Any] ?? [:]
        let failing = spot["failing_snapshots"] as? [[String: Any]] ?? []
        #expect(!failing.isEmpty && failing.count == harness.slots(.binance).filter { $0.0.source.market == .spot }.count, "\(spot)")
        for book in failing {
            let failures = book["failures"] as? Int ?? 0
            #expect((2...4).contains(failures), "after 3 s: 3 attempts with backoff (6 at a fixed 0.5 s): \(book)")
            #expect((book["error"] as? String)?.contains("503") == true, "\(book)")
        }
        #expect(harness.waitAllVerified(.binance, seconds: 15) != nil, "verified again once the venue answers")
        let after = try JSONSerialization.jsonObject(with: Data(try ControlSocketServer.request(path: harness.socket(.binance), command: "status").utf8))
        for (source, value) in (after as? [String: Any])?["sources"] as? [String: Any] ?? [:] {
            #expect(((value as? [String: Any])?["failing_snapshots"] as? [Any])?.isEmpty == true, "\(source): \(value)")
        }
    }

    /// A symbol the venue does not list (a stale universe) on a venue whose books come on the
    /// socket: its subscription is refused, `status` counts the venue's errors and shows the last,
    /// and the other books are verified as usual.
    @Test(.timeLimit(.minutes(1))) func refusedSubscriptionsAreShownWithTheVenuesWords() throws {
        let harness = try Harness(scenario: #"{"updatesPerSecond":40}"#)
        defer { harness.cleanUp() }
        _ = try harness.addUnlistedSymbol(on: SourceId(exchange: .okx, market: .spot), exchangeSymbol: "XRP-USDT")
        let gateway = try harness.gateway(.okx)
        defer { gateway.terminate(graceMillis: 2000) }
        #expect(harness.waitAllVerified(.okx, seconds: 10) != nil, "the listed books")
        var status: Any = [:]
        var spot: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(5)
        repeat {
            // The refusal may come after the other books' snapshots, and the books before the
            // control socket (the gateway opens it once its feeds are started).
            if let text = try? ControlSocketServer.request(path: harness.socket(.okx), command: "status") {
                status = try JSONSerialization.jsonObject(with: Data(text.utf8))
                spot = ((status as? [String: Any])?["sources"] as? [String: Any])?["okx/spot"] as? [String: Any] ?? [:]
                if (spot["venue_errors"] as? Int ?? 0) >= 1 { break }
            }
            usleep(50_000)
        } while Date() < deadline
        #expect((spot["venue_errors"] as? Int ?? 0) >= 1, "\(spot)")
        #expect((spot["last_venue_error"] as? String)?.contains("XRP-USDT") == true, "\(spot)")
        let perp = ((status as? [String: Any])?["sources"] as? [String: Any])?["okx/perp"] as? [String: Any] ?? [:]
        #expect(perp["venue_errors"] as? Int == 0 && perp["last_venue_error"] is NSNull, "\(perp)")
    }

    /// A symbol the venue does not list on a venue whose books come by REST: its snapshot keeps
    /// failing, and after 10 s its source is shown live (it said `syncing` for good), the book
    /// left out of trading (unverified) and listed with its reason.
    @Test(.timeLimit(.minutes(1))) func aBookThatNeverSyncsDoesNotHoldItsSourceInSyncing() throws {
        let harness = try Harness(scenario: #"{"updatesPerSecond":40}"#)
        defer { harness.cleanUp() }
        let unlisted = try harness.addUnlistedSymbol(on: SourceId(exchange: .binance, market: .spot), exchangeSymbol: "XRPUSDT")
        let gateway = try harness.gateway(.binance)
        defer { gateway.terminate(graceMillis: 2000) }
        let spot = SourceId(exchange: .binance, market: .spot)
        let perp = SourceId(exchange: .binance, market: .perp)
        #expect(harness.waitAllVerified(.binance, seconds: 10) != nil, "the listed books")
        #expect(harness.control.healthSnapshot(perp).state == .live)
        #expect(harness.control.healthSnapshot(spot).state == .syncing, "XRPUSDT has not waited 10 s yet")
        let deadline = Date().addingTimeInterval(15)
        while harness.control.healthSnapshot(spot).state != .live && Date() < deadline { usleep(100_000) }
        #expect(harness.control.healthSnapshot(spot).state == .live)
        var top = TopOfBook()
        if let slot = harness.store.slot(symbol: unlisted.id, source: spot) {
            #expect(harness.store.readTop(slot: slot, into: &top) != .consistent || !top.verified, "never traded on")
        }
        let status = try JSONSerialization.jsonObject(with: Data(try ControlSocketServer.request(path: harness.socket(.binance), command: "status").utf8))
        let failing = (((status as? [String: Any])?["sources"] as? [String: Any])?["binance/spot"] as? [String: Any])?["failing_snapshots"] as? [[String: Any]] ?? []
        #expect(failing.map { $0["symbol"] as? String } == ["XRPUSDT"], "\(failing)")
    }

    /// Its notice ring removed while it runs (`draizer shm remove`): the gateway wrote notices
    /// no detector would ever read, without a sign. It now stops with status 75.
    @Test(.timeLimit(.minutes(1))) func aRemovedSegmentStopsTheGateway() throws {
        let harness = try Harness(scenario: #"{"updatesPerSecond":40}"#)
        defer { harness.cleanUp() }
        let gateway = try harness.gateway(.binance)
        defer { gateway.terminate(graceMillis: 2000) }
        #expect(harness.waitAllVerified(.binance, seconds: 10) != nil)
        #expect(gateway.isRunning)
        try SharedMemorySegment.unlink(name: SegmentNames(prefix: harness.prefix).ring("notices.binance"))
        let deadline = Date().addingTimeInterval(5)
        while gateway.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!gateway.isRunning)
        #expect(gateway.wait() == 75)
    }

    /// A setting the gateway refuses stops it before it makes any shared memory.
    @Test func refusedStartLeavesNoSharedMemory() throws {
        let prefix = "gwref\(getpid())\(UInt16.random(in: 0...UInt16.max))"
        defer { for name in (try? SegmentNames(prefix: prefix).existing()) ?? [] { try? SharedMemorySegment.unlink(name: name) } }
        let universe = "\(FileManager.default.temporaryDirectory.path)/\(prefix).json"
        defer { try? FileManager.default.removeItem(atPath: universe) }
        try Universe(symbols: [SymbolInfo(id: SymbolId(0), base: "BTC", quote: "USDT")], instruments: [], directions: []).save(path: universe)
        // A file where the control socket would go (an operator's typo) is refused, not deleted.
        let notASocket = "\(FileManager.default.temporaryDirectory.path)/\(prefix).notes"
        #expect(FileManager.default.createFile(atPath: notASocket, contents: Data("notes".utf8)))
        defer { try? FileManager.default.removeItem(atPath: notASocket) }
        let refusals: [[String]] = [
            ["--redis-url", "bogus://x"], ["--no-redis", "--symbol-capacity", "0"], ["--no-redis", "--sim-url", "127.0.0.1:9600"],
            ["--no-redis", "--control-socket", notASocket], ["--no-redis", "--control-socket", "/nonexistent-drz/gw.sock"],
        ]
        for arguments in refusals {
            let gateway = try ChildProcess(
                executable: builtBinary("market-gateway"),
                arguments: ["--exchange", "binance", "--universe", universe, "--shm-prefix", prefix] + arguments, output: .discard)
            #expect(gateway.wait() == 64, "\(arguments)")
            #expect(try SegmentNames(prefix: prefix).existing().isEmpty, "\(arguments)")
        }
        #expect(FileManager.default.contents(atPath: notASocket) == Data("notes".utf8))
    }

    /// With a symbol frozen on the venue, the gateway's shared-memory top of book equals
    /// venue-sim's own book (its REST snapshot) exactly.
    @Test(.timeLimit(.minutes(1))) func sharedMemoryEqualsTheVenueBook() throws {
        let freeze = ["binance/spot", "binance/perp", "gateio/spot", "gateio/perp"].map {
            #"{"atSeconds":4,"source":"\#($0)","kind":"stale_symbol","symbol":"BTC-USDT","durationSeconds":60}"#
        }
        let harness = try Harness(scenario: #"{"updatesPerSecond":40,"faults":[\#(freeze.joined(separator: ","))]}"#)
        defer { harness.cleanUp() }
        for exchange in [Exchange.binance, .gateio] {
            let gateway = try harness.gateway(exchange)
            defer { gateway.terminate(graceMillis: 2000) }
            #expect(harness.waitAllVerified(exchange, seconds: 5) != nil)
            usleep(4_500_000)  // past the freeze
            for (instrument, slot) in harness.slots(exchange) where harness.universe.symbol(instrument.symbol)?.name == "BTC-USDT" {
                let path = instrument.source.exchange == .binance
                    ? (instrument.source.market == .spot ? "/api/v3/depth?symbol=BTCUSDT" : "/fapi/v1/depth?symbol=BTCUSDT")
                    : (instrument.source.market == .spot ? "/api/v4/spot/order_book?currency_pair=BTC_USDT&with_id=true" : "/api/v4/futures/usdt/order_book?contract=BTC_USDT&with_id=true")
                let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
                defer { try? group.syncShutdownGracefully() }
                let body = try HTTPFetcher.get(try TransportURL(harness.sim.rest(instrument.source.name) + path), group: group).wait()
                let json = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
                let bestBid = Self.price(json["bids"], first: true)
                var top = TopOfBook()
                #expect(harness.store.readTop(slot: slot, into: &top) == .consistent)
                #expect(top.verified)
                #expect(top.bid.decimal == bestBid, "\(instrument.source): shm \(top.bid) vs venue \(String(describing: bestBid))")
            }
        }
    }

    static func price(_ levels: Any?, first: Bool) -> ExactDecimal? {
        if let arrays = levels as? [[Any]], let price = arrays.first?.first as? String { return try? ExactDecimal(price) }
        if let objects = levels as? [[String: Any]], let price = objects.first?["p"] as? String { return try? ExactDecimal(price) }
        return nil
    }
}

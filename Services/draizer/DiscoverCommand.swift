import ArgumentParser
import DraizerCore
import PostgresStore
import Discovery
import NIOCore
import NIOPosix
import VenueTransport
import Venues
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `draizer discover`: instrument lists of every configured source over REST → universe of
/// symbols, instruments and directions → `generated/` (written atomically), with a readable
/// report. venue-sim by default; the real exchanges over TLS with `--live`.
struct DiscoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover", abstract: "Discover instruments, build the universe and write generated/.")

    @Option(help: "venue-sim base URL (ignored with --live).") var simURL = "http://127.0.0.1:9600"
    @Flag(help: "Ask the real exchanges (TLS) instead of venue-sim.") var live = false
    @Option(help: "Sources to ask, comma separated (default: all 10).") var sources: String?
    @Option(help: "Fewest sources that must answer.") var minSources = 6
    @Option(help: "Direction kinds: spot_spot, spot_perp, perp_perp (comma separated).") var directions = "spot_spot,spot_perp"
    @Flag(help: "Keep only instruments whose top of book arrives on the WebSocket (bid>0, ask>0, bid≤ask).") var validate = false
    @Option(help: "WebSocket validation timeout in milliseconds.") var validateTimeoutMillis = 3000
    @Option(help: "Output directory.") var out = "generated"
    @Option(help: "PostgreSQL to upsert the reference tables into (default: env DATABASE_URL; neither: files only).")
    var databaseURL: String?

    func run() throws {
        // Everything that can be refused is, before the first request.
        let selected = try selectedSources()
        let kinds = try directionKinds()
        guard minSources >= 1, minSources <= selected.count else {
            throw CommandFailure("--min-sources: expected 1...\(selected.count), was \(minSources)")
        }
        guard (100...600_000).contains(validateTimeoutMillis) else {
            throw CommandFailure("--validate-timeout-millis: expected 100...600000, was \(validateTimeoutMillis)")
        }
        var database: PostgresConfiguration?
        if let url = databaseURL ?? Environment.value("DATABASE_URL"), !url.isEmpty {
            do {
                database = try PostgresConfiguration(connectionString: url)
            } catch {
                throw CommandFailure("--database-url (or DATABASE_URL): \(error)")
            }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }

        var lists: [SourceId: InstrumentList] = [:]
        var failures: [SourceId: String] = [:]
        let fetches = selected.map { source in (source, fetchList(source, group: group)) }
        for (source, future) in fetches {
            do {
                lists[source] = try InstrumentListParser.parse(source: source, body: try future.wait())
            } catch {
                failures[source] = "\(error)"
            }
        }
        let answered = lists.filter { !$0.value.listings.isEmpty }
        guard answered.count >= minSources else {
            let reasons = failures.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
            throw CommandFailure("expected at least \(minSources) of \(selected.count) sources, was \(answered.count):\n\(reasons)")
        }

        var listings = answered.mapValues(\.listings)
        var invalid: [(SourceId, String, String)] = []
        if validate {
            for (source, sourceListings) in listings.sorted(by: { $0.key < $1.key }) {
                let result = QuoteValidation.run(source: source, url: webSocketURL(source), listings: sourceListings, group: group, timeoutMillis: validateTimeoutMillis)
                listings[source] = sourceListings.filter { result.valid.contains($0.exchangeSymbol) }
                for (symbol, reason) in result.invalid.sorted(by: { $0.key < $1.key }) { invalid.append((source, symbol, reason)) }
            }
        }
        let built: UniverseBuilder.Result
        do {
            built = try UniverseBuilder(directionKinds: kinds).build(listings)
        } catch {
            throw CommandFailure("universe: \(error)")
        }
        try writeGenerated(built, lists: lists, listings: listings, failures: failures, invalid: invalid, kinds: kinds)
        print("discovered \(built.universe.symbols.count) symbols, \(built.universe.instruments.count) instruments, \(built.universe.directions.count) directions, \(built.cycleCount) triangular cycles from \(answered.count)/\(selected.count) sources → \(out)/")
        for (source, reason) in failures.sorted(by: { $0.key < $1.key }) { print("  \(source) failed: \(reason)") }
        if let database {
            do {
                let connection = try PostgresConnection(configuration: database)
                let summary = try ReferenceData.upsert(built.universe, into: connection)
                print(
                    "reference tables: \(summary.symbolsAdded) symbols added, \(summary.symbolsRemoved) removed, "
                        + "\(summary.instrumentsChanged) instruments inserted or updated, \(summary.instrumentsUnlisted) no longer listed")
            } catch {
                throw CommandFailure("reference tables not updated (\(out)/ was written): \(error)")
            }
        }
    }

    func selectedSources() throws -> [SourceId] {
        guard let sources else { return SourceId.all }
        var selected: [SourceId] = []
        for name in sources.split(separator: ",") {
            guard let source = SourceId(name: String(name)) else { throw CommandFailure("--sources: unknown source \(name)") }
            guard !selected.contains(source) else { throw CommandFailure("--sources: \(name) is listed twice") }
            selected.append(source)
        }
        guard !selected.isEmpty else { throw CommandFailure("--sources: expected at least one source, was none") }
        return selected
    }

    func directionKinds() throws -> Set<DirectionKind> {
        let kinds = Set(
            try directions.split(separator: ",").map { name in
                guard let kind = DirectionKind(rawValue: String(name)) else { throw CommandFailure("--directions: unknown kind \(name)") }
                return kind
            })
        guard !kinds.isEmpty else { throw CommandFailure("--directions: expected at least one of spot_spot, spot_perp, perp_perp, was none") }
        return kinds
    }

    func restBase(_ source: SourceId) throws -> TransportURL {
        try TransportURL(live ? VenueEndpoints.production(source).restBaseURL : "\(simURL)/\(source.name)")
    }

    func webSocketURL(_ source: SourceId) -> String {
        if live { return VenueEndpoints.production(source).publicWebSocketURL }
        let base = simURL.replacingOccurrences(of: "http://", with: "ws://").replacingOccurrences(of: "https://", with: "wss://")
        return "\(base)/\(source.name)/ws"
    }

    /// GET with retries after 100, 200 and 400 ms on connection errors, 429 and 5xx.
    func fetchList(_ source: SourceId, group: EventLoopGroup) -> EventLoopFuture<[UInt8]> {
        let loop = group.next()
        let url: TransportURL
        do {
            url = try restBase(source).appending(VenueRESTPaths.instruments(source))
        } catch {
            return loop.makeFailedFuture(error)
        }
        @Sendable func attempt(_ delays: ArraySlice<Int64>) -> EventLoopFuture<[UInt8]> {
            HTTPFetcher.get(url, group: loop).flatMapError { error in
                guard let delay = delays.first, (error as? TransportError)?.isRetryable ?? true else {
                    return loop.makeFailedFuture(error)
                }
                return loop.scheduleTask(in: .milliseconds(delay)) {}.futureResult.flatMap { attempt(delays.dropFirst()) }
            }
        }
        return attempt([100, 200, 400])
    }

    // MARK: generated/

    struct ListingFile: Codable {
        var exchangeSymbol: String
        var symbol: String
        var tickSize: String
        var stepSize: String
        var minQuantity: String
        var minNotional: String
        var contractSize: String
        var fundingIntervalMillis: UInt64?
    }

    struct Metadata: Codable {
        var generatedAtWallMillis: Int64
        var mode: String
        var sourcesAnswered: [String]
        var sourcesFailed: [String: String]
        var symbols: Int
        var instruments: Int
        var directions: [String: Int]
        var triangularCycles: Int
        var invalidInstruments: Int
    }

    func writeGenerated(
        _ built: UniverseBuilder.Result, lists: [SourceId: InstrumentList], listings: [SourceId: [InstrumentListing]],
        failures: [SourceId: String], invalid: [(SourceId, String, String)], kinds: Set<DirectionKind>
    ) throws {
        try FileManager.default.createDirectory(atPath: "\(out)/sources", withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for (source, sourceListings) in listings.sorted(by: { $0.key < $1.key }) {
            let rows = sourceListings.sorted { $0.exchangeSymbol < $1.exchangeSymbol }.map { listing in
                ListingFile(
                    exchangeSymbol: listing.exchangeSymbol, symbol: listing.symbolName, tickSize: "\(listing.tickSize)",
                    stepSize: "\(listing.stepSize)", minQuantity: "\(listing.minQuantity)", minNotional: "\(listing.minNotional)",
                    contractSize: "\(listing.contractSize)", fundingIntervalMillis: listing.fundingIntervalMillis)
            }
            try AtomicFile.write(Array(try encoder.encode(rows)), to: "\(out)/sources/\(source.exchange.name)-\(source.market.name).json")
        }
        let universe = built.universe
        var report = "Draizer discovery report\n\nsource          listed  kept  excluded  status\n"
        for source in SourceId.all {
            let list = lists[source]
            let status = failures[source].map { "failed: \($0)" } ?? (list == nil ? "not asked" : "ok")
            let line = pad(source.name, 15) + pad("\(list?.listings.count ?? 0)", 8) + pad("\(listings[source]?.count ?? 0)", 6)
                + pad("\(list?.excluded.count ?? 0)", 10) + status
            report += line + "\n"
        }
        report += "\nsymbols \(universe.symbols.count), instruments \(universe.instruments.count), directions \(universe.directions.count)\n"
        for kind in DirectionKind.allCases where kinds.contains(kind) {
            report += "  \(kind.rawValue): \(built.directionCounts[kind] ?? 0)\n"
        }
        report += "triangular cycles (cross pairs with both USDT legs on one spot source): \(built.cycleCount)\n"
        report += "\nsymbols on one venue only (no direction, no cycle): \(built.unpaired.count)\n"
        if !invalid.isEmpty {
            report += "\ninstruments failing WebSocket validation:\n"
            for (source, symbol, reason) in invalid { report += "  \(source) \(symbol): \(reason)\n" }
        }
        report += "\nexcluded by the instrument rules (first 20 per source):\n"
        for (source, list) in lists.sorted(by: { $0.key < $1.key }) {
            for excluded in list.excluded.prefix(20) { report += "  \(source) \(excluded.exchangeSymbol): \(excluded.reason)\n" }
        }
        try AtomicFile.write(Array(report.utf8), to: "\(out)/report.txt")
        let metadata = Metadata(
            generatedAtWallMillis: WallClock.now() / 1_000_000, mode: live ? "live" : "venue-sim",
            sourcesAnswered: listings.keys.sorted().map(\.name),
            sourcesFailed: Dictionary(uniqueKeysWithValues: failures.map { ($0.key.name, $0.value) }),
            symbols: universe.symbols.count, instruments: universe.instruments.count,
            directions: Dictionary(uniqueKeysWithValues: built.directionCounts.map { ($0.key.rawValue, $0.value) }),
            triangularCycles: built.cycleCount, invalidInstruments: invalid.count)
        try AtomicFile.write(Array(try encoder.encode(metadata)), to: "\(out)/metadata.json")
        do {
            try universe.save(path: "\(out)/universe.json")
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// Optional WebSocket validation: subscribe each instrument's top-of-book channel and keep the
/// ones whose quote arrives in time with bid > 0, ask > 0 and bid ≤ ask.
enum QuoteValidation {
    final class Collector: WebSocketReceiver, @unchecked Sendable {
        // @unchecked Sendable: `feed`, `valid` and `invalid` are only touched on the connection's
        // event loop until `finish` reads them after the connection is closed.
        var feed: QuoteFeed
        var valid: Set<String> = []
        var invalid: [String: String] = [:]
        init(source: SourceId) { feed = QuoteFeed(source: source) }

        func webSocketConnected(_ connection: WebSocketConnection) {}
        func webSocketClosed(_ connection: WebSocketConnection, error: Error?) {}
        func webSocketReceived(_ bytes: UnsafeRawBufferPointer, binary: Bool, connection: WebSocketConnection) {
            var quote = TopOfBookQuote()
            do {
                guard try feed.parse(bytes, into: &quote) else { return }
                valid.insert(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[quote.symbol]), as: UTF8.self))
            } catch .unsupportedMessage {
                return
            } catch {
                // A quote that fails its checks (crossed, zero) marks the frame's symbol, if any.
                invalid["?"] = "\(error)"
            }
        }
    }

    static func run(source: SourceId, url: String, listings: [InstrumentListing], group: EventLoopGroup, timeoutMillis: Int)
        -> (valid: Set<String>, invalid: [String: String])
    {
        let symbols = listings.map(\.exchangeSymbol)
        let collector = Collector(source: source)
        guard let target = try? TransportURL(url),
            let connection = try? WebSocketConnection.connect(to: target, group: group, makeReceiver: { collector }).wait()
        else {
            return ([], Dictionary(uniqueKeysWithValues: symbols.map { ($0, "WebSocket connection failed") }))
        }
        let subscriptions = venueSubscriptions(for: source)
        let topics = symbols.compactMap { subscriptions.topics(exchangeSymbol: $0).first }
        for frame in subscriptions.subscribeFrames(topics, nowMillis: WallClock.now() / 1_000_000) { connection.send(frame) }
        let deadline = MonotonicClock.now() + Int64(timeoutMillis) * 1_000_000
        while MonotonicClock.now() < deadline {
            let done = (try? connection.channel.eventLoop.submit { collector.valid.count >= symbols.count }.wait()) ?? true
            if done { break }
            usleep(20_000)
        }
        connection.close()
        let valid = (try? connection.channel.eventLoop.submit { collector.valid }.wait()) ?? []
        var invalid: [String: String] = [:]
        for symbol in symbols where !valid.contains(symbol) {
            invalid[symbol] = "no valid quote (bid>0, ask>0, bid≤ask) within \(timeoutMillis) ms"
        }
        return (valid, invalid)
    }
}

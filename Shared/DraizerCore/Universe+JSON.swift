#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The universe file format (`generated/universe.json`). Decimals are strings, sources are
/// `exchange/market`, symbols are referenced by name so the file reads well and diffs cleanly.
struct UniverseFile: Codable {
    struct Symbol: Codable {
        var id: Int
        var base: String
        var quote: String
    }
    struct InstrumentEntry: Codable {
        var symbol: String
        var source: String
        var exchangeSymbol: String
        var tickSize: String
        var stepSize: String
        var minQuantity: String
        var minNotional: String
        var contractSize: String
    }
    struct DirectionEntry: Codable {
        var kind: String
        var symbol: String
        var buy: String
        var sell: String
    }

    static let currentVersion = 1

    var version: Int
    var symbols: [Symbol]
    var instruments: [InstrumentEntry]
    var directions: [DirectionEntry]
}

extension Universe {
    /// Decodes and validates a universe from its JSON file contents.
    public init(json: [UInt8]) throws(UniverseError) {
        let file: UniverseFile
        do {
            file = try JSONDecoder().decode(UniverseFile.self, from: Data(json))
        } catch let error as DecodingError {
            throw UniverseError.malformedJSON(error)
        } catch {
            throw .malformed(path: "$", detail: "\(error)")
        }
        guard file.version == UniverseFile.currentVersion else {
            throw .invalid(path: "version", expected: "\(UniverseFile.currentVersion)", was: "\(file.version)")
        }
        var idsByName: [String: SymbolId] = [:]
        var symbols: [SymbolInfo] = []
        for (index, entry) in file.symbols.enumerated() {
            guard entry.id >= 0, entry.id <= Int(UInt32.max) else {
                throw .invalid(path: "symbols[\(index)].id", expected: "a non-negative id", was: "\(entry.id)")
            }
            let info = SymbolInfo(id: SymbolId(entry.id), base: entry.base, quote: entry.quote)
            symbols.append(info)
            idsByName[info.name] = info.id
        }
        try UniverseValidator.validateSymbols(symbols)
        func symbolId(_ name: String, path: String) throws(UniverseError) -> SymbolId {
            guard let id = idsByName[name] else {
                throw .invalid(path: path, expected: "a symbol listed in symbols", was: "\"\(name)\"")
            }
            return id
        }
        func source(_ name: String, path: String) throws(UniverseError) -> SourceId {
            guard let source = SourceId(name: name) else {
                throw .invalid(path: path, expected: "exchange/market such as binance/spot", was: "\"\(name)\"")
            }
            return source
        }
        func decimal(_ text: String, path: String) throws(UniverseError) -> ExactDecimal {
            do {
                return try ExactDecimal(text)
            } catch {
                throw .invalid(path: path, expected: "a decimal string (\(error))", was: "\"\(text)\"")
            }
        }
        var instruments: [Instrument] = []
        for (index, entry) in file.instruments.enumerated() {
            let path = "instruments[\(index)]"
            instruments.append(
                Instrument(
                    symbol: try symbolId(entry.symbol, path: "\(path).symbol"),
                    source: try source(entry.source, path: "\(path).source"),
                    exchangeSymbol: entry.exchangeSymbol,
                    tickSize: Price(try decimal(entry.tickSize, path: "\(path).tickSize")),
                    stepSize: Quantity(try decimal(entry.stepSize, path: "\(path).stepSize")),
                    minQuantity: Quantity(try decimal(entry.minQuantity, path: "\(path).minQuantity")),
                    minNotional: try decimal(entry.minNotional, path: "\(path).minNotional"),
                    contractSize: try decimal(entry.contractSize, path: "\(path).contractSize")))
        }
        var directions: [Direction] = []
        for (index, entry) in file.directions.enumerated() {
            let path = "directions[\(index)]"
            guard let kind = DirectionKind(rawValue: entry.kind) else {
                let kinds = DirectionKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalid(path: "\(path).kind", expected: "one of \(kinds)", was: "\"\(entry.kind)\"")
            }
            directions.append(
                Direction(
                    kind: kind, symbol: try symbolId(entry.symbol, path: "\(path).symbol"),
                    buy: try source(entry.buy, path: "\(path).buy"),
                    sell: try source(entry.sell, path: "\(path).sell")))
        }
        try self.init(symbols: symbols, instruments: instruments, directions: directions)
    }

    /// Reads and validates a universe file.
    public static func load(path: String) throws(UniverseError) -> Universe {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path: path)
        } catch {
            throw .io(path: path, detail: "\(error)")
        }
        do {
            return try Universe(json: bytes)
        } catch {
            throw .inFile(file: path, error)
        }
    }

    /// The file contents: pretty, keys sorted, so the same universe always gives the same bytes.
    public func jsonBytes() -> [UInt8] {
        let file = UniverseFile(
            version: UniverseFile.currentVersion,
            symbols: symbols.map { .init(id: $0.id.index, base: $0.base, quote: $0.quote) },
            instruments: instruments.map { instrument in
                .init(
                    symbol: symbols[instrument.symbol.index].name, source: instrument.source.name,
                    exchangeSymbol: instrument.exchangeSymbol, tickSize: instrument.tickSize.description,
                    stepSize: instrument.stepSize.description, minQuantity: instrument.minQuantity.description,
                    minNotional: instrument.minNotional.description, contractSize: instrument.contractSize.description)
            },
            directions: directions.map { direction in
                .init(
                    kind: direction.kind.rawValue, symbol: symbols[direction.symbol.index].name,
                    buy: direction.buy.name, sell: direction.sell.name)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        return Array(try! encoder.encode(file)) + [UInt8(ascii: "\n")]
    }

    /// Writes the file atomically (temporary file, fsync, rename), so readers never see half of it.
    public func save(path: String) throws(UniverseError) {
        do {
            try AtomicFile.write(jsonBytes(), to: path)
        } catch {
            throw .io(path: path, detail: "\(error)")
        }
    }
}

extension UniverseError {
    static func malformedJSON(_ error: DecodingError) -> UniverseError {
        if case .dataCorrupted = error { return .malformed(path: error.jsonPath, detail: "expected valid JSON: \(error.problem)") }
        return .malformed(path: error.jsonPath, detail: error.problem)
    }
}

import DraizerCore
import Foundation
import PostgresStore
import Testing

/// Discovery's universe in the reference tables of a real PostgreSQL: idempotent, ids equal to
/// `SymbolId`s, a new pair that moves ids handled, delistings marked.
@Suite struct ReferenceDataTests {
    static func instrument(_ symbol: Int, _ source: SourceId, _ name: String, tick: String = "0.1") throws -> Instrument {
        Instrument(
            symbol: SymbolId(symbol), source: source, exchangeSymbol: name, tickSize: try Price(tick), stepSize: try Quantity("0.001"),
            minQuantity: try Quantity("0.001"), minNotional: try ExactDecimal("5"), contractSize: ExactDecimal(1))
    }

    static let binanceSpot = SourceId(exchange: .binance, market: .spot)
    static let okxPerp = SourceId(exchange: .okx, market: .perp)

    func rows(_ postgres: PostgresConnection, _ sql: String) throws -> [String] {
        try postgres.query(sql).map { row in row.values.map { $0 ?? "NULL" }.joined(separator: " ") }
    }

    @Test func universeUpsertIsIdempotentAndFollowsChanges() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        try MigrationRunner(directory: TestServers.migrationsDirectory).migrate(postgres)

        let first = try Universe(
            symbols: [SymbolInfo(id: SymbolId(0), base: "BTC", quote: "USDT"), SymbolInfo(id: SymbolId(1), base: "ETH", quote: "USDT")],
            instruments: [
                try Self.instrument(0, Self.binanceSpot, "BTCUSDT"), try Self.instrument(0, Self.okxPerp, "BTC-USDT-SWAP"),
                try Self.instrument(1, Self.binanceSpot, "ETHUSDT", tick: "0.01"),
            ],
            directions: [])
        let summary = try ReferenceData.upsert(first, into: postgres)
        #expect(summary == .init(symbolsAdded: 2, symbolsRemoved: 0, instrumentsChanged: 3, instrumentsUnlisted: 0))
        #expect(try rows(postgres, "SELECT id, name FROM symbols ORDER BY id") == ["0 BTC-USDT", "1 ETH-USDT"])
        #expect(try rows(postgres, "SELECT code FROM assets ORDER BY code") == ["BTC", "ETH", "USDT"])
        #expect(
            try rows(postgres, "SELECT s.name, src.name, i.exchange_symbol, i.tick_size, i.status FROM instruments i JOIN symbols s ON s.id = i.symbol_id JOIN sources src ON src.id = i.source_id ORDER BY 1, 2")
                == ["BTC-USDT binance/spot BTCUSDT 0.1 trading", "BTC-USDT okx/perp BTC-USDT-SWAP 0.1 trading", "ETH-USDT binance/spot ETHUSDT 0.01 trading"])
        #expect(try ReferenceData.upsert(first, into: postgres) == .init(symbolsAdded: 0, symbolsRemoved: 0, instrumentsChanged: 0, instrumentsUnlisted: 0),
            "the same universe again changes nothing")

        // ADA sorts first: every id moves. OKX stops listing BTC; ETH's tick changes.
        let second = try Universe(
            symbols: [
                SymbolInfo(id: SymbolId(0), base: "ADA", quote: "USDT"), SymbolInfo(id: SymbolId(1), base: "BTC", quote: "USDT"),
                SymbolInfo(id: SymbolId(2), base: "ETH", quote: "USDT"),
            ],
            instruments: [
                try Self.instrument(0, Self.binanceSpot, "ADAUSDT", tick: "0.0001"), try Self.instrument(1, Self.binanceSpot, "BTCUSDT"),
                try Self.instrument(2, Self.binanceSpot, "ETHUSDT", tick: "0.001"),
            ],
            directions: [])
        let moved = try ReferenceData.upsert(second, into: postgres)
        #expect(moved.symbolsAdded == 3 && moved.symbolsRemoved == 2 && moved.instrumentsChanged == 3)
        #expect(try rows(postgres, "SELECT id, name FROM symbols ORDER BY id") == ["0 ADA-USDT", "1 BTC-USDT", "2 ETH-USDT"])
        #expect(
            try rows(postgres, "SELECT s.id, i.exchange_symbol, i.tick_size, i.status FROM instruments i JOIN symbols s ON s.id = i.symbol_id ORDER BY 1, 2")
                == ["0 ADAUSDT 0.0001 trading", "1 BTCUSDT 0.1 trading", "2 ETHUSDT 0.001 trading"])

        // A listing that goes away stays, marked; it comes back as trading.
        let third = try Universe(
            symbols: second.symbols, instruments: second.instruments + [try Self.instrument(1, Self.okxPerp, "BTC-USDT-SWAP")], directions: [])
        try ReferenceData.upsert(third, into: postgres)
        let fourth = try ReferenceData.upsert(second, into: postgres)
        #expect(fourth.instrumentsUnlisted == 1 && fourth.instrumentsChanged == 0)
        #expect(try rows(postgres, "SELECT exchange_symbol, status FROM instruments WHERE source_id = \(Self.okxPerp.index)") == ["BTC-USDT-SWAP not_listed"])
        #expect(try ReferenceData.upsert(third, into: postgres).instrumentsChanged == 1)
        #expect(try rows(postgres, "SELECT status FROM instruments WHERE source_id = \(Self.okxPerp.index)") == ["trading"])
    }

    @Test func withoutTheSchemaNothingIsWritten() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        let universe = try Universe(
            symbols: [SymbolInfo(id: SymbolId(0), base: "BTC", quote: "USDT")], instruments: [try Self.instrument(0, Self.binanceSpot, "BTCUSDT")],
            directions: [])
        #expect(throws: PostgresError.self) { try ReferenceData.upsert(universe, into: postgres) }
        #expect(try rows(postgres, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == ["0"])
    }
}

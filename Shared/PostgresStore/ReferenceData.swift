import DraizerCore

/// Discovery's output in the reference tables (`migrations/0001_reference_data.sql`): assets,
/// symbols (ids = `SymbolId`s) and per-source instruments, made equal to one `Universe` in one
/// transaction, so analysts' SQL always joins against the universe the services trade.
///
/// Symbol ids are positions in the sorted symbol list, so a new pair can move ids: a row whose id
/// now names another pair is replaced (with its instruments). Instruments the universe no longer
/// lists stay, marked `not_listed`; listed ones are `trading` and their rules updated in place.
public enum ReferenceData {
    public struct Summary: Sendable, Equatable {
        /// Symbols added (new, or under a new id).
        public var symbolsAdded: Int
        /// Symbols removed (left the universe, or their id now names another pair).
        public var symbolsRemoved: Int
        /// Instruments inserted, or updated because a rule or their status changed.
        public var instrumentsChanged: Int
        /// Instruments newly marked `not_listed`.
        public var instrumentsUnlisted: Int

        public init(symbolsAdded: Int, symbolsRemoved: Int, instrumentsChanged: Int, instrumentsUnlisted: Int) {
            self.symbolsAdded = symbolsAdded
            self.symbolsRemoved = symbolsRemoved
            self.instrumentsChanged = instrumentsChanged
            self.instrumentsUnlisted = instrumentsUnlisted
        }
    }

    @discardableResult
    public static func upsert(_ universe: Universe, into connection: PostgresConnection) throws -> Summary {
        try connection.transaction { db in
            try db.executeScript(
                """
                CREATE TEMP TABLE new_symbols (id integer, name text, base text, quote text) ON COMMIT DROP;
                CREATE TEMP TABLE new_instruments (
                    symbol_id integer, source_id smallint, exchange_symbol text, tick_size numeric, step_size numeric,
                    min_quantity numeric, min_notional numeric, contract_size numeric) ON COMMIT DROP;
                """)
            try db.copyIn(
                table: "new_symbols", columns: ["id", "name", "base", "quote"],
                rows: universe.symbols.map { [String($0.id.index), $0.name, $0.base, $0.quote] })
            try db.copyIn(
                table: "new_instruments",
                columns: ["symbol_id", "source_id", "exchange_symbol", "tick_size", "step_size", "min_quantity", "min_notional", "contract_size"],
                rows: universe.instruments.map { instrument in
                    [
                        String(instrument.symbol.index), String(instrument.source.index), instrument.exchangeSymbol,
                        instrument.tickSize.decimal.description, instrument.stepSize.decimal.description,
                        instrument.minQuantity.decimal.description, instrument.minNotional.description, instrument.contractSize.description,
                    ]
                })
            try db.query(
                "INSERT INTO assets (code) SELECT base FROM new_symbols UNION SELECT quote FROM new_symbols ON CONFLICT DO NOTHING")
            // Symbols whose id now names another pair, or that left, go with their instruments.
            let stale = "NOT EXISTS (SELECT 1 FROM new_symbols n WHERE n.id = s.id AND n.name = s.name)"
            try db.query("DELETE FROM instruments i USING symbols s WHERE i.symbol_id = s.id AND \(stale)")
            let removed = try db.query("DELETE FROM symbols s WHERE \(stale)").affectedRows
            let added = try db.query("INSERT INTO symbols (id, name, base, quote) SELECT id, name, base, quote FROM new_symbols ON CONFLICT (id) DO NOTHING")
                .affectedRows
            // An exchange symbol that moved to another symbol id frees its old row first.
            try db.query(
                """
                DELETE FROM instruments i USING new_instruments n
                WHERE i.source_id = n.source_id AND i.exchange_symbol = n.exchange_symbol AND i.symbol_id <> n.symbol_id
                """)
            let changed = try db.query(
                """
                INSERT INTO instruments AS i (symbol_id, source_id, exchange_symbol, tick_size, step_size, min_quantity, min_notional,
                                              contract_size, status, updated_at)
                SELECT symbol_id, source_id, exchange_symbol, tick_size, step_size, min_quantity, min_notional, contract_size, 'trading', now()
                FROM new_instruments
                ON CONFLICT (symbol_id, source_id) DO UPDATE SET
                    exchange_symbol = EXCLUDED.exchange_symbol, tick_size = EXCLUDED.tick_size, step_size = EXCLUDED.step_size,
                    min_quantity = EXCLUDED.min_quantity, min_notional = EXCLUDED.min_notional,
                    contract_size = EXCLUDED.contract_size, status = 'trading', updated_at = now()
                WHERE (i.exchange_symbol, i.tick_size, i.step_size, i.min_quantity, i.min_notional, i.contract_size, i.status)
                    IS DISTINCT FROM (EXCLUDED.exchange_symbol, EXCLUDED.tick_size, EXCLUDED.step_size, EXCLUDED.min_quantity,
                                      EXCLUDED.min_notional, EXCLUDED.contract_size, 'trading')
                """
            ).affectedRows
            let unlisted = try db.query(
                """
                UPDATE instruments i SET status = 'not_listed', updated_at = now()
                WHERE i.status <> 'not_listed'
                  AND NOT EXISTS (SELECT 1 FROM new_instruments n WHERE n.symbol_id = i.symbol_id AND n.source_id = i.source_id)
                """
            ).affectedRows
            return Summary(symbolsAdded: added, symbolsRemoved: removed, instrumentsChanged: changed, instrumentsUnlisted: unlisted)
        }
    }
}

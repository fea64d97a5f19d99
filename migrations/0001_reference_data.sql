-- Reference data: exchanges, their markets (price sources), assets, global symbols and the
-- per-source instruments that discovery writes. Ids match DraizerCore (Exchange, SourceId, SymbolId).

CREATE TABLE exchanges (
    id smallint PRIMARY KEY,
    name text NOT NULL UNIQUE
);

INSERT INTO exchanges (id, name) VALUES
    (0, 'binance'), (1, 'bybit'), (2, 'okx'), (3, 'mexc'), (4, 'gateio');

-- One row per (exchange, market); id = exchange id * 2 + market (0 spot, 1 perp).
CREATE TABLE sources (
    id smallint PRIMARY KEY,
    exchange_id smallint NOT NULL REFERENCES exchanges (id),
    market text NOT NULL CHECK (market IN ('spot', 'perp')),
    name text NOT NULL UNIQUE,
    UNIQUE (exchange_id, market),
    CHECK (id = exchange_id * 2 + CASE market WHEN 'spot' THEN 0 ELSE 1 END)
);

INSERT INTO sources (id, exchange_id, market, name)
SELECT e.id * 2 + m.offset_id, e.id, m.market, e.name || '/' || m.market
FROM exchanges e
CROSS JOIN (VALUES ('spot', 0), ('perp', 1)) AS m (market, offset_id);

CREATE TABLE assets (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]+$')
);

CREATE TABLE symbols (
    id integer PRIMARY KEY CHECK (id >= 0),
    name text NOT NULL UNIQUE,
    base text NOT NULL REFERENCES assets (code),
    quote text NOT NULL REFERENCES assets (code),
    CHECK (name = base || '-' || quote)
);

CREATE TABLE instruments (
    symbol_id integer NOT NULL REFERENCES symbols (id),
    source_id smallint NOT NULL REFERENCES sources (id),
    exchange_symbol text NOT NULL CHECK (exchange_symbol <> ''),
    tick_size numeric NOT NULL CHECK (tick_size > 0),
    step_size numeric NOT NULL CHECK (step_size > 0),
    min_quantity numeric NOT NULL CHECK (min_quantity > 0),
    min_notional numeric NOT NULL CHECK (min_notional >= 0),
    contract_size numeric NOT NULL CHECK (contract_size > 0),
    status text NOT NULL DEFAULT 'trading',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol_id, source_id),
    UNIQUE (source_id, exchange_symbol)
);

/// The invariants of a `Universe`, checked in file order so the first error is the one a person
/// reading the file meets first.
enum UniverseValidator {
    static func validate(symbols: [SymbolInfo], instruments: [Instrument], directions: [Direction])
        throws(UniverseError)
    {
        try validateSymbols(symbols)
        try validateReferences(symbols: symbols, instruments: instruments, directions: directions)
    }

    /// Symbols alone; run first so a bad symbol is reported before anything that refers to it.
    static func validateSymbols(_ symbols: [SymbolInfo]) throws(UniverseError) {
        var names = Set<String>()
        for (index, symbol) in symbols.enumerated() {
            let path = "symbols[\(index)]"
            guard symbol.id.index == index else {
                throw .invalid(path: "\(path).id", expected: "\(index) (ids dense and in order)", was: "\(symbol.id.rawValue)")
            }
            try checkAsset(symbol.base, path: "\(path).base")
            try checkAsset(symbol.quote, path: "\(path).quote")
            guard names.insert(symbol.name).inserted else {
                throw .invalid(path: "\(path).name", expected: "a unique symbol name", was: "duplicate \"\(symbol.name)\"")
            }
        }
        if symbols.count > 1 {
            for index in 1..<symbols.count where symbols[index - 1].name >= symbols[index].name {
                throw .invalid(
                    path: "symbols[\(index)].name", expected: "names sorted ascending after \"\(symbols[index - 1].name)\"",
                    was: "\"\(symbols[index].name)\"")
            }
        }
    }

    static func validateReferences(symbols: [SymbolInfo], instruments: [Instrument], directions: [Direction])
        throws(UniverseError)
    {
        var listed = Set<Int>()
        for (index, instrument) in instruments.enumerated() {
            let path = "instruments[\(index)]"
            guard instrument.symbol.index < symbols.count else {
                throw .invalid(path: "\(path).symbol", expected: "a symbol id below \(symbols.count)", was: "\(instrument.symbol.rawValue)")
            }
            guard !instrument.exchangeSymbol.isEmpty else {
                throw .invalid(path: "\(path).exchangeSymbol", expected: "the exchange's symbol name", was: "empty")
            }
            try checkPositive(instrument.tickSize.decimal, path: "\(path).tickSize")
            try checkPositive(instrument.stepSize.decimal, path: "\(path).stepSize")
            try checkPositive(instrument.minQuantity.decimal, path: "\(path).minQuantity")
            try checkPositive(instrument.contractSize, path: "\(path).contractSize")
            guard !instrument.minNotional.isNegative else {
                throw .invalid(path: "\(path).minNotional", expected: "zero or a positive decimal", was: "\(instrument.minNotional)")
            }
            let key = instrument.symbol.index * SourceId.count + instrument.source.index
            guard listed.insert(key).inserted else {
                throw .invalid(
                    path: path, expected: "one instrument per (symbol, source)",
                    was: "a second \(symbols[instrument.symbol.index].name) on \(instrument.source)")
            }
        }

        var seen = Set<Direction>()
        for (index, direction) in directions.enumerated() {
            let path = "directions[\(index)]"
            guard direction.symbol.index < symbols.count else {
                throw .invalid(path: "\(path).symbol", expected: "a symbol id below \(symbols.count)", was: "\(direction.symbol.rawValue)")
            }
            guard direction.buy != direction.sell else {
                throw .invalid(path: path, expected: "different buy and sell sources", was: "\(direction.buy) on both legs")
            }
            let legs = direction.kind.legs
            guard direction.buy.market == legs.buy else {
                throw .invalid(path: "\(path).buy", expected: "a \(legs.buy) source for \(direction.kind.rawValue)", was: "\(direction.buy)")
            }
            guard direction.sell.market == legs.sell else {
                throw .invalid(path: "\(path).sell", expected: "a \(legs.sell) source for \(direction.kind.rawValue)", was: "\(direction.sell)")
            }
            for (leg, source) in [("buy", direction.buy), ("sell", direction.sell)] {
                guard listed.contains(direction.symbol.index * SourceId.count + source.index) else {
                    throw .invalid(
                        path: "\(path).\(leg)", expected: "a source listing \(symbols[direction.symbol.index].name)",
                        was: "\(source), which has no such instrument")
                }
            }
            guard seen.insert(direction).inserted else {
                throw .invalid(path: path, expected: "a unique direction", was: "a duplicate")
            }
        }
    }

    private static func checkAsset(_ asset: String, path: String) throws(UniverseError) {
        guard Universe.isAssetCode(asset) else {
            throw .invalid(path: path, expected: "an upper-case asset code (A-Z, 0-9)", was: "\"\(asset)\"")
        }
    }

    private static func checkPositive(_ value: ExactDecimal, path: String) throws(UniverseError) {
        guard value.isPositive else {
            throw .invalid(path: path, expected: "a positive decimal", was: "\(value)")
        }
    }
}

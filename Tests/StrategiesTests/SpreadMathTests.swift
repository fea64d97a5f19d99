import DraizerCore
import FastPath
import Strategies
import Testing

/// The spread arithmetic against hand-computed cases.
@Suite struct SpreadMathTests {
    /// A book entry at 2-decimal prices and 3-decimal quantities: levels as (price, quantity).
    static func book(bids: [(Double, Double)], asks: [(Double, Double)], priceScale: UInt8 = 2, quantityScale: UInt8 = 3) -> BookSnapshot {
        var book = BookSnapshot()
        func fixed(_ value: Double, _ scale: UInt8) -> Int64 { Int64((value * Double(pow10(scale))).rounded()) }
        for (index, level) in bids.enumerated() {
            book.bids[index] = BookLevel(price: fixed(level.0, priceScale), quantity: fixed(level.1, quantityScale))
        }
        for (index, level) in asks.enumerated() {
            book.asks[index] = BookLevel(price: fixed(level.0, priceScale), quantity: fixed(level.1, quantityScale))
        }
        book.bidCount = bids.count
        book.askCount = asks.count
        book.top.priceScale = priceScale
        book.top.quantityScale = quantityScale
        book.top.verified = true
        if let best = bids.first { book.top.bidPrice = fixed(best.0, priceScale) }
        if let best = asks.first { book.top.askPrice = fixed(best.0, priceScale) }
        return book
    }

    static func pow10(_ scale: UInt8) -> Int64 { (0..<Int(scale)).reduce(1) { value, _ in value * 10 } }

    static func rules(fee: Double = 0, step: Double = 0.001, minNotional: Double = 0, contract: Double = 1) -> LegRules.Rules {
        LegRules.Rules(contractSize: contract, stepBase: step, minQuantityBase: step, minNotional: minNotional, takerFeeBps: fee, listed: true)
    }

    static let buy = book(bids: [(99.9, 5)], asks: [(100, 1), (100.1, 2), (100.3, 5)])
    static let sell = book(bids: [(101, 2), (100.8, 1), (100.2, 10)], asks: [(101.1, 5)])

    @Test func grossAndNetOfFees() {
        #expect(abs(SpreadMath.grossBps(buyAsk: 100, sellBid: 100.5) - 50) < 1e-9)
        #expect(abs(SpreadMath.grossBps(buyAsk: 200, sellBid: 199) - -50) < 1e-9)
        // 10 bps + 5.5 bps of taker fees on 50 bps gross leave 34.5.
        let net = SpreadMath.grossBps(buyAsk: 100, sellBid: 100.5) - 10 - 5.5
        #expect(abs(net - 34.5) < 1e-9)
    }

    @Test func depthWalkTakesEveryLevelThatClearsTheEdge() throws {
        // Marginal edges: 100→101 100 bps, 100.1→101 89.9, 100.1→100.8 69.9, 100.3→100.2 below: stop at 3.
        let sizing = try SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(), sellRules: Self.rules(), entryBps: 20, maxNotional: 1e9
        ).get()
        #expect(abs(sizing.quantity - 3) < 1e-9)
        #expect(abs(sizing.buyNotional - 300.2) < 1e-9)
        #expect(abs(sizing.sellNotional - 302.8) < 1e-9)
        #expect(abs(sizing.buyVWAP - 300.2 / 3) < 1e-9 && abs(sizing.sellVWAP - 302.8 / 3) < 1e-9)
        #expect(abs(sizing.expectedProfit - 2.6) < 1e-9)
        #expect(sizing.buyLevels == 2 && sizing.sellLevels == 2)
    }

    @Test func theLargestSizeStopsWhereTheMarginalEdgeFallsBelowEntry() throws {
        // With 80 bps required, the third unit (69.9 bps) is left: 2 units.
        let sizing = try SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(), sellRules: Self.rules(), entryBps: 80, maxNotional: 1e9
        ).get()
        #expect(abs(sizing.quantity - 2) < 1e-9)
        // Fees count in the marginal edge: 10 + 10 bps turn 89.9 into 69.9, below 75.
        let withFees = try SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(fee: 10), sellRules: Self.rules(fee: 10), entryBps: 75, maxNotional: 1e9
        ).get()
        #expect(abs(withFees.quantity - 1) < 1e-9)
        #expect(abs(withFees.expectedProfit - (101 - 100 - 100 * 0.001 - 101 * 0.001)) < 1e-9)
        #expect(abs(withFees.netBpsAtSize - 80) < 1e-9)
    }

    @Test func maxNotionalAndStepSizeRoundDown() throws {
        // 150 USDT: 1 unit at 100, then 50 / 100.1 = 0.49950 more, rounded down to the 0.001 step.
        let sizing = try SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(), sellRules: Self.rules(), entryBps: 20, maxNotional: 150
        ).get()
        #expect(abs(sizing.quantity - 1.499) < 1e-9)
        #expect(abs(sizing.buyNotional - (100 + 0.499 * 100.1)) < 1e-9)
        // The coarser of the two steps wins: 0.01 on the sell leg.
        let coarse = try SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(), sellRules: Self.rules(step: 0.01), entryBps: 20, maxNotional: 150
        ).get()
        #expect(abs(coarse.quantity - 1.49) < 1e-9)
    }

    @Test func minNotionalAndNothingToTake() {
        let small = SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(minNotional: 500), sellRules: Self.rules(), entryBps: 20, maxNotional: 1e9)
        #expect(small == .failure(.belowMinNotional))
        let tiny = SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(step: 5), sellRules: Self.rules(), entryBps: 20, maxNotional: 1e9)
        #expect(tiny == .failure(.belowMinNotional), "3 units round down to 0 in steps of 5")
        let none = SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(), sellRules: Self.rules(), entryBps: 120, maxNotional: 1e9)
        #expect(none == .failure(.belowThreshold))
    }

    @Test func contractSizedPerpetualsWalkInBaseUnits() throws {
        // The sell leg quotes contracts of 0.01 base: 200 contracts = 2 base at 101.
        let perp = Self.book(bids: [(101, 200), (100.8, 100)], asks: [(101.1, 100)], quantityScale: 0)
        let sizing = try SpreadMath.size(
            buy: Self.buy, sell: perp, buyRules: Self.rules(), sellRules: Self.rules(step: 0.01, contract: 0.01), entryBps: 20,
            maxNotional: 1e9
        ).get()
        #expect(abs(sizing.quantity - 3) < 1e-9)
        #expect(abs(sizing.sellNotional - 302.8) < 1e-9)
    }

    @Test func fundingIsNormalisedToTheHoldingTime() {
        // 1 bp per 8 h interval held 24 h: 3 bps earned by the short perpetual.
        #expect(abs(SpreadMath.fundingBps(ratePerInterval: 0.0001, intervalHours: 8, holdingHours: 24) - 3) < 1e-9)
        // A 4-hour venue pays twice as often.
        #expect(abs(SpreadMath.fundingBps(ratePerInterval: 0.0001, intervalHours: 4, holdingHours: 24) - 6) < 1e-9)
        #expect(SpreadMath.fundingBps(ratePerInterval: 0.0001, intervalHours: 8, holdingHours: 0) == 0)
        #expect(abs(SpreadMath.annualized(ratePerInterval: 0.0001, intervalHours: 8) - 0.1095) < 1e-12)
        // Funding adds to the marginal edge: 3 bps lets a 69.9-bps level clear 72.
        let sizing = try? SpreadMath.size(
            buy: Self.buy, sell: Self.sell, buyRules: Self.rules(), sellRules: Self.rules(), entryBps: 72, maxNotional: 1e9, fundingBps: 3
        ).get()
        #expect(abs((sizing?.quantity ?? 0) - 3) < 1e-9)
    }
}

/// Triangular cycles: built from the universe, evaluated against hand-computed cases.
@Suite struct TriangularTests {
    static let binance = SourceId(exchange: .binance, market: .spot)
    static let okx = SourceId(exchange: .okx, market: .spot)

    static func universe() throws -> Universe {
        let symbols = [
            SymbolInfo(id: SymbolId(0), base: "BTC", quote: "USDT"), SymbolInfo(id: SymbolId(1), base: "ETH", quote: "BTC"),
            SymbolInfo(id: SymbolId(2), base: "ETH", quote: "USDT"), SymbolInfo(id: SymbolId(3), base: "SOL", quote: "BTC"),
        ]
        func instrument(_ symbol: Int, _ source: SourceId) throws -> Instrument {
            Instrument(
                symbol: SymbolId(symbol), source: source, exchangeSymbol: "S\(symbol)", tickSize: try Price("0.00001"),
                stepSize: try Quantity("0.001"), minQuantity: try Quantity("0.001"),
                minNotional: symbols[symbol].quote == "BTC" ? try ExactDecimal("0.0001") : ExactDecimal(5), contractSize: ExactDecimal(1))
        }
        // Binance lists all three legs of BTC/ETH; OKX lacks ETH-USDT; SOL-BTC has no SOL-USDT.
        return try Universe(
            symbols: symbols,
            instruments: [
                try instrument(0, binance), try instrument(1, binance), try instrument(2, binance), try instrument(3, binance),
                try instrument(0, okx), try instrument(1, okx),
            ],
            directions: [])
    }

    @Test func cyclesNeedAllThreeLegsOnOneSource() throws {
        let index = TriangularIndex(universe: try Self.universe())
        #expect(index.cycles == [TriangularCycle(source: Self.binance, first: SymbolId(0), second: SymbolId(2), cross: SymbolId(1))])
        for symbol in 0..<3 { #expect(index.cycles(symbol: symbol, source: Self.binance.index) == [0]) }
        #expect(index.cycles(symbol: 3, source: Self.binance.index).isEmpty)
        #expect(index.cycles(symbol: 0, source: Self.okx.index).isEmpty)
    }

    @Test func theBetterOrientationNetOfThreeFees() {
        // BTC-USDT 50,000/50,010, ETH-BTC 0.06/0.0601, ETH-USDT 3,020/3,021.
        let first = TriangularMath.Quote(bid: 50_000, bidSize: 1, ask: 50_010, askSize: 1)
        let cross = TriangularMath.Quote(bid: 0.06, bidSize: 10, ask: 0.0601, askSize: 10)
        let second = TriangularMath.Quote(bid: 3_020, bidSize: 10, ask: 3_021, askSize: 10)
        // Forward: 3020 / (50010 × 0.0601) = 1.0047907…; reverse: 0.06 × 50000 / 3021 = 0.993048…
        let result = TriangularMath.evaluate(first: first, second: second, cross: cross, feeBps: 10, maxNotional: 10_000)
        let product = 3_020 / (50_010 * 0.0601)
        #expect(result.forward)
        #expect(abs(result.grossBps - (product - 1) * 10_000) < 1e-9)
        #expect(abs(result.netBps - (product * 0.999 * 0.999 * 0.999 - 1) * 10_000) < 1e-9)
        #expect(abs(result.netBps - 17.79) < 0.01, "47.9 bps gross, three 10-bps fees compounded")
        // Limited by BTC-USDT's 1 BTC at 50,010 and by 10,000 USDT: the notional cap wins.
        #expect(result.startAmount == 10_000)
        #expect(abs(result.expectedProfit - 10_000 * (product * 0.999 * 0.999 * 0.999 - 1)) < 1e-9)
        // Thin ETH-BTC: 0.05 ETH at 0.0601 BTC × 50,010 = 150.28 USDT.
        let thin = TriangularMath.evaluate(
            first: first, second: second, cross: TriangularMath.Quote(bid: 0.06, bidSize: 10, ask: 0.0601, askSize: 0.05), feeBps: 10,
            maxNotional: 10_000)
        #expect(abs(thin.startAmount - 0.05 * 0.0601 * 50_010) < 1e-9)
        // Reverse when ETH-BTC is rich: 0.0606 × 50000 / 3021 = 1.00298…
        let reverse = TriangularMath.evaluate(
            first: first, second: second, cross: TriangularMath.Quote(bid: 0.0606, bidSize: 10, ask: 0.0607, askSize: 10), feeBps: 0,
            maxNotional: 10_000)
        #expect(!reverse.forward && abs(reverse.grossBps - (0.0606 * 50_000 / 3_021 - 1) * 10_000) < 1e-9)
    }

    /// The three orders, each rounded down to its pair's step, fees taken from what each
    /// receives; the dust left by rounding counts as lost, and of the 16 first quantities from
    /// the largest down (a step apart) the most profitable one is taken.
    @Test func ordersRespectStepsAndMinimums() throws {
        let first = TriangularMath.Quote(bid: 50_000, bidSize: 1, ask: 50_010, askSize: 1)
        let cross = TriangularMath.Quote(bid: 0.06, bidSize: 10, ask: 0.0601, askSize: 10)
        let second = TriangularMath.Quote(bid: 3_020, bidSize: 10, ask: 3_021, askSize: 10)
        func rules(step: Double, minNotional: Double) -> LegRules.Rules {
            LegRules.Rules(contractSize: 1, stepBase: step, minQuantityBase: step, minNotional: minNotional, takerFeeBps: 10, listed: true)
        }
        let btcUSDT = rules(step: 0.00001, minNotional: 5)
        let ethBTC = rules(step: 0.0001, minNotional: 0.0001)
        let ethUSDT = rules(step: 0.0001, minNotional: 5)
        let forward = TriangularMath.evaluate(first: first, second: second, cross: cross, feeBps: 10, maxNotional: 10_000)
        let orders = try #require(
            TriangularMath.execute(forward, first: first, second: second, cross: cross, feeBps: 10, limits: (btcUSDT, ethUSDT, ethBTC)))
        // The largest, 10,000 / 50,010 = 0.1999600… → 0.19996 BTC, buys 3.32379… → 3.3237 ETH and
        // sells 3.32037… → 3.3203: 17.2791 USDT, 17.28 bps. 15 steps less, 0.19981 BTC buys
        // 0.19981 × 0.999 / 0.0601 = 3.32134… → 3.3213 ETH and sells 3.31797… → 3.3179 at 3,020,
        // less the fee: 17.5398 USDT, the most of the 16.
        #expect(abs(orders.firstQuantity - 0.19981) < 1e-12 && abs(orders.crossQuantity - 3.3213) < 1e-12)
        #expect(abs(orders.secondQuantity - 3.3179) < 1e-12)
        #expect(abs(orders.spent - 0.19981 * 50_010) < 1e-9 && abs(orders.received - 3.3179 * 3_020 * 0.999) < 1e-9)
        #expect(abs(orders.profit - 17.539842) < 1e-6 && orders.profit > 3.3203 * 3_020 * 0.999 - 0.19996 * 50_010)
        #expect(abs(orders.netBps - 17.5530) < 0.0001, "17.79 bps at the best prices, 17.55 after rounding (17.28 at the largest)")
        #expect(orders.netBps < forward.netBps)

        // Reverse: of 10,000 / 3,021 → 3.3101 ETH down, 3.3087 ETH; × 0.999 → 3.3053 sold for
        // BTC at 0.0606; × 0.999 → 0.20010 BTC sold at 50,000 (a loss at 10 bps fees, 0.59 USDT,
        // the smallest: 0.82 at the largest).
        let rich = TriangularMath.Quote(bid: 0.0606, bidSize: 10, ask: 0.0607, askSize: 10)
        let reverse = TriangularMath.evaluate(first: first, second: second, cross: rich, feeBps: 10, maxNotional: 10_000)
        let back = try #require(
            TriangularMath.execute(reverse, first: first, second: second, cross: rich, feeBps: 10, limits: (btcUSDT, ethUSDT, ethBTC)))
        #expect(abs(back.secondQuantity - 3.3087) < 1e-12 && abs(back.crossQuantity - 3.3053) < 1e-12)
        #expect(abs(back.firstQuantity - 0.20010) < 1e-12)
        #expect(abs(back.received - 0.20010 * 50_000 * 0.999) < 1e-9 && abs(back.spent - 3.3087 * 3_021) < 1e-9)
        #expect(abs(back.profit + 0.5877) < 1e-6)

        // An order below its pair's minimum value (ETH-BTC: 1 BTC here) makes no cycle.
        let large = rules(step: 0.0001, minNotional: 1)
        #expect(TriangularMath.execute(forward, first: first, second: second, cross: cross, feeBps: 10, limits: (btcUSDT, ethUSDT, large)) == nil)
        // A start too small for one step of BTC makes none either.
        var tiny = forward
        tiny.startAmount = 0.4
        #expect(TriangularMath.execute(tiny, first: first, second: second, cross: cross, feeBps: 10, limits: (btcUSDT, ethUSDT, ethBTC)) == nil)
    }
}

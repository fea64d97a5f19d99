import DraizerCore
import Testing

@Suite struct IdentifierTests {
    @Test func sourceIdsAreDenseAndRoundTrip() {
        #expect(SourceId.count == 10)
        #expect(SourceId.count == Exchange.allCases.count * MarketKind.allCases.count)
        var seen = Set<UInt8>()
        for exchange in Exchange.allCases {
            for market in MarketKind.allCases {
                let source = SourceId(exchange: exchange, market: market)
                #expect(source.exchange == exchange)
                #expect(source.market == market)
                #expect(SourceId(name: source.name) == source)
                seen.insert(source.rawValue)
            }
        }
        #expect(seen == Set(0..<10))
        #expect(SourceId.all.map(\.rawValue) == Array(0..<10))
    }

    @Test(arguments: ["binance", "binance/", "/spot", "kraken/spot", "binance/futures", "binance/spot/x", ""])
    func rejectsBadSourceNames(name: String) {
        #expect(SourceId(name: name) == nil)
    }

    @Test func rawValuesBeyondRangeAreRejected() {
        #expect(SourceId(rawValue: 9) != nil)
        #expect(SourceId(rawValue: 10) == nil)
    }

    @Test func sidesAndStrategies() {
        #expect(Side.buy.opposite == .sell)
        #expect(StrategyKind(name: "funding_carry") == .fundingCarry)
        #expect(StrategyKind.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
    }

    @Test func clocksMoveForward() {
        let first = MonotonicClock.now()
        let second = MonotonicClock().nowNanos()
        #expect(second >= first)
        #expect(WallClock.now() > 1_700_000_000_000_000_000)
    }
}

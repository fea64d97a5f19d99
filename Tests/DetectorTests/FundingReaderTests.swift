import RedisBus
import Testing

@testable import opportunity_detector

/// Which `md.funding` entries the detector trusts: anything else is counted and left out, so one
/// wrong entry (by hand, or from a bug) cannot move every spot→perp edge of a perpetual.
@Suite struct FundingReaderTests {
    func entry(_ fields: [String: String]) -> StreamEntry {
        var all = ["source": "binance/perp", "symbol": "BTC-USDT", "rate": "0.0001", "interval_ms": "28800000", "next_settlement_ms": "1795219200000"]
        for (key, value) in fields { all[key] = value }
        return StreamEntry(id: "1-0", fields: all)
    }

    @Test func aGoodEntryIsRead() {
        #expect(
            FundingReader.rate(entry([:]))
                == FundingReader.Rate(
                    source: "binance/perp", symbol: "BTC-USDT", ratePerInterval: 0.0001, intervalHours: 8, nextSettlementMillis: 1_795_219_200_000))
        #expect(FundingReader.rate(entry(["rate": "-0.1"]))?.ratePerInterval == -0.1, "at the bound")
        var noInterval = entry([:])
        noInterval.fields["interval_ms"] = nil
        #expect(FundingReader.rate(noInterval)?.intervalHours == 0, "the detector's 8 h default")
    }

    @Test(arguments: [
        ["rate": "nan"], ["rate": "inf"], ["rate": "0.5"], ["rate": "-0.2"], ["rate": "abc"], ["rate": ""], ["source": ""], ["symbol": ""],
        ["interval_ms": "-1"], ["interval_ms": "nan"], ["interval_ms": "x"], ["next_settlement_ms": "-5"], ["next_settlement_ms": "1.5"],
    ])
    func untrustworthyEntriesAreLeftOut(change: [String: String]) {
        #expect(FundingReader.rate(entry(change)) == nil, "\(change)")
    }
}

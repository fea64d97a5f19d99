import Foundation
import RedisBus
import Synchronization
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
        #expect(FundingReader.rate(entry(["interval_ms": "0"]))?.intervalHours == 0, "unknown: the same default")
        #expect(FundingReader.rate(entry(["interval_ms": "3600000"]))?.intervalHours == 1)
        #expect(FundingReader.rate(entry(["interval_ms": "86400000"]))?.intervalHours == 24, "at the bound")
    }

    @Test(arguments: [
        ["rate": "nan"], ["rate": "inf"], ["rate": "0.5"], ["rate": "-0.2"], ["rate": "abc"], ["rate": ""], ["source": ""], ["symbol": ""],
        ["interval_ms": "-1"], ["interval_ms": "nan"], ["interval_ms": "x"], ["next_settlement_ms": "-5"], ["next_settlement_ms": "1.5"],
        // A rate per second (or per two days) is no venue's: its annual rate would be absurd.
        ["interval_ms": "1000"], ["interval_ms": "1"], ["interval_ms": "172800000"], ["interval_ms": "inf"],
    ])
    func untrustworthyEntriesAreLeftOut(change: [String: String]) {
        #expect(FundingReader.rate(entry(change)) == nil, "\(change)")
    }

    /// Funding that cannot be read (here Redis refuses the stream: its key is a hash) no longer
    /// leaves the detector on old rates without a word: the first failure is logged with Redis's
    /// reason and kept for `status`, and the log says when the rates are read again.
    @Test(.timeLimit(.minutes(1))) func aStreamThatCannotBeReadIsLoggedOnceAndItsRecovery() throws {
        guard let url = ProcessInfo.processInfo.environment["DRAIZER_TEST_REDIS_URL"], !url.isEmpty else {
            Issue.record("DRAIZER_TEST_REDIS_URL is not set: run the tests with ops/test.sh")
            return
        }
        let configuration = try RedisConfiguration(url: url)
        let stream = "test.funding.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let redis = try RedisConnection(configuration: configuration)
        defer { _ = try? redis.del(keys: [stream]) }
        _ = try redis.hset(key: stream, fields: ["not": "a stream"])
        let lines = Mutex<[String]>([])
        let reader = FundingReader(configuration: configuration, stream: stream, log: { line in lines.withLock { $0.append(line) } })
        defer { reader.stop() }
        func waitFor(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while !condition() && Date() < deadline { usleep(20_000) }
            return condition()
        }
        #expect(waitFor { reader.failures.load(ordering: .relaxed) >= 2 }, "retried")
        var logged = lines.withLock { $0 }
        #expect(logged.count == 1 && logged[0].contains("cannot read \(stream)") && logged[0].contains("WRONGTYPE"), "\(logged)")
        #expect(reader.statusJSON.contains(#""last_error":"#) && reader.statusJSON.contains("WRONGTYPE"), "\(reader.statusJSON)")
        _ = try redis.del(keys: [stream])
        _ = try redis.xadd(stream: stream, maxLength: 100, fieldList: entry([:]).fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        var rates: [FundingReader.Rate] = []
        #expect(waitFor {
            rates += reader.drain()
            return !rates.isEmpty
        })
        #expect(rates.first?.source == "binance/perp" && rates.first?.ratePerInterval == 0.0001)
        logged = lines.withLock { $0 }
        #expect(logged.count == 2 && logged.last?.hasPrefix("funding: reading \(stream) again after") == true, "\(logged)")
    }
}

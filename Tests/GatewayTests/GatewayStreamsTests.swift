import DraizerCore
import FastPath
import Foundation
import RedisBus
import ServiceKit
import TestSupport
import Testing

/// The gateway's slow fan-out on a real Redis (`ops/test.sh` starts it): a sampled top of book
/// per instrument each second and the perpetuals' funding updates, in streams that stay bounded,
/// with values equal to what shared memory holds.
@Suite(.serialized) struct GatewayStreamsTests {
    static func redisURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DRAIZER_TEST_REDIS_URL"], !url.isEmpty else {
            throw MissingRedis()
        }
        return url
    }

    struct MissingRedis: Error, CustomStringConvertible {
        var description: String { "DRAIZER_TEST_REDIS_URL is not set: run the tests with ops/test.sh, which starts Redis" }
    }

    /// Field maps of a stream's entries, oldest first.
    static func entries(_ redis: RedisConnection, _ stream: String) throws -> [[String: String]] {
        let reply = try redis.command(["XRANGE", stream, "-", "+"])
        return (reply.array ?? []).compactMap { entry -> [String: String]? in
            guard let parts = entry.array, parts.count == 2, let fields = parts[1].array else { return nil }
            var map: [String: String] = [:]
            var index = 0
            while index + 1 < fields.count {
                map[fields[index].text ?? ""] = fields[index + 1].text ?? ""
                index += 2
            }
            return map
        }
    }

    @Test(.timeLimit(.minutes(1))) func sampledTopsAndFundingGoToBoundedStreams() throws {
        let url = try Self.redisURL()
        let redis = try RedisConnection(configuration: try RedisConfiguration(url: url))
        let database = Int.random(in: 1...15)  // a database of its own: stream names are fixed
        _ = try redis.command(["SELECT", String(database)])
        _ = try redis.command(["FLUSHDB"])
        let scoped = url.contains("?") ? "\(url)&db=\(database)" : (url.hasPrefix("unix:") ? "\(url)?db=\(database)" : "\(url)/\(database)")

        let harness = try GatewayProcessTests.Harness(scenario: #"{"updatesPerSecond":40}"#)
        defer { harness.cleanUp() }
        let universe = harness.universe
        let store = harness.store

        let maxLength = 12
        let gateway = try harness.gateway(.binance, arguments: ["--redis-url", scoped, "--stream-maxlen", String(maxLength)])
        // 8 instruments sampled each second: within ~4 s the stream has passed its bound several times.
        usleep(4_500_000)

        let tops = try Self.entries(redis, "md.book_ticker")
        #expect(tops.count > 0, "sampled tops arrived")
        // MAXLEN ~ trims whole nodes (100 entries each): bounded by the limit plus one node.
        #expect(try redis.xlen(stream: "md.book_ticker") <= maxLength + 100)
        let instruments = universe.instruments.filter { $0.source.exchange == .binance }
        let lastSecond = tops.suffix(instruments.count)
        let sampled = Set(lastSecond.map { "\($0["source"] ?? "?") \($0["symbol"] ?? "?")" })
        #expect(sampled.count == instruments.count,
            "one sample per instrument per second: \(lastSecond.map { $0["symbol"] ?? "?" })")
        for entry in tops {
            let bid = try ExactDecimal(entry["bid"] ?? "x")
            let ask = try ExactDecimal(entry["ask"] ?? "x")
            #expect(bid < ask && entry["verified"] == "1", "\(entry)")
            #expect(Int64(entry["ts_ms"] ?? "") ?? 0 > 1_700_000_000_000)
        }

        let funding = try Self.entries(redis, "md.funding")
        let perps = Set(instruments.filter { $0.source.market == .perp }.map(\.exchangeSymbol))
        #expect(Set(funding.compactMap { $0["exchange_symbol"] }) == perps, "funding of every perpetual")
        for entry in funding {
            #expect(entry["source"] == "binance/perp")
            let rate = try ExactDecimal(entry["rate"] ?? "x")
            #expect(ExactDecimal(-1) < rate && rate < ExactDecimal(1), "\(entry)")
            #expect(UInt64(entry["next_settlement_ms"] ?? "") ?? 0 > UInt64(WallClock.now() / 1_000_000))
        }
        let status = try ControlSocketServer.request(path: harness.socket(.binance), command: "status")
        #expect(status.contains(#""streams":{"published":"#) && status.contains(#""dropped":0"#), "\(status)")

        // A frozen top: the last sample of an instrument equals what shared memory holds.
        gateway.signal(SIGSTOP)
        defer { gateway.signal(SIGCONT) }
        let settled = try Self.entries(redis, "md.book_ticker")
        for instrument in instruments {
            guard let slot = store.slot(symbol: instrument.symbol, source: instrument.source),
                let sample = settled.last(where: { $0["exchange_symbol"] == instrument.exchangeSymbol && $0["source"] == instrument.source.name })
            else { continue }
            var top = TopOfBook()
            _ = store.readTop(slot: slot, into: &top)
            #expect(top.tsExchangeNanos / 1_000_000 >= Int64(sample["ts_exchange_ms"] ?? "") ?? .max, "samples are never ahead of shm")
        }
        gateway.signal(SIGCONT)

        // SIGTERM: clean exit within 2 s; the streams stay bounded.
        let started = Date()
        gateway.signal(SIGTERM)
        #expect(gateway.wait() == 0)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(try redis.xlen(stream: "md.book_ticker") <= maxLength + 100)
        #expect(try redis.xlen(stream: "md.funding") <= maxLength + 100)
        _ = try redis.command(["FLUSHDB"])
    }

    /// Redis away: the gateway still fills shared memory; the entries are dropped and counted.
    @Test(.timeLimit(.minutes(1))) func redisAwayCostsOnlyTheSamples() throws {
        let harness = try GatewayProcessTests.Harness(scenario: #"{"updatesPerSecond":40}"#)
        defer { harness.cleanUp() }
        let gateway = try harness.gateway(.okx, arguments: ["--redis-url", "unix:///nonexistent/redis.sock"])
        defer { _ = gateway.terminate(graceMillis: 2000) }
        usleep(3_500_000)
        let status = try ControlSocketServer.request(path: harness.socket(.okx), command: "status")
        #expect(status.contains(#""streams":{"published":0,"#) && !status.contains(#""dropped":0,"#), "\(status)")
        #expect(harness.control.healthSnapshot(SourceId(exchange: .okx, market: .spot)).state == .live)
        #expect(status.contains(#""verified":4"#), "\(status)")
    }
}

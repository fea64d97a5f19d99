import Foundation
import Testing

@testable import draizer

/// The detector's part of `draizer status`, rendered from its control-socket reply.
@Suite struct StatusViewTests {
    func render(_ reply: String) throws -> [String] {
        let status = try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
        return DetectorView.render(status)
    }

    @Test func redisStreamsAreShownSoAnOutageIsSeen() throws {
        let lines = try render(
            #"{"updates":10,"evaluations":20,"emissions":1,"rejected":{"stale":3},"streams":{"published":7,"dropped":41,"failures":2,"maxlen":100},"funding":{"received":12,"failures":0,"rejected":1},"recent":[],"open_tracks":[]}"#)
        #expect(lines.first == "detector: 10 updates, 20 evaluations, 1 opportunities; tick→decision: none yet", "no latency shown before one is measured")
        let timed = try render(
            #"{"updates":10,"evaluations":20,"emissions":1,"tick_to_decision_ns":{"count":1,"p50":4224,"p99":4224,"max":4224},"recent":[],"open_tracks":[]}"#)
        #expect(timed.first == "detector: 10 updates, 20 evaluations, 1 opportunities; tick→decision p50 4224 ns, p99 4224 ns")
        #expect(lines.contains("  redis streams: published 7, dropped 41, failures 2"))
        #expect(lines.contains("  funding rates read: 12, refused as untrustworthy: 1"))
        #expect(lines.contains { $0.contains("stale 3") })
        #expect(!lines.contains { $0.contains("track journal") }, "shown only when appends failed")
        let withoutRedis = try render(
            #"{"streams":null,"journal_errors":3,"journal_last_error":"No space left on device","recent":[],"open_tracks":[]}"#)
        #expect(withoutRedis.contains("  redis streams: off (--no-redis)"))
        #expect(withoutRedis.contains("  track journal: 3 failed appends, last: No space left on device"))
        let refused = try render(
            #"{"streams":{"published":7,"dropped":2,"failures":2,"maxlen":100,"last_refusal":"opportunities: WRONGTYPE Operation against a key holding the wrong kind of value"},"recent":[],"open_tracks":[]}"#)
        #expect(refused.contains("  redis streams: published 7, dropped 2, failures 2, last refused: opportunities: WRONGTYPE Operation against a key holding the wrong kind of value"))
        let unread = try render(#"{"funding":{"received":3,"failures":4,"rejected":0,"last_error":"connection refused"},"funding_out_of_date":2,"recent":[],"open_tracks":[]}"#)
        #expect(unread.contains("  funding out of date (past its settlement, no new rate): 2 perpetuals, no carry on them"))
        #expect(!refused.contains { $0.contains("out of date") || $0.contains("executor ring") })
        let full = try render(#"{"executor_ring_full":12,"recent":[],"open_tracks":[]}"#)
        #expect(full.contains("  executor ring: 12 opportunities refused while it was full (no executor taking them)"))
        #expect(unread.contains("  funding rates read: 3, refused as untrustworthy: 0, read failures: 4, last: connection refused"))
    }

    @Test func openTracksNameTheirStrategyAndACyclesCurrencies() throws {
        let lines = try render(
            #"{"recent":[],"open_tracks":[{"track":7,"strategy":"triangular","symbol":"ETH-BTC","buy":"gateio/spot","sell":"USDT>ETH>BTC>USDT","opened_ms":1795380000000,"points":12,"last_net_bps":8.5,"peak_net_bps":30.84},{"track":8,"strategy":"funding_carry","symbol":"BTC-USDT","buy":"okx/spot","sell":"bybit/perp","opened_ms":1795380000000,"points":3,"last_net_bps":14.2,"peak_net_bps":15}]}"#)
        let header = try #require(lines.first { $0.hasPrefix("strategy ") })
        #expect(header.hasPrefix("strategy       symbol     buy           sell / cycle       points  net bps  peak"))
        #expect(lines.contains("triangular     ETH-BTC    gateio/spot   USDT>ETH>BTC>USDT  12      8.50     30.84"))
        #expect(lines.contains("funding_carry  BTC-USDT   okx/spot      bybit/perp         3       14.20    15.00"))
    }

    @Test func closedTracksSayHowLongDislocationsLasted() throws {
        let lines = try render(
            #"{"recent":[],"open_tracks":[],"closed_tracks":{"converged":12,"expired":2,"seconds_to_converge":{"p50":9.81,"p90":31.04}}}"#)
        #expect(lines.contains("open tracks (0), closed: 12 converged (after 9.8 s median, 31.0 s p90), 2 expired"))
        let expiredOnly = try render(
            #"{"recent":[],"open_tracks":[],"closed_tracks":{"converged":0,"expired":1,"seconds_to_converge":{"p50":null,"p90":null}}}"#)
        #expect(expiredOnly.contains("open tracks (0), closed: 0 converged, 1 expired"))
        let unseen = try render(
            #"{"recent":[],"open_tracks":[],"closed_tracks":{"converged":12,"converged_unseen":1,"expired":2,"seconds_to_converge":{"p50":9.81,"p90":31.04}}}"#)
        #expect(unseen.contains("open tracks (0), closed: 12 converged (after 9.8 s median, 31.0 s p90; 1 found converged after going unseen), 2 expired"))
        let allUnseen = try render(
            #"{"recent":[],"open_tracks":[],"closed_tracks":{"converged":1,"converged_unseen":1,"expired":0,"seconds_to_converge":{"p50":null,"p90":null}}}"#)
        #expect(allUnseen.contains("open tracks (0), closed: 1 converged (1 found converged after going unseen), 0 expired"))
        let none = try render(#"{"recent":[],"open_tracks":[],"closed_tracks":{"converged":0,"expired":0}}"#)
        #expect(none.contains("open tracks (0)"))
    }

    @Test func opportunitiesShowTheNetTheirProfitIsMadeAt() throws {
        let lines = try render(
            #"{"recent":[{"ts_ms":1795380000000,"strategy":"triangular","symbol":"ETH-BTC","buy":"gateio/spot","sell":"gateio/spot","cycle":"USDT>ETH>BTC>USDT","quantity":893.86,"net_bps":19.87,"net_bps_at_size":13.42,"gross_bps":49.99,"expected_profit":1.2}],"open_tracks":[]}"#)
        let header = try #require(lines.first { $0.hasPrefix("time ") })
        let row = try #require(lines.first { $0.contains("triangular") })
        #expect(header.contains("net bps  at size  gross"))
        #expect(row.contains("USDT>ETH>BTC>USDT  19.87    13.42    49.99   893.86 USDT     1.20"))
    }

    @Test func gatewayProblemsAreNamedWithTheVenuesWords() throws {
        let reply = #"{"exchange":"binance","sources":{"binance/spot":{"failing_snapshots":[{"symbol":"SOLUSDT","failures":4,"error":"expected HTTP 200, was 400"}],"venue_errors":2,"last_venue_error":"2: unknown topic"},"binance/perp":{"failing_snapshots":[],"venue_errors":0,"last_venue_error":null}}}"#
        let status = try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
        #expect(GatewayView.problems([status]) == [
            "", "gateway problems",
            "  binance/spot SOLUSDT: snapshot failed 4 times (retried, waiting longer each time), last: expected HTTP 200, was 400",
            "  binance/spot: the venue sent 2 errors, last: 2: unknown topic",
        ])
        let healthy = try #require(
            try JSONSerialization.jsonObject(with: Data(#"{"sources":{"okx/spot":{"failing_snapshots":[],"venue_errors":0}}}"#.utf8)) as? [String: Any])
        #expect(GatewayView.problems([healthy]).isEmpty, "nothing shown while every gateway is fine")
    }
}

import ArgumentParser
import DraizerCore
import FastPath
import Foundation
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// `draizer status [--watch]`: per-source health and the live top of book of every instrument in
/// the universe, read from shared memory.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Per-source health and a live top-of-book table from shared memory.")

    @OptionGroup var segments: SegmentOptions
    @Option(help: "Universe file (names the symbols).") var universe = "generated/universe.json"
    @Flag(help: "Redraw every --interval-millis until interrupted.") var watch = false
    @Option(help: "Refresh interval with --watch.") var intervalMillis = 1000
    @Option(help: "Stop after this many refreshes (0 = until interrupted).") var count = 0
    @Option(help: "The detector's control socket (default /tmp/<prefix>-detector.sock); shown when it answers.")
    var detectorSocket: String?

    func validate() throws {
        guard (50...3_600_000).contains(intervalMillis) else {
            throw ValidationError("--interval-millis: expected 50...3600000 (50 ms to an hour), was \(intervalMillis)")
        }
        guard count >= 0 else { throw ValidationError("--count: expected 0 (until interrupted) or more, was \(count)") }
    }

    func run() throws {
        let names = try SegmentNames(prefix: segments.prefix)
        let store = try PriceStore.attach(names: names)
        let control = try ControlSegment.attach(names: names)
        let loaded: Universe
        do {
            loaded = try Universe.load(path: universe)
        } catch {
            throw CommandFailure("\(error)")
        }
        var refreshes = 0
        repeat {
            let screen = render(store: store, control: control, universe: loaded)
            print(watch ? "\u{1B}[H\u{1B}[2J" + screen : screen)
            refreshes += 1
            if watch && (count == 0 || refreshes < count) { usleep(UInt32(intervalMillis) * 1000) }
        } while watch && (count == 0 || refreshes < count)
    }

    func render(store: PriceStore, control: ControlSegment, universe: Universe) -> String {
        var lines = ["draizer status  (\(formatWall(WallClock.now())))", ""]
        lines += HealthTable.render(control)
        // Services that do not answer within 500 ms are left out.
        lines += GatewayView.problems(Exchange.allCases.compactMap { exchange in
            try? ServiceStatus.fetch(ControlSocketServer.defaultPath(prefix: segments.prefix, service: "gateway-\(exchange.name)"), timeoutMillis: 500)
        })
        lines.append("")
        let detectorPath = detectorSocket ?? ControlSocketServer.defaultPath(prefix: segments.prefix, service: "detector")
        if let detector = try? ServiceStatus.fetch(detectorPath, timeoutMillis: 500) {
            lines += DetectorView.render(detector)
            lines.append("")
        }
        lines.append(pad("symbol", 12) + pad("source", 14) + pad("bid", 16) + pad("ask", 16) + pad("spread bps", 12) + pad("verified", 10) + "age")
        let now = MonotonicClock.now()
        var top = TopOfBook()
        for instrument in universe.instruments.sorted(by: { ($0.symbol, $0.source) < ($1.symbol, $1.source) }) {
            guard let slot = store.slot(symbol: instrument.symbol, source: instrument.source) else { continue }
            let name = universe.symbol(instrument.symbol)?.name ?? "\(instrument.symbol)"
            switch store.readTop(slot: slot, into: &top) {
            case .empty:
                lines.append(pad(name, 12) + pad(instrument.source.name, 14) + "no data yet")
            case .inconsistent:
                lines.append(pad(name, 12) + pad(instrument.source.name, 14) + "inconsistent (writer mid-write or dead)")
            case .consistent:
                let bid = top.bid.doubleValue
                let ask = top.ask.doubleValue
                let spread = bid > 0 ? (ask - bid) / ((ask + bid) / 2) * 10_000 : 0
                let age = top.tsReceivedNanos > 0 ? "\((now - top.tsReceivedNanos) / 1_000_000) ms" : "-"
                // Books keep 8 decimals; show prices at the instrument's tick (exactly, or all digits).
                let tickScale = Int(instrument.tickSize.decimal.scale)
                func shown(_ price: Price) -> String {
                    guard let mantissa = try? price.decimal.mantissa(atScale: tickScale),
                        let atTick = try? ExactDecimal(mantissa: mantissa, scale: tickScale)
                    else { return price.decimal.normalized.description }
                    return atTick.description
                }
                lines.append(
                    pad(name, 12) + pad(instrument.source.name, 14) + pad(shown(top.bid), 16) + pad(shown(top.ask), 16)
                        + pad(String((spread * 100).rounded() / 100), 12) + pad(top.verified ? "yes" : "NO", 10) + age)
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The per-source health table shared by `shm inspect` and `status`.
enum HealthTable {
    static func render(_ control: ControlSegment) -> [String] {
        var lines = [
            pad("source", 14) + pad("state", 11) + pad("messages", 12) + pad("gaps", 7) + pad("reconnects", 11) + pad("resyncs", 9) + pad("errors", 8)
                + "last message"
        ]
        let now = MonotonicClock.now()
        for source in SourceId.all {
            let health = control.healthSnapshot(source)
            let age = health.lastMessageNanos == 0 ? "never" : "\((now - health.lastMessageNanos) / 1_000_000) ms ago"
            lines.append(
                pad(source.name, 14) + pad(health.state.description, 11) + pad("\(health.messages)", 12) + pad("\(health.gaps)", 7)
                    + pad("\(health.reconnects)", 11) + pad("\(health.resyncs)", 9) + pad("\(health.errors)", 8) + age)
        }
        return lines
    }
}

/// The gateways' part of `status`: what the health table above cannot say — the books whose
/// depth snapshots keep failing and why, and the errors the venues sent (refused subscriptions).
enum GatewayView {
    static func problems(_ statuses: [[String: Any]]) -> [String] {
        var lines: [String] = []
        for status in statuses {
            for (source, value) in (status["sources"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let row = value as? [String: Any] ?? [:]
                for book in row["failing_snapshots"] as? [[String: Any]] ?? [] {
                    let failures = (book["failures"] as? NSNumber)?.intValue ?? 0
                    lines.append(
                        "  \(source) \(book["symbol"] as? String ?? "?"): snapshot failed \(failures) times (retried, waiting longer each time), last: \(book["error"] as? String ?? "?")")
                }
                if let errors = (row["venue_errors"] as? NSNumber)?.intValue, errors > 0 {
                    lines.append("  \(source): the venue sent \(errors) errors, last: \(row["last_venue_error"] as? String ?? "?")")
                }
            }
        }
        return lines.isEmpty ? [] : ["", "gateway problems"] + lines
    }
}

/// The detector's part of `status`: counters, the latest opportunities and the open tracks.
enum DetectorView {
    static func render(_ status: [String: Any]) -> [String] {
        func int(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? 0 }
        func fixed(_ value: Any?, _ digits: Int = 2) -> String {
            String(format: "%.\(digits)f", (value as? NSNumber)?.doubleValue ?? 0)
        }
        let rejected = status["rejected"] as? [String: Any] ?? [:]
        let latency = status["tick_to_decision_ns"] as? [String: Any] ?? [:]
        var lines = [
            "detector: \(int(status["updates"])) updates, \(int(status["evaluations"])) evaluations, \(int(status["emissions"])) opportunities; "
                + (int(latency["count"]) > 0 ? "tick→decision p50 \(int(latency["p50"])) ns, p99 \(int(latency["p99"])) ns" : "tick→decision: none yet"),
            "  rejected: " + ["below_threshold", "stale", "unverified", "below_min_notional", "cooldown_or_tracked", "paused", "no_price"]
                .map { "\($0.replacingOccurrences(of: "_", with: " ")) \(int(rejected[$0]))" }.joined(separator: ", "),
            (status["streams"] as? [String: Any]).map { streams in
                "  redis streams: published \(int(streams["published"])), dropped \(int(streams["dropped"])), failures \(int(streams["failures"]))"
                    + ((streams["last_refusal"] as? String).map { ", last refused: \($0)" } ?? "")
            } ?? "  redis streams: off (--no-redis)",
        ]
        if let funding = status["funding"] as? [String: Any] {
            lines.append(
                "  funding rates read: \(int(funding["received"])), refused as untrustworthy: \(int(funding["rejected"]))"
                    + (int(funding["failures"]) > 0 ? ", read failures: \(int(funding["failures"])), last: \(funding["last_error"] as? String ?? "?")" : ""))
        }
        if int(status["executor_ring_full"]) > 0 {
            lines.append("  executor ring: \(int(status["executor_ring_full"])) opportunities refused while it was full (no executor taking them)")
        }
        if int(status["funding_out_of_date"]) > 0 {
            lines.append("  funding out of date (past its settlement, no new rate): \(int(status["funding_out_of_date"])) perpetuals, no carry on them")
        }
        if int(status["journal_errors"]) > 0 {
            lines.append("  track journal: \(int(status["journal_errors"])) failed appends, last: \(status["journal_last_error"] as? String ?? "?")")
        }
        lines += [
            "",
            "latest opportunities",
            pad("time", 14) + pad("strategy", 15) + pad("symbol", 11) + pad("buy", 14) + pad("sell / cycle", 19) + pad("net bps", 9)
                + pad("at size", 9) + pad("gross", 8) + pad("size", 16) + pad("profit", 10),
        ]
        for opportunity in (status["recent"] as? [[String: Any]] ?? []).prefix(8) {
            let time = formatWall(Int64(int(opportunity["ts_ms"])) * 1_000_000).split(separator: "T").last.map(String.init) ?? ""
            // A cycle trades on one source: its path stands where the sell leg would, and its size
            // is the USDT put in. Net bps is at the best prices; "at size" is what the profit is
            // made at (the VWAPs of the size; a cycle's orders rounded to their steps).
            let cycle = opportunity["cycle"] as? String
            let size = fixed(opportunity["quantity"], cycle == nil ? 4 : 2) + (cycle == nil ? "" : " USDT")
            lines.append(
                pad(String(time.prefix(12)), 14) + pad(opportunity["strategy"] as? String ?? "", 15) + pad(opportunity["symbol"] as? String ?? "", 11)
                    + pad(opportunity["buy"] as? String ?? "", 14) + pad(cycle ?? opportunity["sell"] as? String ?? "", 19)
                    + pad(fixed(opportunity["net_bps"]), 9) + pad(fixed(opportunity["net_bps_at_size"]), 9)
                    + pad(fixed(opportunity["gross_bps"]), 8) + pad(size, 16)
                    + fixed(opportunity["expected_profit"]))
        }
        let tracks = status["open_tracks"] as? [[String: Any]] ?? []
        lines.append("")
        lines.append("open tracks (\(tracks.count))" + Self.closedTracks(status["closed_tracks"] as? [String: Any]))
        lines.append(
            pad("strategy", 15) + pad("symbol", 11) + pad("buy", 14) + pad("sell / cycle", 19) + pad("points", 8) + pad("net bps", 9) + "peak")
        for track in tracks.prefix(10) {
            // A cycle's track names its currencies in order where a spread's names its sell leg.
            lines.append(
                pad(track["strategy"] as? String ?? "", 15) + pad(track["symbol"] as? String ?? "", 11) + pad(track["buy"] as? String ?? "", 14)
                    + pad(track["sell"] as? String ?? "", 19) + pad("\(int(track["points"]))", 8) + pad(fixed(track["last_net_bps"]), 9)
                    + fixed(track["peak_net_bps"]))
        }
        return lines
    }

    /// What became of the tracks the market closed: ", closed: 12 converged (after 9.8 s median,
    /// 31.0 s p90; 1 found converged after going unseen), 2 expired"; nothing before the first.
    static func closedTracks(_ closed: [String: Any]?) -> String {
        let converged = (closed?["converged"] as? NSNumber)?.intValue ?? 0
        let unseen = (closed?["converged_unseen"] as? NSNumber)?.intValue ?? 0
        let expired = (closed?["expired"] as? NSNumber)?.intValue ?? 0
        guard converged + expired > 0 else { return "" }
        let lasting = closed?["seconds_to_converge"] as? [String: Any] ?? [:]
        func seconds(_ key: String) -> String {
            (lasting[key] as? NSNumber).map { String(format: "%.1f s", $0.doubleValue) } ?? "-"
        }
        var parts: [String] = []
        if converged > unseen { parts.append("after \(seconds("p50")) median, \(seconds("p90")) p90") }
        if unseen > 0 { parts.append("\(unseen) found converged after going unseen") }
        let after = parts.isEmpty ? "" : " (\(parts.joined(separator: "; ")))"
        return ", closed: \(converged) converged\(after), \(expired) expired"
    }
}

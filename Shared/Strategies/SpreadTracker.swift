import Foundation  // String.range(of:) when recovering tracks from their lines
import DraizerCore

/// Follows each signal — a spread, a funding carry, a triangular cycle (its `TrackSubject`): a
/// point every `intervalNanos` until it converges (net ≤ exit threshold → CONVERGED) or
/// `maxAgeNanos` pass (EXPIRED); then its subject may signal again.
/// Its events become JSONL lines (an append-only daily file) and stream entries; after a restart
/// the open tracks are rebuilt from those lines and continue.
///
/// Threading: owned by the detector's evaluation thread.
public final class SpreadTracker {
    public enum CloseReason: String, Sendable {
        case converged = "CONVERGED"
        case expired = "EXPIRED"
        /// Its direction or cycle is no longer in the universe (a reload or restart without it): it
        /// can no longer be followed.
        case removed = "REMOVED"
        /// Found open at recovery while an earlier open track of the same subject was too (only a
        /// past fault could write both): one is followed, this one is closed.
        case duplicate = "DUPLICATE"
    }

    public struct Track: Sendable, Equatable {
        /// The opportunity id that opened it.
        public var id: UInt64
        public var subject: TrackSubject
        /// The signal's strategy (a spread's: spot_spot, spot_perp or perp_perp).
        public var strategy: StrategyKind
        /// Spreads and carry: the symbol and both legs' sources. Triangular: the cross pair, the
        /// exchange's spot source as `buy`, and the currencies in order (`USDT>ETH>BTC>USDT`) as
        /// `sell`.
        public var symbol: String
        public var buy: String
        public var sell: String
        public var openedWallMillis: Int64
        public var lastPointNanos: Int64
        /// When its edge was last read (wall ms): its signal, or its last point with trustworthy
        /// prices. A convergence first seen long after it happened somewhere in between.
        public var lastSeenWallMillis: Int64
        public var points: Int
        public var lastNetBps: Double
        public var peakNetBps: Double
    }

    public enum Event: Sendable, Equatable {
        case opened(Track, grossBps: Double, netBps: Double, quantity: Double)
        case point(Track, SpreadDetector.Reading)
        case closed(Track, CloseReason)
    }

    public private(set) var open: [Track] = []
    /// Tracks the market closed since start: how many converged and expired, and how long the
    /// converged ones lasted (seconds, the last `lastingSamples`): how long a dislocation stays.
    public private(set) var convergedCount = 0
    public private(set) var expiredCount = 0
    /// Of `convergedCount`, those found converged after going unseen for over
    /// `unseenLimitMillis` (the detector down, or no trustworthy prices): when they converged is
    /// not known, and they are left out of `secondsToConverge`.
    public private(set) var convergedUnseenCount = 0
    /// The samples in arrival order (a ring, `lastedNext` the oldest once full) and sorted, kept
    /// so by each convergence: the status reads percentiles every 200 ms without sorting.
    private var lasted: [Double] = []
    private var lastedSorted: [Double] = []
    private var lastedNext = 0
    public static let lastingSamples = 1024
    public var intervalNanos: Int64
    public var maxAgeMillis: Int64
    public var exitBps: Double

    /// Ten points' interval, at least 2 s: a longer gap between two readings is time unseen.
    public var unseenLimitMillis: Int64 { max(intervalNanos / 100_000, 2_000) }

    public init(intervalMillis: Int, maxAgeSeconds: Double, exitBps: Double) {
        intervalNanos = Int64(intervalMillis) * 1_000_000
        maxAgeMillis = Int64(maxAgeSeconds * 1000)
        self.exitBps = exitBps
    }

    public func isOpen(_ subject: TrackSubject) -> Bool { open.contains { $0.subject == subject } }

    /// Starts following an emitted opportunity (ignored when its subject is already followed);
    /// `symbol`, `buy` and `sell` name it as `Track` says.
    public func opened(_ record: OpportunityRecord, symbol: String, buy: String, sell: String, now: Int64) -> Event? {
        let subject = TrackSubject(record)
        guard !isOpen(subject) else { return nil }
        let track = Track(
            id: record.id, subject: subject, strategy: record.strategyKind ?? .spotSpot, symbol: symbol, buy: buy, sell: sell,
            openedWallMillis: record.wallNanos / 1_000_000, lastPointNanos: now, lastSeenWallMillis: record.wallNanos / 1_000_000, points: 0,
            lastNetBps: record.netBps, peakNetBps: record.netBps)
        open.append(track)
        return .opened(track, grossBps: record.grossBps, netBps: record.netBps, quantity: record.quantity)
    }

    /// Points for the tracks that are due and closes for those that ended; `reading` gives a
    /// subject's edge now.
    public func tick(now: Int64, wallMillis: Int64, reading: (TrackSubject) -> SpreadDetector.Reading) -> [Event] {
        var events: [Event] = []
        var index = 0
        while index < open.count {
            // A recovered track's opening time comes from a file, which may be damaged: an age
            // beyond 64 bits is past any maximum.
            let (age, overflow) = wallMillis.subtractingReportingOverflow(open[index].openedWallMillis)
            if overflow || age >= maxAgeMillis {
                expiredCount += 1
                events.append(.closed(open[index], .expired))
                open.remove(at: index)
                continue
            }
            guard now - open[index].lastPointNanos >= intervalNanos else {
                index += 1
                continue
            }
            let now_ = reading(open[index].subject)
            open[index].lastPointNanos = now
            guard now_.valid else {  // no trustworthy prices: no point, no convergence
                index += 1
                continue
            }
            let unseen = wallMillis - open[index].lastSeenWallMillis > unseenLimitMillis
            open[index].lastSeenWallMillis = wallMillis
            open[index].points += 1
            open[index].lastNetBps = now_.netBps
            open[index].peakNetBps = max(open[index].peakNetBps, now_.netBps)
            events.append(.point(open[index], now_))
            if now_.netBps <= exitBps {
                convergedCount += 1
                if unseen { convergedUnseenCount += 1 } else { recordLasting(Double(age) / 1000) }
                events.append(.closed(open[index], .converged))
                open.remove(at: index)
                continue
            }
            index += 1
        }
        return events
    }

    private func recordLasting(_ seconds: Double) {
        if lasted.count < Self.lastingSamples {
            lasted.append(seconds)
        } else {
            if let oldest = lastedSorted.firstIndex(of: lasted[lastedNext]) { lastedSorted.remove(at: oldest) }
            lasted[lastedNext] = seconds
        }
        lastedNext = (lastedNext + 1) % Self.lastingSamples
        lastedSorted.insert(seconds, at: lastedSorted.firstIndex { $0 > seconds } ?? lastedSorted.count)
    }

    /// How long converged tracks lasted from their signal, at `fraction` (0.5 = median) of the
    /// last `lastingSamples`; nil before any converged.
    public func secondsToConverge(_ fraction: Double) -> Double? {
        guard !lastedSorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(lastedSorted.count - 1)).rounded())
        return lastedSorted[min(max(rank, 0), lastedSorted.count - 1)]
    }

    // MARK: Lines (JSONL) and recovery

    /// The event as one JSON line.
    public static func line(_ event: Event, wallMillis: Int64) -> String {
        func track(_ track: Track) -> String {
            #""track":\#(track.id),"strategy":"\#(track.strategy.name)","symbol":\#(track.symbol.jsonQuoted),"buy":\#(track.buy.jsonQuoted),"sell":\#(track.sell.jsonQuoted)"#
        }
        switch event {
        case .opened(let opened, let gross, let net, let quantity):
            return #"{"event":"open",\#(track(opened)),"ts_ms":\#(opened.openedWallMillis),"gross_bps":\#(number(gross)),"net_bps":\#(number(net)),"quantity":\#(number(quantity))}"#
        case .point(let point, let reading):
            return #"{"event":"point",\#(track(point)),"ts_ms":\#(wallMillis),"gross_bps":\#(number(reading.grossBps)),"net_bps":\#(number(reading.netBps)),"quantity":\#(number(reading.quantity))}"#
        case .closed(let closed, let reason):
            return #"{"event":"close",\#(track(closed)),"ts_ms":\#(wallMillis),"reason":"\#(reason.rawValue)","points":\#(closed.points),"peak_net_bps":\#(number(closed.peakNetBps)),"last_net_bps":\#(number(closed.lastNetBps))}"#
        }
    }

    static func number(_ value: Double) -> String {
        value.jsonText(roundedTo: 10_000, ifNotFinite: "null")
    }


    /// What `recover` found: tracks reopened, those whose subject is no longer traded (to be
    /// closed REMOVED by the caller, so the file does not keep them open for ever), and later open
    /// tracks of a subject already reopened (to be closed DUPLICATE).
    public struct Recovery: Sendable, Equatable {
        public var recovered: Int
        public var removed: [Track]
        public var duplicates: [Track] = []

        /// The closes the caller records: each removed or duplicate track with its reason.
        public var closes: [Event] { removed.map { .closed($0, .removed) } + duplicates.map { .closed($0, .duplicate) } }
    }

    /// Reopens the tracks that `lines` opened and never closed (oldest files first); `subject`
    /// maps (strategy, symbol, buy, sell) to what that is in today's universe and its strategy
    /// there (nil: no longer traded). Lines written before tracks named their strategy give nil:
    /// they are spreads.
    @discardableResult
    public func recover(
        lines: [String], now: Int64, subject: (StrategyKind?, String, String, String) -> (TrackSubject, StrategyKind)?
    ) -> Recovery {
        var opened: [UInt64: Track] = [:]
        var order: [UInt64] = []
        for line in lines {
            guard let event = Self.field(line, "event"), let id = Self.field(line, "track").flatMap(UInt64.init) else { continue }
            switch event {
            case "open":
                guard let symbol = Self.field(line, "symbol"), let buy = Self.field(line, "buy"), let sell = Self.field(line, "sell"),
                    let opened_ = Self.field(line, "ts_ms").flatMap(Int64.init)
                else { continue }
                let written = Self.field(line, "strategy").flatMap(StrategyKind.init(name:))
                let found = subject(written, symbol, buy, sell)
                let net = Self.field(line, "net_bps").flatMap(Double.init) ?? 0
                opened[id] = Track(
                    id: id, subject: found?.0 ?? Self.untraded, strategy: found?.1 ?? written ?? .spotSpot, symbol: symbol, buy: buy,
                    sell: sell, openedWallMillis: opened_, lastPointNanos: now, lastSeenWallMillis: opened_, points: 0, lastNetBps: net,
                    peakNetBps: net)
                order.append(id)
            case "point":
                guard var track = opened[id] else { continue }
                track.points += 1
                if let seen = Self.field(line, "ts_ms").flatMap(Int64.init) { track.lastSeenWallMillis = max(track.lastSeenWallMillis, seen) }
                if let net = Self.field(line, "net_bps").flatMap(Double.init) {
                    track.lastNetBps = net
                    track.peakNetBps = max(track.peakNetBps, net)
                }
                opened[id] = track
            case "close":
                opened[id] = nil
            default:
                continue
            }
        }
        var recovery = Recovery(recovered: 0, removed: [])
        for id in order {
            guard let track = opened[id] else { continue }
            if track.subject == Self.untraded {
                recovery.removed.append(track)
            } else if !isOpen(track.subject) {
                open.append(track)
                recovery.recovered += 1
            } else {
                recovery.duplicates.append(track)
            }
        }
        return recovery
    }

    /// The subject of a recovered track that is no longer traded.
    static let untraded = TrackSubject(kind: .spread, index: -1)

    /// A new universe: each open track keeps following its subject as `subject` finds it there
    /// (points, peak and age kept); one that is gone is closed REMOVED (the closes are returned,
    /// to be recorded).
    public func remap(subject: (Track) -> TrackSubject?) -> [Event] {
        var closes: [Event] = []
        var kept: [Track] = []
        for var track in open {
            if let found = subject(track) {
                track.subject = found
                kept.append(track)
            } else {
                closes.append(.closed(track, .removed))
            }
        }
        open = kept
        return closes
    }

    /// A top-level field's text in one of our own lines (strings unquoted, numbers as written).
    static func field(_ line: String, _ name: String) -> String? {
        guard let range = line.range(of: "\"\(name)\":") else { return nil }
        let rest = line[range.upperBound...]
        if rest.first == "\"" {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: "\"") else { return nil }
            return String(body[..<end])
        }
        return String(rest.prefix { $0 != "," && $0 != "}" })
    }
}

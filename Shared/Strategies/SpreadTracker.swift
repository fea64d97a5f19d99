import Foundation  // String.range(of:) when recovering tracks from their lines
import DraizerCore

/// Follows each signalled spread: a point every `intervalNanos` until it converges (net ≤ exit
/// threshold → CONVERGED) or `maxAgeNanos` pass (EXPIRED); then the direction may signal again.
/// Its events become JSONL lines (an append-only daily file) and stream entries; after a restart
/// the open tracks are rebuilt from those lines and continue.
///
/// Threading: owned by the detector's evaluation thread.
public final class SpreadTracker {
    public enum CloseReason: String, Sendable {
        case converged = "CONVERGED"
        case expired = "EXPIRED"
        /// Its direction is no longer in the universe (a reload or restart without it): it can no
        /// longer be followed.
        case removed = "REMOVED"
        /// Found open at recovery while an earlier open track of the same direction was too (only a
        /// past fault could write both): one is followed, this one is closed.
        case duplicate = "DUPLICATE"
    }

    public struct Track: Sendable, Equatable {
        /// The opportunity id that opened it.
        public var id: UInt64
        public var direction: Int
        public var symbol: String
        public var buy: String
        public var sell: String
        public var openedWallMillis: Int64
        public var lastPointNanos: Int64
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
    public var intervalNanos: Int64
    public var maxAgeMillis: Int64
    public var exitBps: Double

    public init(intervalMillis: Int, maxAgeSeconds: Double, exitBps: Double) {
        intervalNanos = Int64(intervalMillis) * 1_000_000
        maxAgeMillis = Int64(maxAgeSeconds * 1000)
        self.exitBps = exitBps
    }

    public func isOpen(direction: Int) -> Bool { open.contains { $0.direction == direction } }

    /// Starts following an emitted opportunity's direction (ignored when it is already followed).
    public func opened(_ record: OpportunityRecord, direction: Direction, symbolName: String, now: Int64) -> Event? {
        guard !isOpen(direction: Int(record.direction)) else { return nil }
        let track = Track(
            id: record.id, direction: Int(record.direction), symbol: symbolName, buy: direction.buy.name, sell: direction.sell.name,
            openedWallMillis: record.wallNanos / 1_000_000, lastPointNanos: now, points: 0, lastNetBps: record.netBps,
            peakNetBps: record.netBps)
        open.append(track)
        return .opened(track, grossBps: record.grossBps, netBps: record.netBps, quantity: record.quantity)
    }

    /// Points for the tracks that are due and closes for those that ended; `reading` gives a
    /// direction's edge now.
    public func tick(now: Int64, wallMillis: Int64, reading: (Int) -> SpreadDetector.Reading) -> [Event] {
        var events: [Event] = []
        var index = 0
        while index < open.count {
            // A recovered track's opening time comes from a file, which may be damaged: an age
            // beyond 64 bits is past any maximum.
            let (age, overflow) = wallMillis.subtractingReportingOverflow(open[index].openedWallMillis)
            if overflow || age >= maxAgeMillis {
                events.append(.closed(open[index], .expired))
                open.remove(at: index)
                continue
            }
            guard now - open[index].lastPointNanos >= intervalNanos else {
                index += 1
                continue
            }
            let now_ = reading(open[index].direction)
            open[index].lastPointNanos = now
            guard now_.valid else {  // no trustworthy prices: no point, no convergence
                index += 1
                continue
            }
            open[index].points += 1
            open[index].lastNetBps = now_.netBps
            open[index].peakNetBps = max(open[index].peakNetBps, now_.netBps)
            events.append(.point(open[index], now_))
            if now_.netBps <= exitBps {
                events.append(.closed(open[index], .converged))
                open.remove(at: index)
                continue
            }
            index += 1
        }
        return events
    }

    // MARK: Lines (JSONL) and recovery

    /// The event as one JSON line.
    public static func line(_ event: Event, wallMillis: Int64) -> String {
        func track(_ track: Track) -> String {
            #""track":\#(track.id),"symbol":\#(track.symbol.jsonQuoted),"buy":\#(track.buy.jsonQuoted),"sell":\#(track.sell.jsonQuoted)"#
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


    /// What `recover` found: tracks reopened, those whose direction is no longer traded (to be
    /// closed REMOVED by the caller, so the file does not keep them open for ever), and later open
    /// tracks of a direction already reopened (to be closed DUPLICATE).
    public struct Recovery: Sendable, Equatable {
        public var recovered: Int
        public var removed: [Track]
        public var duplicates: [Track] = []

        /// The closes the caller records: each removed or duplicate track with its reason.
        public var closes: [Event] { removed.map { .closed($0, .removed) } + duplicates.map { .closed($0, .duplicate) } }
    }

    /// Reopens the tracks that `lines` opened and never closed (oldest files first); `direction`
    /// maps (symbol, buy, sell) to today's direction index (nil: no longer traded).
    @discardableResult
    public func recover(lines: [String], now: Int64, direction: (String, String, String) -> Int?) -> Recovery {
        var opened: [UInt64: Track] = [:]
        var order: [UInt64] = []
        for line in lines {
            guard let event = Self.field(line, "event"), let id = Self.field(line, "track").flatMap(UInt64.init) else { continue }
            switch event {
            case "open":
                guard let symbol = Self.field(line, "symbol"), let buy = Self.field(line, "buy"), let sell = Self.field(line, "sell"),
                    let opened_ = Self.field(line, "ts_ms").flatMap(Int64.init)
                else { continue }
                let position = direction(symbol, buy, sell) ?? Self.untraded
                let net = Self.field(line, "net_bps").flatMap(Double.init) ?? 0
                opened[id] = Track(
                    id: id, direction: position, symbol: symbol, buy: buy, sell: sell, openedWallMillis: opened_, lastPointNanos: now,
                    points: 0, lastNetBps: net, peakNetBps: net)
                order.append(id)
            case "point":
                guard var track = opened[id] else { continue }
                track.points += 1
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
            if track.direction == Self.untraded {
                recovery.removed.append(track)
            } else if !isOpen(direction: track.direction) {
                open.append(track)
                recovery.recovered += 1
            } else {
                recovery.duplicates.append(track)
            }
        }
        return recovery
    }

    /// The direction index of a recovered track whose direction is no longer traded.
    static let untraded = -1

    /// A new universe: each open track keeps following its direction under the index `direction`
    /// gives it (points, peak and age kept); one whose direction is gone is closed REMOVED (the
    /// closes are returned, to be recorded).
    public func remap(direction: (Track) -> Int?) -> [Event] {
        var closes: [Event] = []
        var kept: [Track] = []
        for var track in open {
            if let position = direction(track) {
                track.direction = position
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

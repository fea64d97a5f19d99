#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DraizerCore
import Venues

/// Recorded exchange traffic to play back instead of the simulated market: per source, the
/// frames of every recorded instrument in receive order with the venue time each carries, and the
/// REST bodies recorded beside them (instrument list, depth snapshots).
///
/// Read from a fixtures folder laid out as `../shared/fixtures` is:
/// `<exchange>/replay/<market>-<SYMBOL>/stream.jsonl` (one WebSocket frame per line, receive
/// order) with an optional `depth-snapshot.json`, and `<exchange>/rest/<market>-instruments.json`.
public struct SimRecording: Sendable {
    /// One recorded instrument of a source.
    public struct Track: Sendable {
        public var exchangeSymbol: String
        /// The REST depth snapshot recorded with the stream (venues that sync from REST).
        public var snapshot: [UInt8]?
    }

    /// One frame to play: which track it belongs to and when, relative to the first frame.
    public struct Frame: Sendable {
        public var track: Int
        public var offsetMillis: Int64
        public var bytes: [UInt8]
    }

    /// Everything recorded for one source.
    public struct SourceRecording: Sendable {
        public var source: SourceId
        public var tracks: [Track]
        /// All tracks' frames merged by time (each track keeps its own receive order).
        public var frames: [Frame]
        /// The recorded instrument-list response body, if there is one.
        public var instrumentsBody: [UInt8]?
        /// Topic name (as `VenueSubscriptions.topics` spells it) → track.
        public var topics: [String: Int]

        /// Length of the recording at recorded pace.
        public var durationMillis: Int64 { frames.last?.offsetMillis ?? 0 }

        public func track(exchangeSymbol: String) -> Int? {
            tracks.firstIndex { $0.exchangeSymbol == exchangeSymbol }
        }
    }

    /// Recordings by `SourceId.index`; nil where nothing was recorded.
    public var sources: [SourceRecording?]

    public var recordedSources: [SourceRecording] { sources.compactMap { $0 } }

    /// Loads every source found under `root`; fails when nothing playable is there.
    public static func load(root: String) throws(SimRecordingError) -> SimRecording {
        var sources = [SourceRecording?](repeating: nil, count: SourceId.count)
        for source in SourceId.all {
            sources[source.index] = try loadSource(source, root: root)
        }
        guard sources.contains(where: { $0 != nil }) else { throw .nothingToReplay(root) }
        return SimRecording(sources: sources)
    }

    static func loadSource(_ source: SourceId, root: String) throws(SimRecordingError) -> SourceRecording? {
        let exchangeFolder = "\(root)/\(source.exchange.name)"
        let prefix = "\(source.market == .spot ? "spot" : "perp")-"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "\(exchangeFolder)/replay")) ?? []
        var tracks: [Track] = []
        var perTrack: [[(time: Int64?, bytes: [UInt8])]] = []
        for folder in folders.sorted() where folder.hasPrefix(prefix) {
            let directory = "\(exchangeFolder)/replay/\(folder)"
            guard let stream = FileManager.default.contents(atPath: "\(directory)/stream.jsonl") else { continue }
            let lines = stream.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Array($0) }
            guard !lines.isEmpty else { throw .emptyStream("\(directory)/stream.jsonl") }
            let snapshot = FileManager.default.contents(atPath: "\(directory)/depth-snapshot.json").map { Array($0) }
            tracks.append(Track(exchangeSymbol: String(folder.dropFirst(prefix.count)), snapshot: snapshot))
            perTrack.append(lines.map { (venueTimeMillis($0), $0) })
        }
        guard !tracks.isEmpty else { return nil }
        let instruments = FileManager.default.contents(atPath: "\(exchangeFolder)/rest/\(prefix)instruments.json").map { Array($0) }
        return SourceRecording(
            source: source, tracks: tracks, frames: merge(perTrack), instrumentsBody: instruments,
            topics: topicTable(source: source, tracks: tracks))
    }

    /// Merges the tracks by venue time. A frame without a time (Binance spot bookTicker) keeps
    /// the time of the frame before it in its track, so it stays where it was received.
    static func merge(_ tracks: [[(time: Int64?, bytes: [UInt8])]]) -> [Frame] {
        var timed: [(time: Int64, track: Int, position: Int, bytes: [UInt8])] = []
        for (track, frames) in tracks.enumerated() {
            let first = frames.lazy.compactMap(\.time).first ?? 0
            var last = first
            for (position, frame) in frames.enumerated() {
                // Never backwards within a track: receive order is the truth.
                last = max(last, frame.time ?? last)
                timed.append((last, track, position, frame.bytes))
            }
        }
        timed.sort { ($0.time, $0.track, $0.position) < ($1.time, $1.track, $1.position) }
        let start = timed.first?.time ?? 0
        return timed.map { Frame(track: $0.track, offsetMillis: $0.time - start, bytes: $0.bytes) }
    }

    static func topicTable(source: SourceId, tracks: [Track]) -> [String: Int] {
        let subscriptions = venueSubscriptions(for: source)
        var table: [String: Int] = [:]
        for (index, track) in tracks.enumerated() {
            for topic in subscriptions.topics(exchangeSymbol: track.exchangeSymbol) { table[topic] = index }
        }
        return table
    }

    /// The venue time a frame carries, in ms since the epoch: the first of `time_ms` (Gate),
    /// `ts` (Bybit, OKX), `E` (Binance) or `t` given in milliseconds, else `time` in seconds.
    /// Nil when the frame carries none (Binance spot bookTicker).
    public static func venueTimeMillis(_ frame: [UInt8]) -> Int64? {
        for key in ["\"time_ms\":", "\"ts\":", "\"E\":", "\"t\":"] {
            if let value = integer(after: key, in: frame), value >= 100_000_000_000 { return value }
        }
        if let seconds = integer(after: "\"time\":", in: frame), seconds < 100_000_000_000 { return seconds * 1000 }
        return nil
    }

    /// The integer (bare or quoted) right after the first occurrence of `key`.
    static func integer(after key: String, in frame: [UInt8]) -> Int64? {
        let pattern = Array(key.utf8)
        guard frame.count > pattern.count else { return nil }
        var start = 0
        while start + pattern.count < frame.count {
            if frame[start] == pattern[0], frame[start..<start + pattern.count].elementsEqual(pattern) {
                var position = start + pattern.count
                if position < frame.count, frame[position] == UInt8(ascii: "\"") { position += 1 }
                var value: Int64 = 0
                var digits = 0
                while position < frame.count, frame[position] >= UInt8(ascii: "0"), frame[position] <= UInt8(ascii: "9"), digits < 18 {
                    value = value * 10 + Int64(frame[position] - UInt8(ascii: "0"))
                    position += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            start += 1
        }
        return nil
    }
}

public enum SimRecordingError: Error, Equatable, CustomStringConvertible {
    case nothingToReplay(String)
    case emptyStream(String)

    public var description: String {
        switch self {
        case .nothingToReplay(let root): "\(root): no <exchange>/replay/<spot|perp>-<SYMBOL>/stream.jsonl to replay"
        case .emptyStream(let path): "\(path): no frames"
        }
    }
}

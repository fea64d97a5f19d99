import DraizerCore
import VenueSim

/// Replay mode: each connection plays the recording of its source from its first subscription,
/// at the recorded pace times `replaySpeed` (0 = as fast as the socket takes it), sending the
/// frames of the recorded instruments it subscribed to. When the recording ends the connection
/// stays open and quiet, as a venue would between updates.
extension SimulationEngine {
    /// Frames one connection may be sent per tick at speed 0, so one client cannot starve others.
    static let replayBurst = 4096

    /// Subscribes to recorded instruments; returns the topics the recording does not have.
    func subscribeReplay(_ connection: Connection, topics: [String]) -> [String] {
        guard let recording = recording?.sources[connection.source.index] else { return topics }
        var unknown: [String] = []
        for topic in topics {
            guard let track = recording.topics[topic] else {
                unknown.append(topic)
                continue
            }
            connection.replayTracks.insert(track)
        }
        if connection.replayStartNanos == nil, !connection.replayTracks.isEmpty {
            connection.replayStartNanos = MonotonicClock.now()
        }
        return unknown
    }

    func replayTick() {
        guard let recording else { return }
        let now = MonotonicClock.now()
        for connection in connections.values {
            guard let start = connection.replayStartNanos, !connection.replayFinished,
                let source = recording.sources[connection.source.index]
            else { continue }
            let reachedMillis = replaySpeed > 0 ? Int64(Double(now - start) / 1e6 * replaySpeed) : Int64.max
            var sent = 0
            while connection.replayCursor < source.frames.count, sent < Self.replayBurst {
                let frame = source.frames[connection.replayCursor]
                guard frame.offsetMillis <= reachedMillis else { break }
                connection.replayCursor += 1
                guard connection.replayTracks.contains(frame.track) else { continue }
                write(frame.bytes, to: connection)
                sent += 1
            }
            if sent > 0 { flush(connection) }
            if connection.replayCursor == source.frames.count {
                connection.replayFinished = true
                replaysFinished += 1
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of time in nanoseconds. Services take one as a value so tests can pass a fake.
public protocol NanosecondClock: Sendable {
    func nowNanos() -> Int64
}

/// `CLOCK_MONOTONIC` in nanoseconds: never jumps, and is the same clock in every process on one
/// host, so a receive time written by the gateway can be compared with the detector's `now`.
public struct MonotonicClock: NanosecondClock {
    public init() {}

    public func nowNanos() -> Int64 { MonotonicClock.now() }

    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

/// `CLOCK_REALTIME` in nanoseconds since the Unix epoch: for exchange timestamps and records.
public struct WallClock: NanosecondClock {
    public init() {}

    public func nowNanos() -> Int64 { WallClock.now() }

    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

extension WallClock {
    /// `YYYY-MM-DD` (UTC) of a wall time in ns since the epoch.
    public static func utcDate(_ nanos: Int64) -> String {
        utcParts(nanos).date
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of a wall time in ns since the epoch.
    public static func utcTimestamp(_ nanos: Int64) -> String {
        let parts = utcParts(nanos)
        return "\(parts.date)T\(parts.time)Z"
    }

    static func utcParts(_ nanos: Int64) -> (date: String, time: String) {
        var seconds = time_t(nanos / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return (
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))",
            "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        )
    }
}

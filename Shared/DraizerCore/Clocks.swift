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

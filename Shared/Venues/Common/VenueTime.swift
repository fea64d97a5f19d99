/// Times and intervals as venues send them (seconds, minutes, hours), in the milliseconds Draizer
/// keeps; nil when negative or beyond 64 bits — a field no venue sends sanely, which must not
/// trap the process that reads it.
public enum VenueTime {
    public static func millis(fromSeconds value: Int64) -> UInt64? { millis(value, per: 1_000) }
    public static func millis(fromSeconds value: UInt64) -> UInt64? { millis(value, per: 1_000) }
    public static func millis(fromMinutes value: Int64) -> UInt64? { millis(value, per: 60_000) }
    public static func millis(fromHours value: UInt64) -> UInt64? { millis(value, per: 3_600_000) }

    @inline(__always)
    private static func millis(_ value: Int64, per unit: UInt64) -> UInt64? {
        guard value >= 0 else { return nil }
        return millis(UInt64(value), per: unit)
    }

    @inline(__always)
    private static func millis(_ value: UInt64, per unit: UInt64) -> UInt64? {
        let (millis, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : millis
    }
}

/// CRC-32 (IEEE 802.3, the zlib polynomial), table-driven, fed byte by byte so a checksum over
/// formatted book levels needs no intermediate string.
public struct CRC32: Sendable {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        state = CRC32.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { update(byte) }
    }

    /// A fixed-point value in plain decimal notation without trailing zeros (`30244`, `0.18050747`).
    public mutating func update(fixedPoint mantissa: Int64, scale: Int) {
        var value = mantissa
        var decimals = scale
        if value < 0 {
            update(UInt8(ascii: "-"))
            value = -value
        }
        while decimals > 0 && value % 10 == 0 {
            value /= 10
            decimals -= 1
        }
        // Up to 19 digits plus a leading zero and a point; written right to left on the stack.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var index = 24
            var remaining = value
            var written = 0
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                written += 1
                if written == decimals {
                    index -= 1
                    buffer[index] = UInt8(ascii: ".")
                }
            } while remaining > 0 || written < decimals
            if buffer[index] == UInt8(ascii: ".") {
                index -= 1
                buffer[index] = UInt8(ascii: "0")
            }
            for position in index..<24 { update(buffer[position]) }
        }
    }

    public var value: UInt32 { state ^ 0xFFFF_FFFF }
}

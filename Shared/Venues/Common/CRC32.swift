import CDraizerShim

/// CRC-32 (IEEE 802.3, the zlib polynomial), fed piece by piece so a checksum over formatted
/// book levels needs no intermediate string. Long runs are folded 16 bytes at a time
/// (`drz_crc32`).
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ byte: UInt8) {
        withUnsafePointer(to: byte) { value = drz_crc32(value, $0, 1) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        value = drz_crc32(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// A fixed-point value in plain decimal notation without trailing zeros (`30244`, `0.18050747`).
    public mutating func update(fixedPoint mantissa: Int64, scale: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalText.room) { buffer in
            let length = drz_write_decimal(mantissa, Int32(clamping: scale), buffer.baseAddress!)
            update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<length]))
        }
    }
}

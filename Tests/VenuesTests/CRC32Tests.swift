import CDraizerShim
import Testing
import Venues

@Suite struct CRC32Tests {
    /// The standard check value, a long input (the folded path) against zlib's value, and a
    /// formatted level as OKX checksums it.
    @Test func checkValues() {
        var crc = CRC32()
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xCBF4_3926)
        var long = CRC32()
        long.update((0..<1024).map { UInt8($0 & 0xFF) })
        #expect(long.value == 0xB70B_4C26)  // zlib.crc32(bytes(range(256)) * 4)
        var levels = CRC32()
        levels.update(Array(String(repeating: "30244.1:0.18050747:30244.2:0.001:", count: 10).utf8))
        #expect(levels.value == 0x843F_CBFB)
        var level = CRC32()
        level.update(fixedPoint: 3_024_400_000_000, scale: 8)
        level.update(UInt8(ascii: ":"))
        level.update(fixedPoint: 18_050_747, scale: 8)
        var text = CRC32()
        text.update(Array("30244:0.18050747".utf8))
        #expect(level.value == text.value)
    }

    /// The folded path equals the byte-at-a-time table on every length and alignment, and a CRC
    /// continued over a second piece equals one over both.
    @Test func foldedEqualsBytewise() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<700).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBufferPointer { all in
            let base = all.baseAddress!
            for length in 0...600 {
                let offset = length % 17
                let folded = drz_crc32(0, base + offset, length)
                #expect(folded == drz_crc32_bytewise(0, base + offset, length), "length \(length)")
                let split = length / 3
                #expect(drz_crc32(drz_crc32(0, base + offset, split), base + offset + split, length - split) == folded, "length \(length)")
            }
        }
    }
}

/// `drz_write_decimal`: plain decimal text without trailing zeros, against a digit-by-digit
/// reference over random values and every scale, and the edges.
@Suite struct DecimalTextTests {
    static func reference(_ mantissa: Int64, _ scale: Int) -> String {
        let digits = String(mantissa.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        var integer = String(padded.dropLast(scale))
        var fraction = String(padded.suffix(scale))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if integer.isEmpty { integer = "0" }
        return (mantissa < 0 ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    static func written(_ mantissa: Int64, _ scale: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalText.room) { buffer in
            let length = drz_write_decimal(mantissa, Int32(scale), buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<length]), as: UTF8.self)
        }
    }

    @Test func edges() {
        #expect(Self.written(3_024_400_000_000, 8) == "30244")
        #expect(Self.written(18_050_747, 8) == "0.18050747")
        #expect(Self.written(0, 8) == "0")
        #expect(Self.written(0, 0) == "0")
        #expect(Self.written(-15, 1) == "-1.5")
        #expect(Self.written(1, 18) == "0.000000000000000001")
        #expect(Self.written(Int64.max, 0) == "9223372036854775807")
        #expect(Self.written(Int64.min, 2) == "-92233720368547758.08")
        #expect(Self.written(9_999_999_999_999_999, 15) == "9.999999999999999")
        #expect(Self.written(10_000_000_000_000_000, 16) == "1")
    }

    @Test func randomValuesAtEveryScale() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // Every digit count, not just the (mostly 19-digit) uniform draw.
            let digits = Int.random(in: 1...19, using: &generator)
            let magnitude = Int64.random(in: 0...Int64.max, using: &generator) % (digits == 19 ? Int64.max : Self.power(digits))
            let mantissa = Bool.random(using: &generator) ? magnitude : -magnitude
            let scale = Int.random(in: 0...18, using: &generator)
            #expect(Self.written(mantissa, scale) == Self.reference(mantissa, scale), "\(mantissa) at scale \(scale)")
        }
    }

    static func power(_ exponent: Int) -> Int64 { (0..<exponent).reduce(1) { value, _ in value * 10 } }
}

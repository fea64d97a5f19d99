import Testing
import Venues

@Suite struct CRC32Tests {
    /// The standard check value, and a formatted level as OKX checksums it.
    @Test func checkValues() {
        var crc = CRC32()
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xCBF4_3926)
        var level = CRC32()
        level.update(fixedPoint: 3_024_400_000_000, scale: 8)
        level.update(UInt8(ascii: ":"))
        level.update(fixedPoint: 18_050_747, scale: 8)
        var text = CRC32()
        text.update(Array("30244:0.18050747".utf8))
        #expect(level.value == text.value)
    }
}

import Testing

@testable import DraizerCore

/// `appendDigits` reads eight bytes at a time where it can: it must agree with a digit-by-digit
/// reading on every run length, on what ends the run, and on where 18 digits are passed.
@Suite struct DigitRunTests {
    /// The plain reading: one digit at a time, `tooManyDigits` (nil here) once the mantissa would
    /// reach 10^18.
    static func reference(_ bytes: [UInt8], from start: Int, mantissa: Int64) -> (digits: Int, mantissa: Int64)? {
        var mantissa = mantissa
        var index = start
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            guard mantissa < 100_000_000_000_000_000 else { return nil }
            mantissa = mantissa * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return (index - start, mantissa)
    }

    static func reading(_ bytes: [UInt8], from start: Int, mantissa: Int64) -> (digits: Int, mantissa: Int64)? {
        var mantissa = mantissa
        do {
            let digits = try bytes.withUnsafeBytes { try ExactDecimal.appendDigits($0, from: start, to: &mantissa) }
            return (digits, mantissa)
        } catch {
            #expect((error as? DecimalParseError) == .tooManyDigits)
            return nil
        }
    }

    @Test func agreesWithDigitByDigit() {
        // Bytes that end a run, including the neighbours of '0' and '9' and bytes with the top bit.
        let enders: [UInt8] = [0x2F, 0x3A, 0x2E, 0x22, 0x2C, 0x5D, 0x65, 0x00, 0x7F, 0x80, 0xB0, 0xFF, 0x20]
        var generator = SystemRandomNumberGenerator()
        var compared = 0
        var overflowed = 0
        for _ in 0..<20_000 {
            let prefix = Int.random(in: 0...3, using: &generator)
            let run = Int.random(in: 0...24, using: &generator)
            let leadingZeros = Int.random(in: 0...2, using: &generator) == 0 ? Int.random(in: 0...20, using: &generator) : 0
            var bytes: [UInt8] = (0..<prefix).map { _ in UInt8(ascii: "x") }
            bytes += Array(repeating: UInt8(ascii: "0"), count: min(leadingZeros, run))
            bytes += (0..<max(0, run - leadingZeros)).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator) }
            // Sometimes the buffer ends right after the run, sometimes a run ender and more bytes follow.
            if Bool.random(using: &generator) {
                bytes.append(enders.randomElement(using: &generator)!)
                bytes += (0..<Int.random(in: 0...9, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let start = Int64.random(in: 0...2, using: &generator) == 0 ? Int64.random(in: 0...999_999_999_999, using: &generator) : 0
            let expected = Self.reference(bytes, from: prefix, mantissa: start)
            let actual = Self.reading(bytes, from: prefix, mantissa: start)
            #expect(actual?.digits == expected?.digits && actual?.mantissa == expected?.mantissa, "\(bytes) from \(prefix), mantissa \(start)")
            compared += 1
            if expected == nil { overflowed += 1 }
        }
        #expect(compared == 20_000 && overflowed > 100, "\(overflowed) runs passed 18 digits")
    }

    @Test func eightDigitsAtOnce() {
        for text in ["00000000", "12345678", "99999999", "00000001", "10000000", "07060504"] {
            let values = Array(text.utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } ^ 0x3030_3030_3030_3030
            #expect(ExactDecimal.eightDigits(UInt64(littleEndian: values)) == UInt64(text)!)
        }
    }
}

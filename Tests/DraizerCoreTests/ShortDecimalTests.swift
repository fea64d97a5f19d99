import Testing

@testable import DraizerCore

/// `parsePrefix` reads the common shape with two loads (`shortPrefix`); on every input it must
/// give what the general reading gives: the same value and length, or the same error.
@Suite struct ShortDecimalTests {
    static func describe(_ read: () throws(DecimalParseError) -> (ExactDecimal, Int)) -> String {
        do {
            let (value, used) = try read()
            return "\(value.mantissa)e-\(value.scale) used \(used)"
        } catch {
            return "error \(error)"
        }
    }

    static func fast(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { buffer in describe { () throws(DecimalParseError) in try ExactDecimal.parsePrefix(buffer) } }
    }

    static func general(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { buffer in describe { () throws(DecimalParseError) in try ExactDecimal.generalPrefix(buffer) } }
    }

    @Test func agreesWithTheGeneralReading() {
        let alphabet = Array("0123456789".utf8) + Array("0123456789.".utf8) + Array(".eE-+\",]xN".utf8)
        var generator = SystemRandomNumberGenerator()
        var short = 0
        for _ in 0..<50_000 {
            var bytes: [UInt8] = []
            // Mostly number-like: digits, maybe a point and digits, then a terminator.
            if Int.random(in: 0...3, using: &generator) > 0 {
                bytes += (0..<Int.random(in: 0...9, using: &generator)).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator) }
                if Bool.random(using: &generator) {
                    bytes.append(UInt8(ascii: "."))
                    bytes += (0..<Int.random(in: 0...10, using: &generator)).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator) }
                }
            }
            bytes += (0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let fast = Self.fast(bytes)
            let general = Self.general(bytes)
            #expect(fast == general, "\(String(decoding: bytes, as: UTF8.self))")
            if bytes.withUnsafeBytes({ ExactDecimal.shortPrefix($0) }) != nil { short += 1 }
        }
        #expect(short > 5_000, "the short reading took \(short) inputs")
    }

    @Test func readsWhatExchangesSend() throws {
        for (text, mantissa, scale, used) in [
            (#"100.40","0"],["1","2"]]"#, Int64(10040), UInt8(2), 6), (#"0.35270000","1"],["2"]"#, 35_270_000, 8, 10), (#"7",1,2,3,4,5,6,7,8,9"#, 7, 0, 1),
            (#"1234567.12345678"]"#, 123_456_712_345_678, 8, 16),
        ] {
            let bytes = Array(text.utf8)
            #expect(bytes.count >= 18)
            let (value, length) = try #require(bytes.withUnsafeBytes { ExactDecimal.shortPrefix($0) }, "\(text)")
            #expect(value.mantissa == mantissa && value.scale == scale && length == used, "\(text)")
        }
        for text in [#"12345678.5","1","2","3"]"#, #"1.123456789","1","2"]"#, #"1e5","1","2","3","4"]"#, #"-1.5","1","2","3"]"#, #"1.","1","2","3","4"]"#] {
            #expect(Array(text.utf8).withUnsafeBytes { ExactDecimal.shortPrefix($0) } == nil, "\(text)")
        }
    }
}

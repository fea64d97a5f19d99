import DraizerCore
import Testing

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        "0.00000100", "922327.00000000", "65000.01000000", "0", "0.0", "42", "-0.00012500", "1.5",
        "999999999999999999", "0.000000000000000001", "123456789.123456789",
    ])
    func roundTripsExchangeStrings(text: String) throws {
        let value = try ExactDecimal(text)
        #expect(value.description == text)
    }

    @Test func keepsScaleAndMantissa() throws {
        let value = try ExactDecimal("0.00000100")
        #expect(value.mantissa == 100)
        #expect(value.scale == 8)
        let max = try ExactDecimal("922327.00000000")
        #expect(max.mantissa == 92_232_700_000_000)
        #expect(max.scale == 8)
    }

    @Test func exponentNotationIsConvertedExactly() throws {
        // Venues whose JSON encoders print numbers (not strings) can send exponents; they are
        // accepted and converted to the plain value, so "1e-8" equals "0.00000001" exactly.
        #expect(try ExactDecimal("1e-8") == ExactDecimal("0.00000001"))
        #expect(try ExactDecimal("1e-8").description == "0.00000001")
        #expect(try ExactDecimal("1.5E-5").description == "0.000015")
        #expect(try ExactDecimal("2.5e3").description == "2500")
        #expect(try ExactDecimal("-1.0E-4").description == "-0.00010")
    }

    @Test(arguments: [
        ("", DecimalParseError.empty),
        ("NaN", .notANumber),
        ("nan", .notANumber),
        ("Infinity", .notANumber),
        ("-Infinity", .notANumber),
        ("-", .missingDigits),
        ("1.", .missingDigits),
        (".5", .missingDigits),
        ("1e", .missingDigits),
        ("+1", .unexpectedByte(offset: 0)),
        ("1,5", .unexpectedByte(offset: 1)),
        ("1.5 ", .unexpectedByte(offset: 3)),
        ("0x10", .unexpectedByte(offset: 1)),
        ("1234567890123456789", .tooManyDigits),
        ("0.0000000000000000001", .tooManyDigits),
        ("1e19", .exponentOutOfRange),
        ("1e-30", .exponentOutOfRange),
        ("1e1000", .exponentOutOfRange),
    ])
    func rejectsMalformedInput(text: String, expected: DecimalParseError) {
        #expect(throws: expected) { try ExactDecimal(text) }
    }

    @Test func comparesNumericallyAcrossScales() throws {
        #expect(try ExactDecimal("0.10") == ExactDecimal("0.1"))
        #expect(try ExactDecimal("0.10").hashValue == ExactDecimal("0.1").hashValue)
        #expect(try ExactDecimal("65000.01") < ExactDecimal("65000.011"))
        #expect(try ExactDecimal("-1") < ExactDecimal("0.000001"))
        #expect(try ExactDecimal("999999999999999999") > ExactDecimal("0.999999999999999999"))
    }

    @Test func arithmeticIsExactOrThrows() throws {
        let price: ExactDecimal = "65000.01"
        let quantity: ExactDecimal = "0.00150"
        #expect(try price.multiplied(by: quantity).description == "97.5000150")
        #expect(try price.adding("0.009").description == "65000.019")
        #expect(try price.subtracting("65000.01").isZero)
        #expect(throws: DecimalArithmeticError.overflow) {
            try ExactDecimal("999999999999999999").adding("1")
        }
        #expect(throws: DecimalArithmeticError.precisionLoss) {
            try ExactDecimal("0.000000001").multiplied(by: "0.0000000001")
        }
    }

    @Test func roundsToSteps() throws {
        let size: ExactDecimal = "1.23456"
        #expect(try size.rounded(toMultipleOf: "0.001", rule: .down).description == "1.23400")
        #expect(try size.rounded(toMultipleOf: "0.001", rule: .up).description == "1.23500")
        #expect(try size.rounded(toMultipleOf: "0.001", rule: .toNearest).description == "1.23500")
        #expect(try ExactDecimal("-1.5").rounded(toMultipleOf: "1", rule: .down) == ExactDecimal("-2"))
        #expect(try size.isMultiple(of: "0.00001"))
        #expect(!size.isMultiple(of: "0.001"))
        #expect(throws: DecimalArithmeticError.invalidStep) { try size.rounded(toMultipleOf: "0", rule: .down) }
    }

    @Test func rescalesToInstrumentScale() throws {
        let binance: ExactDecimal = "65000.01000000"
        #expect(try binance.mantissa(atScale: 2) == 6_500_001)
        #expect(try binance.rescaled(to: 2).description == "65000.01")
        #expect(throws: DecimalArithmeticError.precisionLoss) { try ExactDecimal("65000.015").mantissa(atScale: 2) }
        #expect(try ExactDecimal("1.5").mantissa(atScale: 8) == 150_000_000)
    }

    @Test func parsesStraightFromBytes() throws {
        let frame = Array(#""b":"25.35190000""#.utf8)
        let value = try frame.withUnsafeBytes { raw in
            try ExactDecimal.parse(UnsafeRawBufferPointer(rebasing: raw[5..<16]))
        }
        #expect(value == "25.3519")
        #expect(value.scale == 8)
        #expect(value.doubleValue == 25.3519)
    }

    @Test func codableUsesStrings() throws {
        let price: Price = "0.00000100"
        #expect(price.description == "0.00000100")
        #expect(try Price("65000.5") > Price("65000.49"))
        let notional = try Price("2.5").notional(of: Quantity("4"))
        #expect(notional == "10")
    }
}

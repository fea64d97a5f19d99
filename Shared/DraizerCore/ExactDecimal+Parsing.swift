/// Why bytes are not an exact decimal. Cases carry offsets, never the bytes themselves, so an
/// error costs no allocation on the hot path and leaks no payload into logs.
public enum DecimalParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// `NaN`, `Infinity` and their spellings.
    case notANumber
    /// A byte that cannot appear at this position (offset into the input).
    case unexpectedByte(offset: Int)
    /// A sign, point or exponent marker with no digits after it (`-`, `1.`, `.5`, `1e`).
    case missingDigits
    /// More than 18 significant digits or more than 18 decimals.
    case tooManyDigits
    /// An exponent that moves the value out of the 18-digit range.
    case exponentOutOfRange

    public var description: String {
        switch self {
        case .empty: "expected a decimal number, was empty"
        case .notANumber: "expected a finite decimal number, was NaN or infinity"
        case .unexpectedByte(let offset): "expected a digit, '.', '-' or exponent, was another byte at offset \(offset)"
        case .missingDigits: "expected digits after the sign, point or exponent, was none"
        case .tooManyDigits: "expected at most 18 significant digits and 18 decimals, was more"
        case .exponentOutOfRange: "expected an exponent within the 18-digit range, was larger"
        }
    }
}

extension ExactDecimal {
    /// Parses a JSON-style decimal straight from bytes: `-?digits(.digits)?([eE][+-]?digits)?`.
    ///
    /// Exchanges send plain decimals (`"0.00000100"`); exponent notation (`1e-8`, `1.5E-5`) is
    /// accepted and converted exactly because JSON numbers from some venues' encoders use it.
    /// No allocation and no `String`: this is the hot-path entry point.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(DecimalParseError) -> ExactDecimal {
        let (value, consumed) = try parsePrefix(bytes)
        guard consumed == bytes.count else { throw .unexpectedByte(offset: consumed) }
        return value
    }

    /// Appends the run of ASCII digits at `start` to `mantissa` and returns how many there were.
    /// Eight bytes at a time while eight are readable (one load, the digit run found and converted
    /// with a few multiplications), then byte by byte. Throws `tooManyDigits` when the mantissa
    /// would reach 10^18 (leading zeros keep it at 0, so they are free).
    @inline(__always)
    static func appendDigits(_ bytes: UnsafeRawBufferPointer, from start: Int, to mantissa: inout Int64) throws(DecimalParseError) -> Int {
        let count = bytes.count
        var index = start
        if let base = bytes.baseAddress {
            while count - index >= 8 {
                let values = digitValues(base, at: index)
                let digits = leadingDigits(values)
                if digits == 0 { return index - start }
                guard mantissa < DecimalPowers.int64[18 - digits] else { throw .tooManyDigits }
                mantissa = mantissa &* DecimalPowers.int64[digits] &+ Int64(eightDigits(values << UInt64(64 - 8 * digits)))
                index += digits
                if digits < 8 { return index - start }
            }
        }
        let limit = ExactDecimal.mantissaLimit / 10
        while index < count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            guard mantissa < limit else { throw .tooManyDigits }
            mantissa = mantissa &* 10 &+ Int64(digit)
            index += 1
        }
        return index - start
    }

    /// Eight bytes from `offset`, byte k the k-th character, with ASCII digits turned into 0...9.
    @inline(__always)
    static func digitValues(_ base: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) ^ 0x3030_3030_3030_3030
    }

    /// How many of `digitValues`' bytes, from the first, are digits (0...8): the top bit of each
    /// byte that is not a digit is set, as a value of 10...127 reaches it when 0x76 is added (no
    /// carry out of a digit's byte) and a value of 128 or more has it already.
    @inline(__always)
    static func leadingDigits(_ values: UInt64) -> Int {
        (((values &+ 0x7676_7676_7676_7676) | values) & 0x8080_8080_8080_8080).trailingZeroBitCount >> 3
    }

    /// The number written by eight digit values, one a byte, the most significant in the lowest
    /// byte: pairs, then quadruples, then the whole, each step a multiply-add within lanes.
    @inline(__always)
    static func eightDigits(_ values: UInt64) -> UInt64 {
        let pairs = (values &* 10 &+ (values >> 8)) & 0x00FF_00FF_00FF_00FF
        let quads = (pairs &* 100 &+ (pairs >> 16)) & 0x0000_FFFF_0000_FFFF
        return (quads &* 10_000 &+ (quads >> 32)) & 0xFFFF_FFFF
    }

    /// Parses the decimal at the start of `bytes` and returns it with the number of bytes it
    /// used; stops at the first byte that cannot continue the number (a closing quote, a comma),
    /// so a JSON reader parses a field in one pass. An empty number is `.empty`.
    public static func parsePrefix(_ bytes: UnsafeRawBufferPointer) throws(DecimalParseError) -> (ExactDecimal, Int) {
        if let short = shortPrefix(bytes) { return short }
        return try generalPrefix(bytes)
    }

    /// The shape of most exchange decimals, read with two 8-byte loads: 1–7 integer digits, then
    /// optionally a point and 1–8 decimals; no sign, no exponent, and at least 18 bytes readable
    /// (inside a frame, the field's closing quote and more follow). Nil for anything else, which
    /// `generalPrefix` reads — with the same result, as a test checks.
    @inline(__always)
    static func shortPrefix(_ bytes: UnsafeRawBufferPointer) -> (ExactDecimal, Int)? {
        guard bytes.count >= 18, let base = bytes.baseAddress else { return nil }
        let head = digitValues(base, at: 0)
        let integerDigits = leadingDigits(head)
        guard integerDigits > 0, integerDigits < 8 else { return nil }
        var mantissa = Int64(eightDigits(head << UInt64(64 - 8 * integerDigits)))
        let next = bytes[integerDigits]
        guard next == UInt8(ascii: ".") else {
            guard next != UInt8(ascii: "e"), next != UInt8(ascii: "E") else { return nil }
            return (ExactDecimal(uncheckedMantissa: mantissa, scale: 0), integerDigits)
        }
        let start = integerDigits + 1
        let tail = digitValues(base, at: start)
        let fractionDigits = leadingDigits(tail)
        let end = start + fractionDigits
        let after = bytes[end]
        // No decimals (an error the general path reports), a ninth one, or an exponent.
        guard fractionDigits > 0, after &- UInt8(ascii: "0") >= 10, after != UInt8(ascii: "e"), after != UInt8(ascii: "E") else {
            return nil
        }
        mantissa = mantissa &* DecimalPowers.int64[fractionDigits] &+ Int64(eightDigits(tail << UInt64(64 - 8 * fractionDigits)))
        return (ExactDecimal(uncheckedMantissa: mantissa, scale: UInt8(fractionDigits)), end)
    }

    /// Any decimal `parsePrefix` accepts, byte by byte where it must.
    static func generalPrefix(_ bytes: UnsafeRawBufferPointer) throws(DecimalParseError) -> (ExactDecimal, Int) {
        let count = bytes.count
        guard count > 0 else { throw .empty }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var mantissa: Int64 = 0
        let integerDigits = try appendDigits(bytes, from: index, to: &mantissa)
        index += integerDigits
        if integerDigits == 0 {
            if index < count, bytes[index] == UInt8(ascii: "N") || bytes[index] == UInt8(ascii: "I")
                || bytes[index] == UInt8(ascii: "n") || bytes[index] == UInt8(ascii: "i")
            {
                throw .notANumber
            }
            if index == count || bytes[index] == UInt8(ascii: ".") { throw .missingDigits }
            throw .unexpectedByte(offset: index)
        }
        var fractionDigits = 0
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = try appendDigits(bytes, from: index, to: &mantissa)
            index += fractionDigits
            guard fractionDigits > 0 else { throw .missingDigits }
        }
        var scale = fractionDigits
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            var exponentDigits = 0
            while index < count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                exponent = exponent &* 10 &+ Int(digit)
                exponentDigits += 1
                guard exponentDigits <= 3 else { throw .exponentOutOfRange }
                index += 1
            }
            guard exponentDigits > 0 else { throw .missingDigits }
            scale += exponentNegative ? exponent : -exponent
        }
        if scale < 0 {
            guard -scale <= 18 else { throw .exponentOutOfRange }
            let (product, overflow) = mantissa.multipliedReportingOverflow(
                by: DecimalPowers.int64[-scale])
            guard !overflow, product < ExactDecimal.mantissaLimit else { throw .exponentOutOfRange }
            mantissa = product
            scale = 0
        }
        while scale > ExactDecimal.maxScale, mantissa % 10 == 0 {
            mantissa /= 10
            scale -= 1
        }
        guard scale <= ExactDecimal.maxScale else {
            throw fractionDigits > ExactDecimal.maxScale ? .tooManyDigits : .exponentOutOfRange
        }
        return (ExactDecimal(uncheckedMantissa: negative ? -mantissa : mantissa, scale: UInt8(scale)), index)
    }

    /// Parses a decimal string (slow path: configuration, REST bodies, tests).
    public init(_ text: some StringProtocol) throws(DecimalParseError) {
        var utf8 = String(text)
        let result: Result<ExactDecimal, DecimalParseError> = utf8.withUTF8 { buffer in
            do throws(DecimalParseError) {
                return .success(try ExactDecimal.parse(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }
}

extension ExactDecimal: CustomStringConvertible, ExpressibleByStringLiteral {
    /// Plain decimal notation with exactly `scale` decimals (`"0.00000100"`, `"-1.5"`, `"42"`).
    public var description: String {
        let digits = String(mantissa.magnitude)
        let decimals = Int(scale)
        var text = negativeSign
        if decimals == 0 {
            text += digits
        } else if digits.count > decimals {
            let split = digits.index(digits.endIndex, offsetBy: -decimals)
            text += digits[..<split] + "." + digits[split...]
        } else {
            text += "0." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    private var negativeSign: String { mantissa < 0 ? "-" : "" }

    /// For literals in code and tests only; an invalid literal is a programming error.
    public init(stringLiteral value: String) {
        do {
            self = try ExactDecimal(value[...])
        } catch {
            preconditionFailure("invalid decimal literal \"\(value)\": \(error)")
        }
    }
}

extension ExactDecimal: Codable {
    /// Decimals travel as JSON strings so no binary floating point ever touches them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try ExactDecimal(text[...])
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(error.description), was \"\(text)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

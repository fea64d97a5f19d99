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

    /// Parses the decimal at the start of `bytes` and returns it with the number of bytes it
    /// used; stops at the first byte that cannot continue the number (a closing quote, a comma),
    /// so a JSON reader parses a field in one pass. An empty number is `.empty`.
    public static func parsePrefix(_ bytes: UnsafeRawBufferPointer) throws(DecimalParseError) -> (ExactDecimal, Int) {
        let count = bytes.count
        guard count > 0 else { throw .empty }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var mantissa: Int64 = 0
        var integerDigits = 0
        // One compare per digit: a mantissa already ≥ 10^17 cannot take another digit within
        // 18 significant digits (leading zeros keep it at 0, so they are free).
        let limit = ExactDecimal.mantissaLimit / 10
        while index < count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            guard mantissa < limit else { throw .tooManyDigits }
            mantissa = mantissa &* 10 &+ Int64(digit)
            integerDigits += 1
            index += 1
        }
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
            while index < count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                guard mantissa < limit else { throw .tooManyDigits }
                mantissa = mantissa &* 10 &+ Int64(digit)
                fractionDigits += 1
                index += 1
            }
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

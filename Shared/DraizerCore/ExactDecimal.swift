/// An exact decimal number: `mantissa × 10^-scale`.
///
/// This is Draizer's one representation of prices, quantities, fees and notionals. It keeps the
/// number of decimals it was written with, so the exchanges' strings round-trip exactly
/// (`"0.00000100"` prints as `"0.00000100"`), while `==`, `<` and hashing compare numeric values
/// (`0.10 == 0.1`). The mantissa has at most 18 significant digits and the scale is 0...18, which
/// covers every price and size the supported exchanges send (Binance pads to 8 decimals; the
/// largest documented sizes such as `"922327.00000000"` need 14 digits).
///
/// Arithmetic is exact or throws: nothing is silently rounded. Rounding to a tick or step size is
/// an explicit call with an explicit rule.
public struct ExactDecimal: Sendable {
    /// The digits of the number, with its sign.
    public let mantissa: Int64
    /// How many of the mantissa's digits are decimals.
    public let scale: UInt8

    /// Largest supported scale (decimals).
    public static let maxScale = 18
    /// Mantissas are bounded by 10^18 in magnitude (18 significant digits).
    public static let mantissaLimit: Int64 = 1_000_000_000_000_000_000

    public static let zero = ExactDecimal(uncheckedMantissa: 0, scale: 0)

    init(uncheckedMantissa: Int64, scale: UInt8) {
        self.mantissa = uncheckedMantissa
        self.scale = scale
    }

    /// Builds `mantissa × 10^-scale`; throws when the mantissa has more than 18 digits or the scale
    /// is outside 0...18.
    public init(mantissa: Int64, scale: Int) throws(DecimalArithmeticError) {
        guard (0...ExactDecimal.maxScale).contains(scale) else { throw .precisionLoss }
        guard mantissa > -ExactDecimal.mantissaLimit, mantissa < ExactDecimal.mantissaLimit else {
            throw .overflow
        }
        self.init(uncheckedMantissa: mantissa, scale: UInt8(scale))
    }

    public init(_ integer: Int) {
        precondition(
            integer > -Int(ExactDecimal.mantissaLimit) && integer < Int(ExactDecimal.mantissaLimit),
            "integer out of the 18-digit range")
        self.init(uncheckedMantissa: Int64(integer), scale: 0)
    }

    public var isZero: Bool { mantissa == 0 }
    public var isNegative: Bool { mantissa < 0 }
    public var isPositive: Bool { mantissa > 0 }

    /// Nearest `Double`. Correctly rounded while the mantissa is below 2^53, which holds for every
    /// exchange price; use it for ratios (basis points), never for amounts that are sent anywhere.
    public var doubleValue: Double {
        Double(mantissa) / DecimalPowers.double[Int(scale)]
    }

    /// The mantissa this value has when written with exactly `scale` decimals.
    /// Throws `precisionLoss` when that would drop a non-zero digit, `overflow` past 18 digits.
    public func mantissa(atScale target: Int) throws(DecimalArithmeticError) -> Int64 {
        let current = Int(scale)
        if target == current { return mantissa }
        guard (0...ExactDecimal.maxScale).contains(target) else { throw .precisionLoss }
        if target > current {
            let (product, overflow) = mantissa.multipliedReportingOverflow(
                by: DecimalPowers.int64[target - current])
            guard !overflow, product > -ExactDecimal.mantissaLimit,
                product < ExactDecimal.mantissaLimit
            else { throw .overflow }
            return product
        }
        let divisor = DecimalPowers.int64[current - target]
        let (quotient, remainder) = mantissa.quotientAndRemainder(dividingBy: divisor)
        guard remainder == 0 else { throw .precisionLoss }
        return quotient
    }

    /// The same value written with `scale` decimals (exact, or throws).
    public func rescaled(to target: Int) throws(DecimalArithmeticError) -> ExactDecimal {
        ExactDecimal(uncheckedMantissa: try mantissa(atScale: target), scale: UInt8(target))
    }

    /// The same value with trailing zero decimals removed (`1.500` → `1.5`).
    public var normalized: ExactDecimal {
        var m = mantissa
        var s = scale
        while s > 0, m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return ExactDecimal(uncheckedMantissa: m, scale: s)
    }
}

/// Why an arithmetic result cannot be represented exactly.
public enum DecimalArithmeticError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The result needs more than 18 significant digits.
    case overflow
    /// The result needs more than 18 decimals, or a rescale would drop non-zero digits.
    case precisionLoss
    /// Rounding to a multiple of zero or of a negative step.
    case invalidStep

    public var description: String {
        switch self {
        case .overflow: "decimal overflow: expected at most 18 significant digits"
        case .precisionLoss: "decimal precision loss: expected an exact result with at most 18 decimals"
        case .invalidStep: "expected a positive step size"
        }
    }
}

/// Powers of ten used by decimal conversions (tables, so conversions do no repeated multiplication).

enum DecimalPowers {
    // Written out: a literal table is laid down at compile time, so reading it costs no lazy
    // initialisation check (a computed one costs a `swift_once` call on every access).
    static let int64: [Int64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
        1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000,
        100_000_000_000_000_000, 1_000_000_000_000_000_000,
    ]
    static let int128: [Int128] = (0...37).map { exponent in
        (0..<exponent).reduce(Int128(1)) { acc, _ in acc * 10 }
    }
    /// 1e0...1e22 are exact doubles.
    static let double: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}

extension ExactDecimal: Comparable, Hashable {
    /// The mantissa written at a larger scale, widened so no comparison can overflow.
    func wideMantissa(atScale target: UInt8) -> Int128 {
        Int128(mantissa) * DecimalPowers.int128[Int(target &- scale)]
    }

    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa == rhs.mantissa }
        let target = max(lhs.scale, rhs.scale)
        return lhs.wideMantissa(atScale: target) == rhs.wideMantissa(atScale: target)
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa < rhs.mantissa }
        let target = max(lhs.scale, rhs.scale)
        return lhs.wideMantissa(atScale: target) < rhs.wideMantissa(atScale: target)
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }
}

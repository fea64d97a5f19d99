/// How to round a value that falls between two multiples of a step.
public enum RoundingRule: Sendable {
    /// Toward negative infinity (sizes: never exceed what is available).
    case down
    /// Toward positive infinity.
    case up
    /// To the nearest multiple; halves go away from zero.
    case toNearest
}

extension ExactDecimal {
    /// Builds a decimal from a wide mantissa, shedding trailing zeros when the scale is too large.
    static func fromWide(_ wide: Int128, scale: Int) throws(DecimalArithmeticError) -> ExactDecimal {
        var m = wide
        var s = scale
        while s > ExactDecimal.maxScale {
            guard m % 10 == 0 else { throw .precisionLoss }
            m /= 10
            s -= 1
        }
        let limit = Int128(ExactDecimal.mantissaLimit)
        guard m > -limit, m < limit else { throw .overflow }
        return ExactDecimal(uncheckedMantissa: Int64(m), scale: UInt8(s))
    }

    public func adding(_ other: ExactDecimal) throws(DecimalArithmeticError) -> ExactDecimal {
        let target = max(scale, other.scale)
        return try .fromWide(
            wideMantissa(atScale: target) + other.wideMantissa(atScale: target), scale: Int(target))
    }

    public func subtracting(_ other: ExactDecimal) throws(DecimalArithmeticError) -> ExactDecimal {
        let target = max(scale, other.scale)
        return try .fromWide(
            wideMantissa(atScale: target) - other.wideMantissa(atScale: target), scale: Int(target))
    }

    public func multiplied(by other: ExactDecimal) throws(DecimalArithmeticError) -> ExactDecimal {
        try .fromWide(
            Int128(mantissa) * Int128(other.mantissa), scale: Int(scale) + Int(other.scale))
    }

    public var negated: ExactDecimal { ExactDecimal(uncheckedMantissa: -mantissa, scale: scale) }

    /// True when the value is a whole multiple of `step` (a price on the tick, a size on the step).
    public func isMultiple(of step: ExactDecimal) -> Bool {
        guard step.isPositive else { return false }
        let target = max(scale, step.scale)
        return wideMantissa(atScale: target) % step.wideMantissa(atScale: target) == 0
    }

    /// The multiple of `step` nearest to this value under `rule`, written with the larger of the
    /// two scales.
    public func rounded(toMultipleOf step: ExactDecimal, rule: RoundingRule)
        throws(DecimalArithmeticError) -> ExactDecimal
    {
        guard step.isPositive else { throw .invalidStep }
        let target = max(scale, step.scale)
        let value = wideMantissa(atScale: target)
        let unit = step.wideMantissa(atScale: target)
        var (quotient, remainder) = value.quotientAndRemainder(dividingBy: unit)
        if remainder != 0 {
            switch rule {
            case .down:
                if value < 0 { quotient -= 1 }
            case .up:
                if value > 0 { quotient += 1 }
            case .toNearest:
                let twice = remainder.magnitude * 2
                if twice >= unit.magnitude { quotient += value < 0 ? -1 : 1 }
            }
        }
        return try .fromWide(quotient * unit, scale: Int(target))
    }
}

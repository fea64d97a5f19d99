/// A value type wrapping an `ExactDecimal` with a meaning (price, quantity), so a quantity cannot
/// be passed where a price is expected. Both share this one implementation.
public protocol ExactDecimalValue: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    var decimal: ExactDecimal { get }
    init(_ decimal: ExactDecimal)
}

extension ExactDecimalValue {
    public init(_ text: some StringProtocol) throws(DecimalParseError) {
        self.init(try ExactDecimal(text))
    }

    public init(stringLiteral value: String) {
        self.init(ExactDecimal(stringLiteral: value))
    }

    public var description: String { decimal.description }
    public var doubleValue: Double { decimal.doubleValue }
    public var isPositive: Bool { decimal.isPositive }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.decimal < rhs.decimal }

    public init(from decoder: any Decoder) throws {
        self.init(try ExactDecimal(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try decimal.encode(to: encoder)
    }
}

/// A price in the quote currency.
public struct Price: ExactDecimalValue {
    public var decimal: ExactDecimal
    public init(_ decimal: ExactDecimal) { self.decimal = decimal }
}

/// An amount of the base asset (or of contracts, for a perpetual instrument).
public struct Quantity: ExactDecimalValue {
    public var decimal: ExactDecimal
    public init(_ decimal: ExactDecimal) { self.decimal = decimal }
}

extension Price {
    /// price × quantity, exact (throws only past 18 digits or 18 decimals).
    public func notional(of quantity: Quantity) throws(DecimalArithmeticError) -> ExactDecimal {
        try decimal.multiplied(by: quantity.decimal)
    }
}

/// One price level: price and quantity as fixed-point mantissas at the instrument's scales
/// (the decimals of its tick and step), as kept by order books and the shared price store.
public struct BookLevel: Sendable, Equatable, BitwiseCopyable {
    public var price: Int64
    public var quantity: Int64

    public init(price: Int64, quantity: Int64) {
        self.price = price
        self.quantity = quantity
    }

    public static let empty = BookLevel(price: 0, quantity: 0)
}

extension ExactDecimal {
    /// A fixed-point mantissa at a known scale, as books and shared memory hold them. Values those
    /// produce are always in range; anything else becomes zero instead of trapping in a reader.
    public init(fixedPoint mantissa: Int64, scale: Int) {
        if let value = try? ExactDecimal(mantissa: mantissa, scale: scale) {
            self = value
        } else {
            self = .zero
        }
    }
}

import DraizerCore

/// Why a frame was rejected. No case holds payload bytes or a `String` built per frame: field
/// names are static, positions are offsets. Gateways count each kind and publish nothing.
public enum VenueParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame ended inside a value.
    case truncated
    /// A byte that cannot appear here (offset into the frame).
    case unexpectedByte(offset: Int)
    /// A required field is absent.
    case missingField(StaticString)
    /// A field had the wrong JSON type (e.g. a number where a string was expected).
    case wrongType(StaticString)
    /// A decimal field that is not an exact decimal (NaN, exponent out of range, too many digits).
    case invalidDecimal(StaticString, DecimalParseError)
    /// A price at or below zero, or a negative size.
    case nonPositive(StaticString)
    /// A number too large for what it stands for (a time in seconds past the 64-bit milliseconds).
    case outOfRange(StaticString)
    /// A top-of-book quote with bid above ask.
    case crossedQuote
    /// A well-formed message this parser does not handle (other channel, event or ack).
    case unsupportedMessage
    /// A symbol longer than the symbol table supports.
    case symbolTooLong

    public var description: String {
        switch self {
        case .truncated: "expected a complete JSON frame, was truncated"
        case .unexpectedByte(let offset): "expected JSON syntax, was an unexpected byte at offset \(offset)"
        case .missingField(let name): "expected field \(name), was missing"
        case .wrongType(let name): "expected field \(name) of another JSON type, was a different one"
        case .invalidDecimal(let name, let error): "field \(name): \(error)"
        case .nonPositive(let name): "expected field \(name) positive, was zero or negative"
        case .outOfRange(let name): "expected field \(name) within range, was too large"
        case .crossedQuote: "expected bid ≤ ask, was bid > ask"
        case .unsupportedMessage: "expected a supported message, was another kind"
        case .symbolTooLong: "expected a symbol of at most 32 bytes, was longer"
        }
    }

    public static func == (lhs: VenueParseError, rhs: VenueParseError) -> Bool {
        switch (lhs, rhs) {
        case (.truncated, .truncated), (.crossedQuote, .crossedQuote), (.unsupportedMessage, .unsupportedMessage),
            (.symbolTooLong, .symbolTooLong):
            true
        case (.unexpectedByte(let a), .unexpectedByte(let b)): a == b
        case (.missingField(let a), .missingField(let b)), (.wrongType(let a), .wrongType(let b)),
            (.nonPositive(let a), .nonPositive(let b)), (.outOfRange(let a), .outOfRange(let b)):
            a.description == b.description
        case (.invalidDecimal(let a, let x), .invalidDecimal(let b, let y)): a.description == b.description && x == y
        default: false
        }
    }
}

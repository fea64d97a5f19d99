import DraizerCore

/// A Swift value that can be sent as a query parameter (PostgreSQL text format).
public protocol PostgresBindable: Sendable {
    var postgresText: String { get }
}

/// A Swift value a column can be read as (from PostgreSQL text format).
public protocol PostgresDecodable {
    static var postgresTypeName: String { get }
    init?(postgresText: String)
}

extension String: PostgresBindable, PostgresDecodable {
    public var postgresText: String { self }
    public static var postgresTypeName: String { "text" }
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresBindable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public static var postgresTypeName: String { "integer" }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresBindable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public static var postgresTypeName: String { "bigint" }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresBindable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public static var postgresTypeName: String { "integer" }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresBindable, PostgresDecodable {
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
    public static var postgresTypeName: String { "double precision" }
    public init?(postgresText: String) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(postgresText)
        }
    }
}

extension Bool: PostgresBindable, PostgresDecodable {
    public var postgresText: String { self ? "true" : "false" }
    public static var postgresTypeName: String { "boolean" }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

/// `NUMERIC` columns read and write exactly.
extension ExactDecimal: PostgresBindable, PostgresDecodable {
    public var postgresText: String { description }
    public static var postgresTypeName: String { "numeric (at most 18 digits)" }
    public init?(postgresText: String) {
        guard let value = try? ExactDecimal(postgresText) else { return nil }
        self = value
    }
}

extension Price: PostgresBindable {
    public var postgresText: String { description }
}

extension Quantity: PostgresBindable {
    public var postgresText: String { description }
}

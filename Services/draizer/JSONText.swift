import DraizerCore

/// Minimal JSON text building for the CLI's one-line outputs (stable key order, exact strings).
enum JSONText {
    static func quote(_ text: String) -> String { text.jsonQuoted }

    /// `{"a": 1, "b": "x"}` from already-encoded values, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
}

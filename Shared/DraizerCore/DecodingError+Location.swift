/// A `DecodingError` as our other errors read: where in the document (`$.symbols[0].price`) and
/// what was wrong there.
extension DecodingError {
    /// The JSON path of the value at fault (`$` for the top level; for a missing key, the object
    /// that lacks it).
    public var jsonPath: String {
        let keys: [any CodingKey]
        switch self {
        case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            keys = context.codingPath
        @unknown default:
            keys = []
        }
        return keys.reduce("$") { path, key in key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)" }
    }

    /// What was wrong at `jsonPath`.
    public var problem: String {
        switch self {
        case .keyNotFound(let key, _): "expected key \"\(key.stringValue)\", was missing"
        case .typeMismatch(let type, _): "expected \(type), was another type"
        case .valueNotFound(let type, _): "expected \(type), was null"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "\(self)"
        }
    }
}

/// Why a universe is rejected. Every case names where (a JSON path such as
/// `instruments[3].tickSize`) and reads "expected X, was Y".
public enum UniverseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not JSON of the expected shape (missing key, wrong type).
    case malformed(path: String, detail: String)
    /// The file could not be read or written.
    case io(path: String, detail: String)
    /// A value breaks a rule.
    case invalid(path: String, expected: String, was: String)
    /// One of the above found in a file: names the file too.
    indirect case inFile(file: String, UniverseError)

    public var description: String {
        switch self {
        case .malformed(let path, let detail): "universe \(path): malformed: \(detail)"
        case .io(let path, let detail): "universe file \(path): \(detail)"
        case .invalid(let path, let expected, let was): "universe \(path): expected \(expected), was \(was)"
        case .inFile(let file, let error): "universe file \(file): \(error.description.dropFirst("universe ".count))"
        }
    }
}

import Foundation

/// Reads `../shared/fixtures` (override with DRAIZER_FIXTURES): real recorded exchange messages.
public enum Fixtures {
    public static var root: URL {
        if let path = ProcessInfo.processInfo.environment["DRAIZER_FIXTURES"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }

    public static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }

    /// One element per line (a WebSocket frame), empty lines skipped.
    public static func lines(_ path: String) throws -> [[UInt8]] {
        try bytes(path).split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
    }

    public static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes(path))) as! [String: Any]
    }

    public static func files(_ directory: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
            .filter { $0.hasSuffix(suffix) }.sorted().map { "\(directory)/\($0)" }
    }
}

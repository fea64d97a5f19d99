import DraizerCore
import Foundation

/// The spread tracker's append-only daily JSONL files (`tracks-YYYY-MM-DD.jsonl`, UTC): every
/// open, point and close, flushed line by line so a killed detector loses nothing written.
final class TrackJournal {
    let directory: String
    private var handle: FileHandle?
    private var day = ""

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static func day(wallMillis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(wallMillis) / 1000))
    }

    func path(day: String) -> String { "\(directory)/tracks-\(day).jsonl" }

    func append(_ lines: [String], wallMillis: Int64) throws {
        guard !lines.isEmpty else { return }
        let today = Self.day(wallMillis: wallMillis)
        if today != day || handle == nil {
            try handle?.close()
            let file = path(day: today)
            if !FileManager.default.fileExists(atPath: file) { FileManager.default.createFile(atPath: file, contents: nil) }
            let opened = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try opened.seekToEnd()
            handle = opened
            day = today
        }
        try handle?.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Yesterday's and today's lines, oldest first (a track lives at most a few hours).
    func recentLines(wallMillis: Int64) -> [String] {
        let days = [Self.day(wallMillis: wallMillis - 86_400_000), Self.day(wallMillis: wallMillis)]
        return days.flatMap { day -> [String] in
            guard let text = try? String(contentsOfFile: path(day: day), encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map(String.init)
        }
    }
}

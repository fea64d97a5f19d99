import DraizerCore
import Foundation

/// The spread tracker's append-only daily JSONL files (`tracks-YYYY-MM-DD.jsonl`, UTC): every
/// open, point and close, flushed line by line so a killed detector loses nothing written.
final class TrackJournal {
    let directory: String
    private var handle: FileHandle?
    /// The UTC day of the open file, as [start, end) wall ms: the name is recomputed only past it.
    private var dayRange: Range<Int64> = 0..<0

    init(directory: String) throws(TrackJournalError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError) ?? (error as NSError)
            throw TrackJournalError(directory: directory, reason: underlying.localizedDescription)
        }
        guard access(directory, W_OK) == 0 else {
            throw TrackJournalError(directory: directory, reason: String(cString: strerror(errno)))
        }
    }

    /// `YYYY-MM-DD` (UTC) of a wall time.
    static func day(wallMillis: Int64) -> String {
        WallClock.utcDate(wallMillis * 1_000_000)
    }

    func path(day: String) -> String { "\(directory)/tracks-\(day).jsonl" }

    func append(_ lines: [String], wallMillis: Int64) throws {
        guard !lines.isEmpty else { return }
        if handle == nil || !dayRange.contains(wallMillis) { try open(wallMillis: wallMillis) }
        do {
            try handle?.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            // Part of the lines may be written (a full disk): the next append opens the file again,
            // which closes the cut line first.
            try? handle?.close()
            handle = nil
            throw error
        }
    }

    /// Opens the file of `wallMillis`'s day for appending. On failure no file is open and the next
    /// append tries again (never a handle closed at a day change, or the old day's file).
    private func open(wallMillis: Int64) throws {
        try? handle?.close()
        handle = nil
        let file = path(day: Self.day(wallMillis: wallMillis))
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        let opened = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        do {
            let size = try opened.seekToEnd()
            if size > 0 {
                try opened.seek(toOffset: size - 1)
                if try opened.read(upToCount: 1) != Data("\n".utf8) {
                    // A line cut short (a full disk, a crash mid-write) ends here: close it, so the
                    // next line is read on its own instead of glued to it.
                    try opened.write(contentsOf: Data("\n".utf8))
                }
            }
        } catch {
            try? opened.close()
            throw error
        }
        handle = opened
        let start = wallMillis - wallMillis % 86_400_000
        dayRange = start..<(start + 86_400_000)
    }

    /// Yesterday's and today's lines, oldest first (a track lives at most a few hours).
    func recentLines(wallMillis: Int64) -> [String] {
        let days = [Self.day(wallMillis: wallMillis - 86_400_000), Self.day(wallMillis: wallMillis)]
        return days.flatMap { day -> [String] in
            // Bytes, not text: a damaged line must not hide the day's other lines.
            guard let data = FileManager.default.contents(atPath: path(day: day)) else { return [] }
            return data.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}

struct TrackJournalError: Error, CustomStringConvertible {
    let directory: String
    let reason: String
    var description: String { "--tracks-dir \(directory): expected a folder the detector can create and write, was not: \(reason)" }
}

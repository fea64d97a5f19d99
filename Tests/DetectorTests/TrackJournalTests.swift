import Foundation
import Testing

@testable import opportunity_detector

/// The daily track files when a day's file cannot be opened: the append fails and is counted by
/// the caller, nothing goes to another day's file, and the next append after the cause is gone
/// writes where it should.
@Suite struct TrackJournalTests {
    static let dayMillis: Int64 = 86_400_000
    /// 2026-11-20 12:00 UTC and the next day at 00:00:01.
    static let first: Int64 = 1_795_176_000_000
    static let second: Int64 = 1_795_219_201_000

    func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tj-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aDayWhoseFileCannotBeOpenedIsRetriedNotMisfiled() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try TrackJournal(directory: directory)
        let firstFile = journal.path(day: TrackJournal.day(wallMillis: Self.first))
        let secondFile = journal.path(day: TrackJournal.day(wallMillis: Self.second))
        #expect(firstFile.hasSuffix("tracks-2026-11-20.jsonl") && secondFile.hasSuffix("tracks-2026-11-21.jsonl"))

        try journal.append(["a"], wallMillis: Self.first)
        // The next day's name is taken by a folder: the day change fails, twice, and the old day's
        // file (whose handle the failed change had closed) gets nothing.
        try FileManager.default.createDirectory(atPath: secondFile, withIntermediateDirectories: false)
        #expect(throws: (any Error).self) { try journal.append(["b"], wallMillis: Self.second) }
        #expect(throws: (any Error).self) { try journal.append(["c"], wallMillis: Self.second + 1) }
        #expect(text(firstFile) == "a\n")

        try FileManager.default.removeItem(atPath: secondFile)
        try journal.append(["d"], wallMillis: Self.second + 2)
        #expect(text(secondFile) == "d\n")
        #expect(text(firstFile) == "a\n")
    }

    @Test func aCutLastLineIsClosedBeforeTheNextAppend() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = "\(directory)/tracks-2026-11-20.jsonl"
        try Data("whole\ncut sho".utf8).write(to: URL(fileURLWithPath: file))
        let journal = try TrackJournal(directory: directory)
        try journal.append(["next", "after"], wallMillis: Self.first)
        #expect(text(file) == "whole\ncut sho\nnext\nafter\n")
        #expect(journal.recentLines(wallMillis: Self.first + Self.dayMillis) == ["whole", "cut sho", "next", "after"])
    }
}

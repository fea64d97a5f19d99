import DraizerCore
import Foundation
import Testing

@Suite struct AtomicFileTests {
    @Test func writesThenReadsBackWhole() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drz-atomic-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = Array((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        try AtomicFile.write(bytes, to: path)
        #expect(try AtomicFile.read(path: path) == bytes)
        #expect(!FileManager.default.fileExists(atPath: "\(path).tmp.\(getpid())"), "no temporary file left")
    }

    /// A device named by mistake ends in an error at the limit (1 GiB unless told), not in memory
    /// exhaustion.
    @Test func anEndlessFileIsRefused() {
        #expect(AtomicFile.maxReadBytes == 1 << 30)
        do {
            _ = try AtomicFile.read(path: "/dev/zero", maxBytes: 1 << 20)
            Issue.record("read /dev/zero to its end")
        } catch {
            #expect(error.errno == EFBIG && error.description.contains("at most 1048576 bytes"), "\(error)")
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: AtomicFile.IOError.self) { try AtomicFile.read(path: "/nonexistent/drz.json") }
    }
}

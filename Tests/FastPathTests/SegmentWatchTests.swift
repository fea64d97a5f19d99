import Foundation
import Testing

@testable import FastPath

@Suite struct SegmentWatchTests {
    /// A mapping knows whether its name still leads to it: not once the name is removed, nor when
    /// a new segment took the name.
    @Test func aSegmentKnowsWhetherItsNameStillLeadsToIt() throws {
        let name = "/drz-named-\(getpid())"
        defer { try? SharedMemorySegment.unlink(name: name) }
        let first = try SharedMemorySegment.create(name: name, size: 4096)
        let attached = try SharedMemorySegment.open(name: name)
        #expect(first.isStillNamed() && attached.isStillNamed())
        try SharedMemorySegment.unlink(name: name)
        #expect(!first.isStillNamed() && !attached.isStillNamed(), "removed")
        let second = try SharedMemorySegment.create(name: name, size: 4096)
        #expect(!first.isStillNamed(), "replaced")
        #expect(second.isStillNamed())
    }

    /// The watch raises its flag within its interval of a removal, naming the segment, and not before.
    @Test(.timeLimit(.minutes(1))) func theWatchNamesTheSegmentThatWentAway() throws {
        let kept = "/drz-watch-kept-\(getpid())"
        let removed = "/drz-watch-gone-\(getpid())"
        defer { [kept, removed].forEach { try? SharedMemorySegment.unlink(name: $0) } }
        let watch = SegmentWatch([try SharedMemorySegment.create(name: kept, size: 4096), try SharedMemorySegment.create(name: removed, size: 4096)], intervalMillis: 20)
        defer { watch.stop() }
        usleep(100_000)
        #expect(!watch.hasLost && watch.lostDescription == nil)
        try SharedMemorySegment.unlink(name: removed)
        let deadline = Date().addingTimeInterval(5)
        while !watch.hasLost && Date() < deadline { usleep(10_000) }
        #expect(watch.hasLost)
        #expect(watch.lostDescription?.contains(removed) == true, "\(watch.lostDescription ?? "-")")
    }
}

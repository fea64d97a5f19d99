import Testing

@testable import opportunity_detector

/// When the executor ring fills, and when it takes opportunities again, is said once each.
@Suite struct ExecutorRingWatchTests {
    @Test func aFullRingIsLoggedOnceAndItsRecovery() {
        var watch = ExecutorRingWatch()
        #expect(watch.check(refused: 0, backlog: 10, capacity: 4096, consumerPid: 0) == nil)
        #expect(watch.check(refused: 0, backlog: 4096, capacity: 4096, consumerPid: 0) == nil, "full, but nothing refused yet")
        let full = watch.check(refused: 3, backlog: 4096, capacity: 4096, consumerPid: 0)
        #expect(full?.hasPrefix("executor ring full (4096 of 4096 opportunities waiting; no executor has attached)") == true, "\(full ?? "-")")
        #expect(watch.check(refused: 50, backlog: 4096, capacity: 4096, consumerPid: 0) == nil, "once per spell")
        #expect(watch.check(refused: 52, backlog: 4000, capacity: 4096, consumerPid: 77) == "executor ring takes opportunities again, after refusing 52")
        #expect(watch.check(refused: 52, backlog: 0, capacity: 4096, consumerPid: 77) == nil)
        let again = watch.check(refused: 53, backlog: 4096, capacity: 4096, consumerPid: 77)
        #expect(again?.contains("its executor, pid 77, is not taking them") == true, "\(again ?? "-")")
        #expect(watch.check(refused: 60, backlog: 1, capacity: 4096, consumerPid: 77) == "executor ring takes opportunities again, after refusing 8")
    }
}

import DraizerCore
import FastPath
import Foundation
import Testing

@Suite struct RingTests {
    @Test func fullAndEmptyWithoutLoss() throws {
        try withSegmentPrefix { prefix in
            let name = "/\(prefix).ring.small"
            _ = try SPSCRing.create(name: name, capacity: 4, of: ProbeRecord.self)
            let producer = try RingProducer<ProbeRecord>(name: name)
            let consumer = try RingConsumer<ProbeRecord>(name: name)
            #expect(consumer.tryPop() == nil)
            for sequence in 0..<4 {
                // Warming the next slots (more than the ring holds: it wraps) changes nothing stored.
                producer.warmNextSlots(9)
                #expect(producer.tryPush(ProbeRecord(sequence: UInt64(sequence), sentNanos: 0)))
            }
            producer.warmNextSlots()
            #expect(!producer.tryPush(ProbeRecord(sequence: 4, sentNanos: 0)), "a full ring refuses, never overwrites")
            #expect(consumer.tryPop()?.sequence == 0)
            #expect(producer.tryPush(ProbeRecord(sequence: 4, sentNanos: 0)))
            for sequence in 1...4 {
                #expect(consumer.tryPop()?.sequence == UInt64(sequence))
            }
            #expect(consumer.tryPop() == nil)
            let stats = SPSCRing.stats(of: producer.segment)
            #expect(stats.pushed == 5)
            #expect(stats.popped == 5)
            #expect(stats.rejectedFull == 1)
            #expect(stats.producerPid == UInt32(getpid()))
        }
    }

    /// A poller over three rings sees a record waiting in any of them, and none once all are
    /// drained.
    @Test func pollerSeesARecordInAnyRing() throws {
        try withSegmentPrefix { prefix in
            var producers: [RingProducer<ProbeRecord>] = []
            var consumers: [RingConsumer<ProbeRecord>] = []
            for index in 0..<3 {
                let name = "/\(prefix).ring.poll\(index)"
                _ = try SPSCRing.create(name: name, capacity: 4, of: ProbeRecord.self)
                producers.append(try RingProducer<ProbeRecord>(name: name))
                consumers.append(try RingConsumer<ProbeRecord>(name: name))
            }
            let poller = RingPoller(consumers)
            #expect(!poller.anyHasRecords)
            for index in [2, 0, 1] {
                #expect(producers[index].tryPush(ProbeRecord(sequence: UInt64(index), sentNanos: 0)))
                #expect(poller.anyHasRecords, "ring \(index)")
                #expect(consumers[index].tryPop()?.sequence == UInt64(index))
                #expect(!poller.anyHasRecords, "ring \(index) drained")
            }
        }
    }

    @Test func secondLiveProducerIsRefused() throws {
        try withSegmentPrefix { prefix in
            let name = "/\(prefix).ring.roles"
            _ = try SPSCRing.create(name: name, capacity: 4, of: ProbeRecord.self)
            let consumer = try RingConsumer<ProbeRecord>(name: name)
            _ = consumer
            let producer = try ProbeProcess(["ring-producer", name, "0"])
            // The probe exits at once (0 records); a producer role left by a dead pid is taken over.
            _ = producer.finish()
            let mine = try RingProducer<ProbeRecord>(name: name)
            #expect(mine.tryPush(ProbeRecord(sequence: 0, sentNanos: 0)))
            let other = try ProbeProcess(["ring-producer", name, "1"]).finish()
            #expect(other.status != 0, "a second producer must be refused while this one lives")
        }
    }

    /// Producer process pushes 10 million records; this process pops them: none lost, duplicated,
    /// reordered or torn. The consumer sleeps on the doorbell when the ring is empty.
    @Test(.timeLimit(.minutes(3))) func tenMillionRecordsAcrossProcesses() throws {
        try withSegmentPrefix { prefix in
            let name = "/\(prefix).ring.stress"
            let count: UInt64 = 10_000_000
            _ = try SPSCRing.create(name: name, capacity: 4096, of: ProbeRecord.self)
            let consumer = try RingConsumer<ProbeRecord>(name: name)
            let producer = try ProbeProcess(["ring-producer", name, String(count)])
            var expected: UInt64 = 0
            var damaged = 0
            var outOfOrder = 0
            var idleWaits = 0
            let deadline = MonotonicClock.now() + 150_000_000_000
            while expected < count && MonotonicClock.now() < deadline {
                guard let record = consumer.tryPop() else {
                    idleWaits += 1
                    _ = consumer.waitForRecords(spinIterations: 64, timeoutNanos: 10_000_000)
                    continue
                }
                if !record.isIntact { damaged += 1 }
                if record.sequence != expected { outOfOrder += 1 }
                expected = record.sequence + 1
            }
            let result = producer.finish()
            #expect(result.status == 0)
            #expect(expected == count)
            #expect(damaged == 0)
            #expect(outOfOrder == 0)
            #expect(consumer.tryPop() == nil, "nothing beyond the records sent")
            print("ring multi-process: \(expected) records, \(idleWaits) idle waits, \(consumer.doorbell.wakeCount) futex wake-ups")
        }
    }
}

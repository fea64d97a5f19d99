import ArgumentParser
import CDraizerShim
import DraizerCore
import FastPath
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// Cross-process handoff latency: this process pushes a timestamped record into a shared ring; a
/// child process (this binary, `bench-child handoff`) takes it, measures now − sent on the shared
/// monotonic clock, and sends the figure back on a second ring. One record in flight at a time, so
/// this is the unloaded one-way latency from push to the consumer holding the record.
struct HandoffBenchmark {
    enum Mode: String, ExpressibleByArgument {
        /// The consumer spins on the ring.
        case busyPoll = "busypoll"
        /// The consumer sleeps on the ring's futex doorbell and the producer wakes it.
        case futex
    }

    let names: SegmentNames
    let pin: Bool
    let chunks = 7

    func run(mode: Mode, messages: Int) throws -> BenchResult {
        let requestName = names.ring("bench.\(mode.rawValue).request")
        let replyName = names.ring("bench.\(mode.rawValue).reply")
        _ = try SPSCRing.create(name: requestName, capacity: 1024, of: ProbeRecord.self)
        _ = try SPSCRing.create(name: replyName, capacity: 1024, of: ProbeRecord.self)
        let requests = try RingProducer<ProbeRecord>(name: requestName)
        let replies = try RingConsumer<ProbeRecord>(name: replyName)

        let pinning = pin && drz_available_cpus() >= 2
        if pinning { _ = drz_pin_current_thread(0) }
        defer { if pinning { _ = drz_pin_current_thread(-1) } }
        let child = try ChildProcess(
            executable: "/proc/self/exe",
            arguments: ["bench-child", "--mode", mode.rawValue, "--requests", requestName, "--replies", replyName, "--cpu=\(pinning ? 1 : -1)"],
            output: .pipe)
        guard child.waitForLine("ready", timeoutMillis: 10_000) else {
            throw CommandFailure("handoff benchmark: the consumer process did not start")
        }

        let warmup = 500
        var samples = SampleSet()
        samples.reserve(messages)
        var chunkTotal: Int64 = 0
        let chunkSize = max(messages / chunks, 1)
        for sequence in 0..<(warmup + messages) {
            if mode == .futex {
                // Spin (not sleep: a halted CPU would add its own wake-up time) until the consumer
                // has announced it is going to sleep, then a little longer so it is in the kernel.
                let deadline = MonotonicClock.now() + 1_000_000_000
                while !requests.doorbell.isConsumerSleeping && MonotonicClock.now() < deadline { drz_cpu_relax() }
                let settle = MonotonicClock.now() + 50_000
                while MonotonicClock.now() < settle { drz_cpu_relax() }
            }
            let record = ProbeRecord(sequence: UInt64(sequence), sentNanos: MonotonicClock.now())
            while !requests.tryPush(record) { drz_cpu_relax() }
            if mode == .futex { requests.doorbell.ring() }
            let deadline = MonotonicClock.now() + 2_000_000_000
            var reply: ProbeRecord?
            while reply == nil {
                reply = replies.tryPop()
                if reply == nil {
                    guard MonotonicClock.now() < deadline else {
                        throw CommandFailure("handoff benchmark: no reply from the consumer within 2 s")
                    }
                    drz_cpu_relax()
                }
            }
            guard sequence >= warmup, let reply else { continue }
            samples.add(Double(reply.sentNanos))
            chunkTotal += reply.sentNanos
            if (sequence - warmup + 1) % chunkSize == 0 {
                samples.endRun(mean: Double(chunkTotal) / Double(chunkSize))
                chunkTotal = 0
            }
        }
        while !requests.tryPush(ProbeRecord(sequence: UInt64.max, sentNanos: 0)) { drz_cpu_relax() }
        requests.doorbell.ring()
        guard child.wait() == 0 else { throw CommandFailure("handoff benchmark: the consumer process failed") }
        return samples.result("handoff.\(mode.rawValue)", allocsPerOp: nil)
    }
}

/// The consumer side of `HandoffBenchmark`, run in a child process.
struct BenchChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-child", abstract: "Internal: the consumer process of the handoff benchmarks.",
        shouldDisplay: false)

    @Option var mode: HandoffBenchmark.Mode
    @Option var requests: String
    @Option var replies: String
    @Option var cpu: Int32 = -1

    func run() throws {
        if cpu >= 0 { _ = drz_pin_current_thread(cpu) }
        let inbound = try RingConsumer<ProbeRecord>(name: requests)
        let outbound = try RingProducer<ProbeRecord>(name: replies)
        printLine("ready")
        let parent = getppid()
        while true {
            var record = inbound.tryPop()
            while record == nil {
                switch mode {
                case .busyPoll:
                    var spins = 0
                    while spins < 1_000_000 && !inbound.hasRecords {
                        drz_cpu_relax()
                        spins += 1
                    }
                case .futex:
                    _ = inbound.waitForRecords(spinIterations: 0, timeoutNanos: 100_000_000)
                }
                record = inbound.tryPop()
                if record == nil && getppid() != parent { throw ExitCode(3) }  // the benchmark died
            }
            let received = MonotonicClock.now()
            guard let record, record.sequence != UInt64.max else { return }
            while !outbound.tryPush(ProbeRecord(sequence: record.sequence, sentNanos: received - record.sentNanos)) {
                drz_cpu_relax()
            }
        }
    }
}

import ArgumentParser
import CDraizerShim
import DraizerCore
import Foundation
import Synchronization

/// `draizer bench machine`: how often, and for how long, each CPU is taken away from a thread
/// that never blocks — the floor under every tail-latency figure measured on this machine.
struct MachineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Interruptions each CPU suffers (one JSON line per CPU).",
        discussion: """
            machine.clock_gaps.cpuN: a thread pinned to CPU N reads the monotonic clock in a loop; a
              gap of 1 µs or more between two reads is time the CPU spent elsewhere (the kernel's
              timer tick, another task, the hypervisor). The CPUs (all, or --cpus) are probed at once,
              as busy-polling services would run. The JSON line's percentiles are of the gaps' lengths;
              the note gives their rates, the time lost, the local timer interrupts and steal time over the same
              seconds, and how often a path of --window-ns on that CPU would be held up by at least
              --delay-ns: started at a random moment (a notice reaching a spinning consumer, which may
              find the CPU away), and when already running (a gap must open during it).
            Run it on an otherwise quiet machine.
            """)

    @Option(help: "Seconds to probe.") var seconds = 10.0
    @Option(help: "Length of the hot path whose exposure is reported, in ns.") var windowNs = 4_500
    @Option(help: "Hold-up counted as harmful in the exposure figure, in ns.") var delayNs = 10_000
    @Option(help: "CPUs to probe, comma separated (default: all). A busy-polling detector keeps one CPU busy; probing both keeps two.")
    var cpus: String?

    func run() throws {
        guard seconds > 0, seconds <= 600, windowNs >= 0, delayNs > 0 else {
            throw CommandFailure("expected 0 < --seconds ≤ 600, --window-ns ≥ 0 and --delay-ns > 0")
        }
        let available = max(1, Int(drz_available_cpus()))
        var probed = Array(0..<available)
        if let cpus {
            let fields = cpus.split(separator: ",")
            let listed = fields.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { (0..<available).contains($0) }
            guard !fields.isEmpty, listed.count == fields.count else {
                throw CommandFailure("--cpus: expected CPU numbers below \(available), was \(cpus)")
            }
            probed = Array(Set(listed)).sorted()
        }
        let before = KernelCounters.read()
        let tallies = ClockGapProbes.run(cpus: probed, pin: available > 1, seconds: seconds)
        let after = KernelCounters.read()
        for (cpu, tally) in zip(probed, tallies) {
            let timer = KernelCounters.delta(before, after, \.timerInterrupts, cpu: cpu)
            let steal = KernelCounters.delta(before, after, \.stealTicks, cpu: cpu)
            printLine(Self.result(cpu: cpu, tally: tally, timer: timer, steal: steal, windowNs: windowNs, delayNs: delayNs).jsonLine)
        }
    }

    static func result(cpu: Int, tally: ClockGaps, timer: Int64?, steal: Int64?, windowNs: Int, delayNs: Int)
        -> BenchResult
    {
        let seconds = Double(tally.observedNanos) / 1e9
        func perSecond(_ count: Int) -> String { String(format: "%.0f", seconds > 0 ? Double(count) / seconds : 0) }
        let exposure = tally.exposure(windowNanos: Int64(windowNs), delayNanos: Int64(delayNs))
        let interrupted = tally.interruptedShare(windowNanos: Int64(windowNs), delayNanos: Int64(delayNs))
        var note = "\(String(format: "%.1f", seconds)) s, \(tally.reads) clock reads; gaps per second: "
            + "≥1 µs \(perSecond(tally.count(atLeast: 1_000))), ≥10 µs \(perSecond(tally.count(atLeast: 10_000))), "
            + "≥100 µs \(perSecond(tally.count(atLeast: 100_000))), ≥1 ms \(perSecond(tally.count(atLeast: 1_000_000))); "
            + "time lost \(String(format: "%.2f", tally.lostFraction * 100)) %, longest \(tally.longestNanos) ns; "
            + "a \(windowNs) ns path is held up ≥ \(delayNs) ns at \(String(format: "%.2f", exposure * 100)) % of moments "
            + "(started at a random moment, as a notice reaches a spinning consumer), in "
            + "\(String(format: "%.2f", interrupted * 100)) % of runs when already on the CPU"
        if let timer { note += "; local timer interrupts \(perSecond(Int(timer)))/s" }
        // /proc/stat counts in USER_HZ (100 a second on Linux).
        if let steal, seconds > 0 { note += "; steal \(String(format: "%.2f", Double(steal) / 100 / seconds * 100)) %" }
        return BenchResult(
            bench: "machine.clock_gaps.cpu\(cpu)", unit: "ns", median: tally.percentile(0.5).map(Double.init),
            p50: tally.percentile(0.5).map(Double.init), p99: tally.percentile(0.99).map(Double.init),
            p999: tally.percentile(0.999).map(Double.init), allocsPerOp: nil, note: note)
    }
}

/// One probing thread per CPU, all at once.
enum ClockGapProbes {
    /// The tallies in the order of `cpus`; a thread that could not be pinned reports none.
    static func run(cpus: [Int], pin: Bool, seconds: Double) -> [ClockGaps] {
        let results = Mutex(Array(repeating: ClockGaps(), count: cpus.count))
        let group = DispatchGroup()
        for (slot, cpu) in cpus.enumerated() {
            group.enter()
            let thread = Thread {
                let pinned = pin ? drz_pin_current_thread(Int32(cpu)) == 0 : true
                let tally = pinned ? ClockGaps.probe(seconds: seconds) : ClockGaps()
                results.withLock { $0[slot] = tally }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.withLock { $0 }
    }
}

/// Per-CPU counters the kernel keeps: local timer interrupts (`/proc/interrupts`, line `LOC`)
/// and steal time (`/proc/stat`, the eighth field of `cpuN`). Absent where not readable.
struct KernelCounters {
    var timerInterrupts: [Int64]?
    var stealTicks: [Int64]?

    static func read() -> KernelCounters {
        KernelCounters(
            timerInterrupts: (try? String(contentsOfFile: "/proc/interrupts", encoding: .utf8)).flatMap(timerInterrupts(in:)),
            stealTicks: (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)).flatMap(stealTicks(in:)))
    }

    /// The `LOC:` line's per-CPU counts.
    static func timerInterrupts(in text: String) -> [Int64]? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.first == "LOC:" else { continue }
            let counts = fields.dropFirst().prefix { Int64($0) != nil }.compactMap { Int64($0) }
            return counts.isEmpty ? nil : counts
        }
        return nil
    }

    /// Steal ticks of `cpu0`, `cpu1`, … in order.
    static func stealTicks(in text: String) -> [Int64]? {
        var steal: [Int64] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let name = fields.first, name.hasPrefix("cpu"), name.count > 3, fields.count > 8, let value = Int64(fields[8]) else {
                continue
            }
            steal.append(value)
        }
        return steal.isEmpty ? nil : steal
    }

    static func delta(_ before: KernelCounters, _ after: KernelCounters, _ field: KeyPath<KernelCounters, [Int64]?>, cpu: Int) -> Int64? {
        guard let first = before[keyPath: field], let second = after[keyPath: field], cpu < first.count, cpu < second.count else {
            return nil
        }
        return second[cpu] - first[cpu]
    }
}

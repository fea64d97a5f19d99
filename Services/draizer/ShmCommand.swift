import ArgumentParser
import DraizerCore
import FastPath
#if canImport(Glibc)
import Glibc
#endif

struct ShmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shm",
        abstract: "Create, inspect and remove the shared-memory segments.",
        subcommands: [Create.self, Inspect.self, Remove.self])

    /// Rings every deployment has: one update-notice ring per gateway into the detector.
    static func standardRings() -> [String] {
        Exchange.allCases.map { "notices.\($0.name)" }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the price store, control block and notice rings.")
        @OptionGroup var segments: SegmentOptions
        @Option(help: "Symbols the price store can hold.") var symbols: Int = 4096
        @Option(help: "Records per notice ring (a power of two).") var ringCapacity: Int = 65536

        func run() throws {
            let names = try SegmentNames(prefix: segments.prefix)
            let present = names.existing()
            guard present.isEmpty else {
                throw CommandFailure(
                    "shared memory under prefix \(names.prefix) exists already (\(present.joined(separator: ", "))); "
                        + "`draizer shm remove --prefix \(names.prefix)` first")
            }
            // All or nothing: a refused ring capacity (or a full /dev/shm) must not leave half a set
            // behind for the services to attach to.
            var created: [String] = []
            do {
                let store = try PriceStore.create(names: names, symbolCapacity: symbols)
                created.append(names.prices)
                let control = try ControlSegment.create(names: names)
                created.append(names.control)
                var rings: [SharedMemorySegment] = []
                for ring in ShmCommand.standardRings() {
                    rings.append(try SPSCRing.create(name: names.ring(ring), capacity: ringCapacity, of: UpdateNotice.self))
                    created.append(names.ring(ring))
                }
                print("created \(names.prices): \(store.symbolCapacity) symbols × \(store.sourceCapacity) sources, \(store.segment.size) bytes")
                print("created \(names.control): control block and \(SourceId.count) health rows, \(control.segment.size) bytes")
                for segment in rings {
                    print("created \(segment.name): \(ringCapacity) update notices, \(segment.size) bytes")
                }
            } catch {
                for name in created { try? SharedMemorySegment.unlink(name: name) }
                throw error
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every segment under the prefix.")
        @OptionGroup var segments: SegmentOptions

        func run() throws {
            let names = try SegmentNames(prefix: segments.prefix)
            let existing = names.existing()
            guard !existing.isEmpty else { throw CommandFailure("no shared-memory segments under prefix \(names.prefix)") }
            for name in existing {
                try SharedMemorySegment.unlink(name: name)
                print("removed \(name)")
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show headers, counts and per-source health.")
        @OptionGroup var segments: SegmentOptions

        func run() throws {
            let names = try SegmentNames(prefix: segments.prefix)
            let existing = names.existing()
            guard !existing.isEmpty else {
                throw CommandFailure("no shared-memory segments under prefix \(names.prefix) (run `draizer shm create`)")
            }
            var problems = 0
            for name in existing {
                do {
                    try describe(name, names: names)
                } catch {
                    problems += 1
                    print("\(name): \(error)")
                }
            }
            if problems > 0 { throw ExitCode(2) }
        }

        func describe(_ name: String, names: SegmentNames) throws {
            let segment = try SharedMemorySegment.open(name: name)
            let header = SegmentHeader.read(segment)
            let kind = SegmentKind(rawValue: header.kind).map(\.description) ?? "unknown kind \(header.kind)"
            print("\(name)  \(kind)  layout v\(header.layoutVersion)  \(segment.size) bytes  created by pid \(header.creatorPid) at \(formatWall(header.createdWallNanos))")
            if name == names.prices {
                let store = try PriceStore.attach(names: names)
                let census = store.census()
                print("  \(store.symbolCapacity) symbols × \(store.sourceCapacity) sources, \(PriceStore.entryBytes)-byte entries, \(PriceStore.levelsPerSide) levels per side")
                print("  entries written \(census.written), verified \(census.verified), mid-write \(census.midWrite)")
            } else if name == names.control {
                let control = try ControlSegment.attach(names: names)
                let kill = control.isKillSwitchEngaged ? "ENGAGED (reason \(control.killReason) at \(formatWall(control.killedAtWallNanos)))" : "released"
                print("  kill switch \(kill), generation \(control.generation)")
                let flags = StrategyKind.allCases.map { "\($0.name) \(control.isStrategyEnabled($0) ? "on" : "off")" }
                print("  strategies: \(flags.joined(separator: ", "))")
                for line in HealthTable.render(control) { print("  " + line) }
            } else if header.kind == SegmentKind.ring.rawValue {
                let stats = try SPSCRing.inspect(name: name)
                func pid(_ value: UInt32) -> String { value == 0 ? "none" : "\(value)" }
                print("  \(stats.capacity) records × \(stats.recordBytes) bytes: depth \(stats.depth), pushed \(stats.pushed), popped \(stats.popped), rejected when full \(stats.rejectedFull), futex wake-ups \(stats.wakeups), producer \(pid(stats.producerPid)), consumer \(pid(stats.consumerPid))")
            }
        }
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func formatWall(_ nanos: Int64) -> String {
    WallClock.utcTimestamp(nanos)
}

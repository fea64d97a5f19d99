import DraizerCore

/// The control and health blocks, in one segment (`/<prefix>.control`).
///
/// ```
///   0 header (128)                               geometry: strategy slots, source rows, row bytes
/// 128 killSwitch u32  132 killReason u32  136 killedAtWallNanos i64  144 generation u64
/// 160 update doorbell: sleeping u32, 168 wake count u64 (gateways ring it after every notice)
/// 192 strategy enable flags: 32 × u32 (1 = enabled)
/// 384 health rows: one 64-byte line per source
///       0 heartbeatNanos i64  8 state u32  16 messages u64  24 gaps u64  32 reconnects u64
///      40 errors u64  48 lastMessageNanos i64  56 resyncs u64
/// ```
/// Control words are written rarely (risk-guardian, CLI) and read inline on the hot path; each
/// change bumps `generation` so a reader can cache and re-read only when it moved.
/// Health rows have one writer each: the gateway that owns the source.
public final class ControlSegment: @unchecked Sendable {
    // @unchecked Sendable: immutable references to a shared mapping; all access is atomic.

    public static let strategyCapacity = 32
    static let rowBytes = 64

    enum Offset {
        static let killSwitch = 128
        static let killReason = 132
        static let killedAt = 136
        static let generation = 144
        static let updateDoorbell = 160
        static let updateDoorbellWakes = 168
        static let strategies = 192
        static let health = 384
    }

    public let segment: SharedMemorySegment
    let words: SharedWords

    private init(segment: SharedMemorySegment) {
        self.segment = segment
        self.words = SharedWords(segment.base)
    }

    static var bytes: Int { Offset.health + SourceId.count * rowBytes }

    /// Creates the segment with every strategy enabled and the kill switch released.
    public static func create(names: SegmentNames) throws(SharedMemoryError) -> ControlSegment {
        let segment = try SharedMemorySegment.create(name: names.control, size: bytes)
        SegmentHeader.initialise(
            segment, kind: .control,
            geometry: [UInt64(strategyCapacity), UInt64(SourceId.count), UInt64(rowBytes)])
        let control = ControlSegment(segment: segment)
        for index in 0..<strategyCapacity {
            control.words.store32Relaxed(Offset.strategies + index * 4, 1)
        }
        SegmentHeader.markReady(segment)
        return control
    }

    public static func attach(names: SegmentNames) throws(SharedMemoryError) -> ControlSegment {
        let segment = try SegmentHeader.openValidated(name: names.control, kind: .control)
        try SegmentHeader.expectGeometry(segment, index: 0, field: "strategy slots", expected: UInt64(strategyCapacity))
        try SegmentHeader.expectGeometry(segment, index: 1, field: "health rows", expected: UInt64(SourceId.count))
        try SegmentHeader.expectGeometry(segment, index: 2, field: "health row bytes", expected: UInt64(rowBytes))
        guard segment.size == bytes else {
            throw .truncated(name: segment.name, expectedBytes: bytes, actualBytes: segment.size)
        }
        return ControlSegment(segment: segment)
    }

    public static func attachOrCreate(names: SegmentNames) throws(SharedMemoryError) -> ControlSegment {
        do {
            return try attach(names: names)
        } catch .missing {
            do {
                return try create(names: names)
            } catch .alreadyExists {
                return try attach(names: names)
            }
        }
    }

    // MARK: Control block

    /// One doorbell for every gateway's notice ring: a detector watching several rings sleeps on
    /// it when all are empty, and any gateway wakes it after pushing a notice.
    public var updateDoorbell: Doorbell {
        Doorbell(words, sleepingOffset: Offset.updateDoorbell, wakeCountOffset: Offset.updateDoorbellWakes)
    }

    /// Changes so far; readers cache decisions and re-read when this moves.
    public var generation: UInt64 { words.loadAcquire(Offset.generation) }

    /// Read inline by the executor before every order.
    public var isKillSwitchEngaged: Bool { words.load32Acquire(Offset.killSwitch) != 0 }

    public var killReason: UInt32 { words.load32Relaxed(Offset.killReason) }
    public var killedAtWallNanos: Int64 { words.loadInt(Offset.killedAt) }

    /// Stops all trading. `reason` is a code defined by the caller (risk rule, operator).
    public func engageKillSwitch(reason: UInt32, wallNanos: Int64 = WallClock.now()) {
        words.store32Relaxed(Offset.killReason, reason)
        words.storeInt(Offset.killedAt, wallNanos)
        words.store32Release(Offset.killSwitch, 1)
        _ = words.fetchAdd(Offset.generation, 1)
    }

    public func releaseKillSwitch() {
        words.store32Release(Offset.killSwitch, 0)
        _ = words.fetchAdd(Offset.generation, 1)
    }
    public func isStrategyEnabled(_ strategy: StrategyKind) -> Bool {
        words.load32Acquire(Offset.strategies + Int(strategy.rawValue) * 4) != 0
    }

    public func setStrategy(_ strategy: StrategyKind, enabled: Bool) {
        words.store32Release(Offset.strategies + Int(strategy.rawValue) * 4, enabled ? 1 : 0)
        _ = words.fetchAdd(Offset.generation, 1)
    }

    // MARK: Health block

    /// The health row of one source, for its gateway to update.
    public func health(_ source: SourceId) -> SourceHealthWriter {
        SourceHealthWriter(words: SharedWords(segment.base + Offset.health + source.index * ControlSegment.rowBytes))
    }

    public func healthSnapshot(_ source: SourceId) -> SourceHealth {
        let row = SharedWords(segment.base + Offset.health + source.index * ControlSegment.rowBytes)
        return SourceHealth(
            source: source,
            heartbeatNanos: row.loadInt(SourceHealthWriter.Offset.heartbeat),
            state: SourceState(rawValue: row.load32Acquire(SourceHealthWriter.Offset.state)) ?? .down,
            messages: row.loadRelaxed(SourceHealthWriter.Offset.messages),
            gaps: row.loadRelaxed(SourceHealthWriter.Offset.gaps),
            reconnects: row.loadRelaxed(SourceHealthWriter.Offset.reconnects),
            errors: row.loadRelaxed(SourceHealthWriter.Offset.errors),
            lastMessageNanos: row.loadInt(SourceHealthWriter.Offset.lastMessage),
            resyncs: row.loadRelaxed(SourceHealthWriter.Offset.resyncs))
    }
}

/// The connection state a gateway reports for one source.
public enum SourceState: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case down = 0
    case connecting = 1
    case syncing = 2
    case live = 3
    case stale = 4
    case stopped = 5

    public var description: String {
        switch self {
        case .down: "down"
        case .connecting: "connecting"
        case .syncing: "syncing"
        case .live: "live"
        case .stale: "stale"
        case .stopped: "stopped"
        }
    }
}

/// A copy of one source's health row.
public struct SourceHealth: Sendable, Equatable {
    public var source: SourceId
    public var heartbeatNanos: Int64
    public var state: SourceState
    public var messages: UInt64
    public var gaps: UInt64
    public var reconnects: UInt64
    public var errors: UInt64
    public var lastMessageNanos: Int64
    public var resyncs: UInt64
}

/// Updates one source's health row. One writer per row (the source's gateway), so counters are
/// plain load + store, not read-modify-write instructions.
public struct SourceHealthWriter: @unchecked Sendable {
    // @unchecked Sendable: a pointer into the control segment's mapping; all access is atomic.
    enum Offset {
        static let heartbeat = 0
        static let state = 8
        static let messages = 16
        static let gaps = 24
        static let reconnects = 32
        static let errors = 40
        static let lastMessage = 48
        static let resyncs = 56
    }

    let words: SharedWords

    init(words: SharedWords) { self.words = words }

    @inline(__always)
    func bump(_ offset: Int) { words.storeRelaxed(offset, words.loadRelaxed(offset) &+ 1) }

    /// One message processed at monotonic time `nowNanos`.
    public func messageReceived(nowNanos: Int64) {
        bump(Offset.messages)
        words.storeInt(Offset.lastMessage, nowNanos)
    }

    public func heartbeat(nowNanos: Int64) { words.storeInt(Offset.heartbeat, nowNanos) }
    public func setState(_ state: SourceState) { words.store32Release(Offset.state, state.rawValue) }
    public func gapDetected() { bump(Offset.gaps) }
    public func reconnected() { bump(Offset.reconnects) }
    public func errorCounted() { bump(Offset.errors) }
    public func resyncStarted() { bump(Offset.resyncs) }
}

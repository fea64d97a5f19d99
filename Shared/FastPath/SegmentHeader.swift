#if canImport(Glibc)
import Glibc
#endif
import DraizerCore

/// The kinds of segment FastPath creates; stored in every header.
public enum SegmentKind: UInt32, Sendable, CustomStringConvertible {
    case priceStore = 1
    case ring = 2
    case control = 3

    public var description: String {
        switch self {
        case .priceStore: "price store"
        case .ring: "ring"
        case .control: "control"
        }
    }
}

/// The first 128 bytes of every segment: identity, version, geometry. A process attaches only
/// when all of it matches what its own build expects.
///
/// ```
///   0 magic u64 "DZRSHMI1"    8 layoutVersion u32    12 kind u32
///  16 totalBytes u64          24 createdWallNanos i64
///  32 creatorPid u32          36 ready u32 (1 once initialised, release-stored)
///  40 geometry[0] u64   48 geometry[1] u64   56 geometry[2] u64   (kind specific)
///  64 producerPid u32   68 consumerPid u32   (single-writer roles, rings only)
/// ```
public struct SegmentHeader: Sendable, Equatable {
    public static let bytes = 128
    public static let magic: UInt64 = 0x3149_4D48_5352_5A44  // "DZRSHMI1" little-endian bytes
    /// Bump on any change to any FastPath layout: a mismatched process then refuses to attach.
    public static let layoutVersion: UInt32 = 1

    enum Offset {
        static let magic = 0
        static let layoutVersion = 8
        static let kind = 12
        static let totalBytes = 16
        static let createdWallNanos = 24
        static let creatorPid = 32
        static let ready = 36
        static let geometry = 40
        static let producerPid = 64
        static let consumerPid = 68
    }

    public var layoutVersion: UInt32
    public var kind: UInt32
    public var totalBytes: UInt64
    public var createdWallNanos: Int64
    public var creatorPid: UInt32
    public var geometry: [UInt64]

    /// Writes a header into a fresh (zeroed) segment; `ready` is set last, with release order,
    /// once the caller has finished initialising the rest (see `markReady`).
    static func initialise(_ segment: SharedMemorySegment, kind: SegmentKind, geometry: [UInt64]) {
        let words = SharedWords(segment.base)
        words.storeRelaxed(Offset.magic, SegmentHeader.magic)
        words.store32Relaxed(Offset.layoutVersion, SegmentHeader.layoutVersion)
        words.store32Relaxed(Offset.kind, kind.rawValue)
        words.storeRelaxed(Offset.totalBytes, UInt64(segment.size))
        words.storeInt(Offset.createdWallNanos, WallClock.now())
        words.store32Relaxed(Offset.creatorPid, UInt32(getpid()))
        for (index, value) in geometry.enumerated() {
            words.storeRelaxed(Offset.geometry + index * 8, value)
        }
    }

    static func markReady(_ segment: SharedMemorySegment) {
        SharedWords(segment.base).store32Release(Offset.ready, 1)
    }

    /// Reads the header of a mapped segment without judging it.
    public static func read(_ segment: SharedMemorySegment) -> SegmentHeader {
        let words = SharedWords(segment.base)
        return SegmentHeader(
            layoutVersion: words.load32Relaxed(Offset.layoutVersion),
            kind: words.load32Relaxed(Offset.kind),
            totalBytes: words.loadRelaxed(Offset.totalBytes),
            createdWallNanos: words.loadInt(Offset.createdWallNanos),
            creatorPid: words.load32Relaxed(Offset.creatorPid),
            geometry: (0..<3).map { words.loadRelaxed(Offset.geometry + $0 * 8) })
    }

    /// Checks identity, version, kind, readiness and size; geometry is checked by each structure.
    static func validate(_ segment: SharedMemorySegment, kind: SegmentKind) throws(SharedMemoryError) {
        let words = SharedWords(segment.base)
        guard words.loadRelaxed(Offset.magic) == SegmentHeader.magic else {
            // All zero: its creator has sized it and not yet written the header.
            if words.loadRelaxed(Offset.magic) == 0, words.load32Acquire(Offset.ready) == 0 { throw .notInitialised(name: segment.name) }
            throw .foreign(name: segment.name)
        }
        let version = words.load32Relaxed(Offset.layoutVersion)
        guard version == SegmentHeader.layoutVersion else {
            throw .layoutMismatch(
                name: segment.name, field: "layout version", expected: UInt64(SegmentHeader.layoutVersion),
                found: UInt64(version))
        }
        let foundKind = words.load32Relaxed(Offset.kind)
        guard foundKind == kind.rawValue else {
            throw .wrongKind(
                name: segment.name, expected: kind.description,
                found: SegmentKind(rawValue: foundKind)?.description ?? "unknown (\(foundKind))")
        }
        guard words.load32Acquire(Offset.ready) == 1 else { throw .notInitialised(name: segment.name) }
        let total = words.loadRelaxed(Offset.totalBytes)
        guard total == UInt64(segment.size) else {
            throw .truncated(name: segment.name, expectedBytes: Int(total), actualBytes: segment.size)
        }
    }

    /// Opens and validates a segment, waiting up to `waitMillis` for a creator that is still
    /// sizing it or writing its header (two processes starting together: one creates, the other
    /// attaches). Any other problem is reported at once.
    static func openValidated(name: String, kind: SegmentKind, waitMillis: Int = 2_000) throws(SharedMemoryError) -> SharedMemorySegment {
        var waited = 0
        while true {
            do {
                let segment = try SharedMemorySegment.open(name: name)
                try validate(segment, kind: kind)
                return segment
            } catch .notInitialised(let name) where waited < waitMillis {
                _ = name
            } catch .truncated(let name, _, let actual) where actual < SegmentHeader.bytes && waited < waitMillis {
                _ = name
            }
            usleep(1_000)
            waited += 1
        }
    }

    static func expectGeometry(
        _ segment: SharedMemorySegment, index: Int, field: String, expected: UInt64
    ) throws(SharedMemoryError) {
        let found = SharedWords(segment.base).loadRelaxed(Offset.geometry + index * 8)
        guard found == expected else {
            throw .layoutMismatch(name: segment.name, field: field, expected: expected, found: found)
        }
    }
}

/// Segment names under one configurable prefix: `/<prefix>.prices`, `/<prefix>.control`,
/// `/<prefix>.ring.<name>`. Tests and parallel deployments use different prefixes.
public struct SegmentNames: Sendable, Hashable {
    public let prefix: String

    public static let defaultPrefix = "draizer"

    public init(prefix: String = SegmentNames.defaultPrefix) throws(SharedMemoryError) {
        let allowed = prefix.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard !prefix.isEmpty, prefix.utf8.count <= 100, allowed else {
            throw .invalidName(name: prefix, reason: "expected 1-100 characters of A-Z, a-z, 0-9, '-', '_'")
        }
        self.prefix = prefix
    }

    public var prices: String { "/\(prefix).prices" }
    public var control: String { "/\(prefix).control" }
    public func ring(_ name: String) -> String { "/\(prefix).ring.\(name)" }

    /// Every existing segment under this prefix.
    public func existing() -> [String] {
        SharedMemorySegment.existingNames(prefix: "\(prefix).")
    }
}

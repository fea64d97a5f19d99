import DraizerCore

/// A fixed-size record that can travel through an `SPSCRing`. `recordTag` identifies the type in
/// the ring's header, so a process expecting another record type refuses to attach.
public protocol RingRecord: BitwiseCopyable, Sendable {
    static var recordTag: UInt64 { get }
}

/// Gateway → detector: "the price store entry of (symbol, source) changed".
public struct UpdateNotice: RingRecord, Equatable {
    public static let recordTag: UInt64 = 0x4E4F_5449_4345_0001  // "NOTICE" v1

    public var symbol: UInt32
    public var source: UInt8
    /// What the frame behind it carried (`Kind`'s raw values; 2 is kept for funding).
    public var kind: UInt8
    public var reserved: UInt16 = 0
    /// Gateway receive time of the frame that caused the update (monotonic ns).
    public var tsReceivedNanos: Int64

    /// What the frame that caused an update carried.
    public enum Kind: UInt8, Sendable {
        /// A best bid/ask frame (Binance bookTicker, OKX bbo-tbt, ...).
        case topOfBook = 0
        /// A depth diff or snapshot.
        case depth = 1
    }

    public init(symbol: SymbolId, source: SourceId, kind: UInt8, tsReceivedNanos: Int64) {
        self.symbol = symbol.rawValue
        self.source = source.rawValue
        self.kind = kind
        self.tsReceivedNanos = tsReceivedNanos
    }
}

/// A self-checking record used by benchmarks and the multi-process tests: the check word is a
/// function of the sequence, so a torn or misplaced record is detected by the consumer.
public struct ProbeRecord: RingRecord, Equatable {
    public static let recordTag: UInt64 = 0x5052_4F42_4500_0001  // "PROBE" v1

    public var sequence: UInt64
    public var sentNanos: Int64
    public var check: UInt64

    public init(sequence: UInt64, sentNanos: Int64) {
        self.sequence = sequence
        self.sentNanos = sentNanos
        self.check = ProbeRecord.checkWord(sequence)
    }

    public var isIntact: Bool { check == ProbeRecord.checkWord(sequence) }

    public static func checkWord(_ sequence: UInt64) -> UInt64 {
        (sequence &* 0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03
    }
}

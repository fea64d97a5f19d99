import DraizerCore
import FastPath

/// Detector → executor: one opportunity, fixed size, through the `opportunities` ring.
public struct OpportunityRecord: RingRecord, Equatable {
    public static let recordTag: UInt64 = 0x4F50_504F_5254_0001  // "OPPORT" v1

    public var id: UInt64 = 0
    /// Decision time, wall clock ns.
    public var wallNanos: Int64 = 0
    /// Gateway receive time of the frame whose update caused it (monotonic ns): tick-to-decision
    /// is `decidedNanos - tickReceivedNanos`.
    public var tickReceivedNanos: Int64 = 0
    public var decidedNanos: Int64 = 0
    public var symbol: UInt32 = 0
    /// Position in the detector's direction list (triangular: in its cycle list).
    public var direction: UInt32 = 0
    public var strategy: UInt8 = 0
    public var buySource: UInt8 = 0
    public var sellSource: UInt8 = 0
    /// Triangular: 1 = forward (quote → A → B → quote), 0 = reverse.
    public var reserved: UInt8 = 0
    /// Base quantity (triangular: the quote currency put in at the start; `symbol` is the cross pair).
    public var quantity: Double = 0
    public var buyVWAP: Double = 0
    public var sellVWAP: Double = 0
    /// At the best prices: gross, and net of both taker fees (and funding).
    public var grossBps: Double = 0
    public var netBps: Double = 0
    /// Net at the VWAPs of `quantity`.
    public var netBpsAtSize: Double = 0
    /// Quote currency.
    public var expectedProfit: Double = 0
    /// How old each leg's price was at the decision (ns since the gateway received it).
    public var buyAgeNanos: Int64 = 0
    public var sellAgeNanos: Int64 = 0

    public init() {}

    public var strategyKind: StrategyKind? { StrategyKind(rawValue: strategy) }
    public var buy: SourceId? { SourceId(rawValue: buySource) }
    public var sell: SourceId? { SourceId(rawValue: sellSource) }
}

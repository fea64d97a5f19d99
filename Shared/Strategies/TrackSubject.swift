import DraizerCore

/// What a track follows, and what its signal holds (no new signal) until the track closes: a
/// spread direction, the same direction traded for funding carry, or a triangular cycle in one
/// orientation.
public struct TrackSubject: Hashable, Sendable {
    public enum Kind: UInt8, Sendable {
        /// Spot→spot, spot→perp (and perp→perp) spreads.
        case spread
        /// Spot long + perpetual short held for its funding.
        case carry
        case triangular
    }

    public var kind: Kind
    /// Position in the detector's direction list (spread, carry) or its cycle list (triangular).
    public var index: Int
    /// Triangular: quote → A → B → quote (true) or quote → B → A → quote; true for the others.
    public var forward: Bool

    public init(kind: Kind, index: Int, forward: Bool = true) {
        self.kind = kind
        self.index = index
        self.forward = kind == .triangular ? forward : true
    }

    /// What an emitted opportunity is a signal of.
    @inline(__always)
    public init(_ record: OpportunityRecord) {
        switch record.strategy {
        case StrategyKind.fundingCarry.rawValue: self.init(kind: .carry, index: Int(record.direction))
        case StrategyKind.triangular.rawValue: self.init(kind: .triangular, index: Int(record.direction), forward: record.reserved == 1)
        default: self.init(kind: .spread, index: Int(record.direction))
        }
    }
}

/// The strategy families Draizer runs. The raw value is the strategy's slot in the shared control
/// block's enable flags, so it is part of the shared-memory layout: never renumber.
public enum StrategyKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case spotSpot = 0
    case spotPerp = 1
    case perpPerp = 2
    case fundingCarry = 3
    case triangular = 4

    public var name: String {
        switch self {
        case .spotSpot: "spot_spot"
        case .spotPerp: "spot_perp"
        case .perpPerp: "perp_perp"
        case .fundingCarry: "funding_carry"
        case .triangular: "triangular"
        }
    }

    public var description: String { name }

    public init?(name: String) {
        guard let match = StrategyKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

/// Which market of an exchange: spot or the USDT-margined perpetual swap.
public enum MarketKind: UInt8, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    case spot = 0
    case perp = 1

    public var name: String {
        switch self {
        case .spot: "spot"
        case .perp: "perp"
        }
    }

    public var description: String { name }

    public init?(name: String) {
        switch name {
        case "spot": self = .spot
        case "perp": self = .perp
        default: return nil
        }
    }
}

/// The exchanges Draizer speaks to. The raw value is dense and stable: it is part of `SourceId`
/// and therefore of the shared-memory layout.
public enum Exchange: UInt8, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    case binance = 0
    case bybit = 1
    case okx = 2
    case mexc = 3
    case gateio = 4

    /// Lower-case name used in configuration, file names and the CLI (`gateio`, not `gate.io`).
    public var name: String {
        switch self {
        case .binance: "binance"
        case .bybit: "bybit"
        case .okx: "okx"
        case .mexc: "mexc"
        case .gateio: "gateio"
        }
    }

    public var description: String { name }

    /// Parses a configuration name; `nil` when it names no supported exchange.
    public init?(name: String) {
        guard let match = Exchange.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

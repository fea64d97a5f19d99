import DraizerCore
import Venues

/// What a subscription topic streams.
public enum SimTopicKind: Int, Sendable {
    case topOfBook = 0
    case depth = 1
    case funding = 2
}

/// Maps a source's topic names (as `VenueSubscriptions.topics` spells them) back to
/// (symbol, kind): the simulator's routing table.
public struct SimTopics: Sendable {
    private var table: [String: (symbolIndex: Int, kind: SimTopicKind)] = [:]

    public init(source: SourceId, instruments: [SimInstrument]) {
        let subscriptions = venueSubscriptions(for: source)
        for instrument in instruments {
            // Topics come as top of book, depth, then funding; any further ones also carry
            // funding (MEXC contract tickers).
            for (position, topic) in subscriptions.topics(exchangeSymbol: instrument.exchangeSymbol).enumerated() {
                table[topic] = (instrument.symbolIndex, Self.kind(atPosition: position))
            }
        }
    }

    /// A topic's kind by its place in the source's list.
    static func kind(atPosition position: Int) -> SimTopicKind {
        switch position {
        case 0: .topOfBook
        case 1: .depth
        default: .funding
        }
    }

    public func resolve(_ topic: String) -> (symbolIndex: Int, kind: SimTopicKind)? { table[topic] }
}

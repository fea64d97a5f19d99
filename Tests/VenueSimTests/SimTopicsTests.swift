import DraizerCore
import Testing
import VenueSim

/// venue-sim routes each subscribed topic to what it streams: top of book, depth or funding.
@Suite struct SimTopicsTests {
    static func instrument(_ source: SourceId) -> SimInstrument {
        SimInstrument.make(source: source, symbolIndex: 3, symbol: SimScenario.defaultSymbols[0])
    }

    @Test func mexcPerpetualsTopOfBookIsDepthFullAndBothLaterTopicsCarryFunding() {
        let source = SourceId(exchange: .mexc, market: .perp)
        let topics = SimTopics(source: source, instruments: [Self.instrument(source)])
        #expect(topics.resolve("depth.full|BTC_USDT")?.kind == .topOfBook)
        #expect(topics.resolve("depth|BTC_USDT")?.kind == .depth)
        #expect(topics.resolve("funding.rate|BTC_USDT")?.kind == .funding)
        #expect(topics.resolve("ticker|BTC_USDT")?.kind == .funding)
        #expect(topics.resolve("ticker|BTC_USDT")?.symbolIndex == 3)
        #expect(topics.resolve("ticker|ETH_USDT") == nil, "a symbol not simulated")
    }

    @Test func spotTopicsAreTopOfBookThenDepth() {
        let source = SourceId(exchange: .binance, market: .spot)
        let topics = SimTopics(source: source, instruments: [Self.instrument(source)])
        #expect(topics.resolve("btcusdt@bookTicker")?.kind == .topOfBook)
        #expect(topics.resolve("btcusdt@depth@100ms")?.kind == .depth)
        #expect(topics.resolve("btcusdt@aggTrade") == nil)
    }
}

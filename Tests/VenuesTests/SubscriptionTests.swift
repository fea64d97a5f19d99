import DraizerCore
import Foundation
import TestSupport
import Testing
import Venues

@Suite struct SubscriptionTests {
    /// Our requests are byte-for-byte what the recording clients sent, and the recorded acks
    /// classify as acks.
    @Test func recordedRequestsAndAcks() throws {
        let bybit = BybitSubscriptions(market: .perp)
        #expect(bybit.subscribeFrames(["orderbook.200.BTCUSDT"], nowMillis: 0) == [#"{"op":"subscribe","args":["orderbook.200.BTCUSDT"]}"#])
        let bybitControl = try Fixtures.lines("bybit/ws/perp-control.jsonl")
        #expect(bybitControl.contains(Array(bybit.subscribeFrames(["orderbook.200.BTCUSDT"], nowMillis: 0)[0].utf8)))
        let acks = bybitControl.filter { $0.starts(with: Array(#"{"success""#.utf8)) }
        #expect(acks.count == 17 && acks.allSatisfy { bybit.classify($0) == .subscribed })
        let spotAcks = try Fixtures.lines("bybit/ws/spot-control.jsonl").filter { $0.starts(with: Array(#"{"success""#.utf8)) }
        #expect(spotAcks.allSatisfy { BybitSubscriptions(market: .spot).classify($0) == .subscribed })

        let okx = OKXSubscriptions(market: .spot)
        let okxControl = try Fixtures.lines("okx/ws/control.jsonl")
        let okxRequest = okx.subscribeFrames(
            ["tickers|BTC-USD-220527", "tickers|UNI-USD-SWAP", "tickers|BTC-USDT"], nowMillis: 0)[0]
        #expect(okxRequest == String(decoding: okxControl[0], as: UTF8.self))
        let okxAcks = okxControl.filter { $0.starts(with: Array(#"{"event""#.utf8)) }
        #expect(!okxAcks.isEmpty && okxAcks.allSatisfy { okx.classify($0) == .subscribed })

        let gate = GateIOSubscriptions(market: .spot)
        let gateFrame = gate.subscribeFrames(["spot.order_book_update|INK_USDT|100ms"], nowMillis: 1_619_093_532_000)[0]
        #expect(try Fixtures.lines("gateio/ws/spot-control.jsonl").contains(Array(gateFrame.utf8)))
    }

    @Test func pongsAndErrorsAreRecognised() {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        #expect(BybitSubscriptions(market: .perp).classify(bytes(#"{"op":"pong","args":["1"],"conn_id":"x"}"#)) == .pong)
        #expect(BybitSubscriptions(market: .spot).classify(bytes(#"{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}"#)) == .pong)
        #expect(
            BybitSubscriptions(market: .spot).classify(bytes(#"{"success":false,"ret_msg":"error:handler not found,topic:orderbook.7.X","op":"subscribe"}"#))
                == .error(code: "", message: "error:handler not found,topic:orderbook.7.X"))
        #expect(OKXSubscriptions(market: .spot).classify(bytes("pong")) == .pong)
        #expect(
            OKXSubscriptions(market: .spot).classify(bytes(#"{"event":"error","code":"60012","msg":"Invalid request"}"#))
                == .error(code: "60012", message: "Invalid request"))
        #expect(GateIOSubscriptions(market: .perp).classify(bytes(#"{"time":1,"channel":"futures.pong","event":"","result":null}"#)) == .pong)
        #expect(
            GateIOSubscriptions(market: .spot).classify(bytes(#"{"time":1,"channel":"spot.book_ticker","event":"subscribe","error":{"code":2,"message":"unknown currency pair"}}"#))
                != .subscribed)
        #expect(MEXCSpotSubscriptions().classify(bytes(#"{"id":0,"code":0,"msg":"PONG"}"#)) == .pong)
        #expect(MEXCSpotSubscriptions().classify(bytes(#"{"id":0,"code":0,"msg":"spot@public.aggre.bookTicker.v3.api.pb@100ms@BTCUSDT"}"#)) == .subscribed)
        #expect(MEXCContractSubscriptions().classify(bytes(#"{"channel":"pong","data":1587453241453}"#)) == .pong)
        #expect(MEXCContractSubscriptions().classify(bytes(#"{"channel":"rs.sub.depth","data":"success","ts":1}"#)) == .subscribed)
        #expect(BinanceSubscriptions(market: .spot).classify(bytes(#"{"result":null,"id":1}"#)) == .subscribed)
        #expect(BinanceSubscriptions(market: .spot).classify(bytes(#"{"code":2,"msg":"Invalid request: unknown variant"}"#)) == .error(code: "2", message: "Invalid request: unknown variant"))
        // Market data is not control.
        #expect(BinanceSubscriptions(market: .spot).classify(bytes(#"{"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}"#)) == .notControl)
    }

    /// Connection plans respect each venue's limits and keep an instrument on one connection.
    @Test(arguments: SourceId.all)
    func plansRespectLimits(source: SourceId) {
        let subscriptions = venueSubscriptions(for: source)
        let symbols = (0..<700).map { "SYM\($0)USDT" }
        let plans = subscriptions.plan(exchangeSymbols: symbols)
        let perInstrument = subscriptions.topics(exchangeSymbol: "X").count
        #expect(plans.allSatisfy { $0.topics.count <= subscriptions.limits.topicsPerConnection })
        #expect(plans.map(\.topics.count).reduce(0, +) == symbols.count * perInstrument)
        #expect(plans.allSatisfy { $0.topics.count % perInstrument == 0 }, "an instrument's topics stay together")
        let requests = plans.flatMap(\.subscribeFrames).count
        #expect(requests >= symbols.count * perInstrument / subscriptions.limits.topicsPerRequest)
        #expect(subscriptions.limits.clientPingIntervalMillis == nil || subscriptions.pingFrame(nowMillis: 0) != nil)
    }

    @Test func mexcSpotThirtyPerConnection() {
        let plans = MEXCSpotSubscriptions().plan(exchangeSymbols: (0..<20).map { "S\($0)USDT" })
        #expect(plans.map(\.topics.count) == [30, 10])
        #expect(BybitSubscriptions(market: .spot).subscribeFrames((0..<25).map { "t\($0)" }, nowMillis: 0).count == 3)
    }
}

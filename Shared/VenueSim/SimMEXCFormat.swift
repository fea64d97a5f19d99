import DraizerCore
import MEXCProto
import SwiftProtobuf
import Venues

/// MEXC spot v3: binary protobuf pushes (aggregated book ticker and depth, built with the
/// official definitions) and Binance-shaped REST bodies.
struct SimMEXCSpotFormat: SimWireFormat {
    let source: SourceId
    var snapshotOnSubscribe: Bool { false }

    func wrapper(_ book: SimVenueBook, channel: String, timeMillis: Int64) -> PushDataV3ApiWrapper {
        var wrapper = PushDataV3ApiWrapper()
        wrapper.channel = channel
        wrapper.symbol = book.instrument.exchangeSymbol
        wrapper.sendTime = timeMillis
        return wrapper
    }

    func serialize(_ wrapper: PushDataV3ApiWrapper) -> [UInt8] {
        // Serialising a fully initialised proto3 message cannot fail.
        (try? wrapper.serializedBytes()) ?? []
    }

    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8] {
        let i = book.instrument
        var ticker = PublicAggreBookTickerV3Api()
        ticker.bidPrice = SimText.fixed(book.bestBid?.price ?? 0, i.priceScale)
        ticker.bidQuantity = SimText.fixed(book.bestBid?.quantity ?? 0, i.quantityScale)
        ticker.askPrice = SimText.fixed(book.bestAsk?.price ?? 0, i.priceScale)
        ticker.askQuantity = SimText.fixed(book.bestAsk?.quantity ?? 0, i.quantityScale)
        ticker.version = String(book.updateId)
        var frame = wrapper(book, channel: "spot@public.aggre.bookTicker.v3.api.pb@100ms@\(i.exchangeSymbol)", timeMillis: timeMillis)
        frame.publicAggreBookTicker = ticker
        return serialize(frame)
    }

    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        func items(_ side: Side) -> [PublicAggreDepthV3ApiItem] {
            changes.filter { $0.side == side }.map { change in
                var item = PublicAggreDepthV3ApiItem()
                item.price = SimText.fixed(change.price, i.priceScale)
                item.quantity = SimText.fixed(change.quantity, i.quantityScale)
                return item
            }
        }
        var depth = PublicAggreDepthsV3Api()
        depth.bids = items(.buy)
        depth.asks = items(.sell)
        depth.eventType = "spot@public.aggre.depth.v3.api.pb@100ms"
        depth.fromVersion = String(book.previousUpdateId + 1)
        depth.toVersion = String(book.updateId)
        var frame = wrapper(book, channel: "spot@public.aggre.depth.v3.api.pb@100ms@\(i.exchangeSymbol)", timeMillis: timeMillis)
        frame.publicAggreDepths = depth
        return serialize(frame)
    }

    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"lastUpdateId":\#(book.updateId),"bids":\#(SimText.pairs(SimText.levels(book.bids), i.priceScale, i.quantityScale)),"asks":\#(SimText.pairs(SimText.levels(book.asks), i.priceScale, i.quantityScale)),"timestamp":\#(timeMillis)}"#
                .utf8)
    }

    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8] {
        let symbols = instruments.map { i in
            #"{"symbol":"\#(i.exchangeSymbol)","status":"1","baseAsset":"\#(i.base)","quoteAsset":"\#(i.quote)","isSpotTradingAllowed":true,"quotePrecision":\#(i.priceScale),"baseAssetPrecision":\#(i.quantityScale),"baseSizePrecision":"\#(i.step)","quoteAmountPrecision":"1"}"#
        }
        return Array(#"{"timezone":"CST","serverTime":\#(timeMillis),"symbols":[\#(symbols.joined(separator: ","))]}"#.utf8)
    }

    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]? { nil }
}

/// MEXC contract: JSON pushes with numbers (`push.depth.full`, the best five levels a side, as the
/// top of book; `push.depth` with one `version` per message; `push.funding.rate`) and
/// `{"success":true,"code":0,"data":…}` REST.
struct SimMEXCContractFormat: SimWireFormat {
    let source: SourceId
    var snapshotOnSubscribe: Bool { false }

    func levels(_ levels: [(Int64, Int64)], _ i: SimInstrument) -> String {
        "[" + levels.map { "[\(SimText.plain($0.0, i.priceScale)),\(SimText.plain($0.1, i.quantityScale)),\($0.1 == 0 ? 0 : 1)]" }.joined(separator: ",") + "]"
    }

    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8] {
        let i = book.instrument
        let depth = MEXCContractSubscriptions.topOfBookLevels
        return Array(
            #"{"channel":"push.depth.full","data":{"asks":\#(levels(SimText.levels(Array(book.asks.prefix(depth))), i)),"bids":\#(levels(SimText.levels(Array(book.bids.prefix(depth))), i)),"version":\#(book.version)},"symbol":"\#(i.exchangeSymbol)","ts":\#(timeMillis)}"#
                .utf8)
    }

    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"channel":"push.depth","data":{"asks":\#(levels(SimText.changes(changes, .sell), i)),"bids":\#(levels(SimText.changes(changes, .buy), i)),"version":\#(book.version)},"symbol":"\#(i.exchangeSymbol)","ts":\#(timeMillis)}"#
                .utf8)
    }

    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"success":true,"code":0,"data":{"asks":\#(levels(SimText.levels(book.asks), i)),"bids":\#(levels(SimText.levels(book.bids), i)),"version":\#(book.version),"timestamp":\#(timeMillis)}}"#
                .utf8)
    }

    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8] {
        let data = instruments.map { i in
            #"{"symbol":"\#(i.exchangeSymbol)","baseCoin":"\#(i.base)","quoteCoin":"USDT","settleCoin":"USDT","state":0,"priceUnit":\#(i.tick),"volUnit":1,"minVol":1,"contractSize":\#(i.contractSize)}"#
        }
        return Array(#"{"success":true,"code":0,"data":[\#(data.joined(separator: ","))]}"#.utf8)
    }

    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]? {
        let i = book.instrument
        return Array(
            #"{"channel":"push.funding.rate","data":{"rate":\#(SimText.rate(rate)),"symbol":"\#(i.exchangeSymbol)","nextSettleTime":\#(nextSettlementMillis)},"symbol":"\#(i.exchangeSymbol)","ts":\#(timeMillis)}"#
                .utf8)
    }
}

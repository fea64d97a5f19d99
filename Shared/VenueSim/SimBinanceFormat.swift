import DraizerCore

/// Binance combined-stream frames and REST bodies (spot and USDⓈ-M).
struct SimBinanceFormat: SimWireFormat {
    let source: SourceId
    var snapshotOnSubscribe: Bool { false }
    var isPerp: Bool { source.market == .perp }

    func stream(_ book: SimVenueBook, _ suffix: String) -> String { "\(book.instrument.exchangeSymbol.lowercased())@\(suffix)" }

    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8] {
        let i = book.instrument
        let bid = book.bestBid ?? .empty
        let ask = book.bestAsk ?? .empty
        let times = isPerp ? #""e":"bookTicker","T":\#(timeMillis),"E":\#(timeMillis),"# : ""
        return Array(
            #"{"stream":"\#(stream(book, "bookTicker"))","data":{\#(times)"u":\#(book.updateId),"s":"\#(i.exchangeSymbol)","b":"\#(SimText.fixed(bid.price, i.priceScale))","B":"\#(SimText.fixed(bid.quantity, i.quantityScale))","a":"\#(SimText.fixed(ask.price, i.priceScale))","A":"\#(SimText.fixed(ask.quantity, i.quantityScale))"}}"#
                .utf8)
    }

    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        let previous = isPerp ? #","T":\#(timeMillis),"pu":\#(book.previousUpdateId)"# : ""
        return Array(
            #"{"stream":"\#(stream(book, "depth@100ms"))","data":{"e":"depthUpdate","E":\#(timeMillis)\#(previous),"s":"\#(i.exchangeSymbol)","U":\#(book.previousUpdateId + 1),"u":\#(book.updateId),"b":\#(SimText.pairs(SimText.changes(changes, .buy), i.priceScale, i.quantityScale)),"a":\#(SimText.pairs(SimText.changes(changes, .sell), i.priceScale, i.quantityScale))}}"#
                .utf8)
    }

    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        let times = isPerp ? #","E":\#(timeMillis),"T":\#(timeMillis)"# : ""
        return Array(
            #"{"lastUpdateId":\#(book.updateId)\#(times),"bids":\#(SimText.pairs(SimText.levels(book.bids), i.priceScale, i.quantityScale)),"asks":\#(SimText.pairs(SimText.levels(book.asks), i.priceScale, i.quantityScale))}"#
                .utf8)
    }

    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8] {
        let symbols = instruments.map { i in
            let kind = isPerp ? #""contractType":"PERPETUAL","marginAsset":"USDT","# : #""isSpotTradingAllowed":true,"#
            let notional = isPerp ? #"{"filterType":"MIN_NOTIONAL","notional":"5"}"# : #"{"filterType":"NOTIONAL","minNotional":"\#(i.minNotional)"}"#
            return #"{"symbol":"\#(i.exchangeSymbol)","status":"TRADING","baseAsset":"\#(i.base)","quoteAsset":"\#(i.quote)",\#(kind)"filters":[{"filterType":"PRICE_FILTER","minPrice":"\#(i.tick)","maxPrice":"10000000","tickSize":"\#(i.tick)"},{"filterType":"LOT_SIZE","minQty":"\#(i.step)","maxQty":"9000000","stepSize":"\#(i.step)"},\#(notional)]}"#
        }
        return Array(#"{"timezone":"UTC","serverTime":\#(timeMillis),"symbols":[\#(symbols.joined(separator: ","))]}"#.utf8)
    }

    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]? {
        guard isPerp else { return nil }
        let i = book.instrument
        let mid = ((book.bestBid?.price ?? 0) + (book.bestAsk?.price ?? 0)) / 2
        return Array(
            #"{"stream":"\#(stream(book, "markPrice@1s"))","data":{"e":"markPriceUpdate","E":\#(timeMillis),"s":"\#(i.exchangeSymbol)","p":"\#(SimText.fixed(mid, i.priceScale))","i":"\#(SimText.fixed(mid, i.priceScale))","P":"\#(SimText.fixed(mid, i.priceScale))","r":"\#(SimText.rate(rate))","T":\#(nextSettlementMillis)}}"#
                .utf8)
    }
}

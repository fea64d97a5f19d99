import DraizerCore

/// Bybit v5: WS order-book snapshot/delta, `orderbook.1` as top of book on both markets, linear
/// tickers (funding, mark, best levels) as the funding frame.
struct SimBybitFormat: SimWireFormat {
    let source: SourceId
    var snapshotOnSubscribe: Bool { true }
    let depth = 50

    func book(_ book: SimVenueBook, type: String, topic: String, bids: [(Int64, Int64)], asks: [(Int64, Int64)], u: UInt64, timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"topic":"\#(topic)","type":"\#(type)","ts":\#(timeMillis),"data":{"s":"\#(i.exchangeSymbol)","b":\#(SimText.pairs(bids, i.priceScale, i.quantityScale)),"a":\#(SimText.pairs(asks, i.priceScale, i.quantityScale)),"u":\#(u),"seq":\#(book.sequence)},"cts":\#(timeMillis)}"#
                .utf8)
    }

    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8] {
        let bid = book.bestBid ?? .empty
        let ask = book.bestAsk ?? .empty
        return self.book(
            book, type: "snapshot", topic: "orderbook.1.\(book.instrument.exchangeSymbol)", bids: [(bid.price, bid.quantity)],
            asks: [(ask.price, ask.quantity)], u: book.messageCount, timeMillis: timeMillis)
    }

    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8] {
        self.book(
            book, type: "delta", topic: "orderbook.\(depth).\(book.instrument.exchangeSymbol)", bids: SimText.changes(changes, .buy),
            asks: SimText.changes(changes, .sell), u: book.messageCount, timeMillis: timeMillis)
    }

    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8] {
        self.book(
            book, type: "snapshot", topic: "orderbook.\(depth).\(book.instrument.exchangeSymbol)", bids: SimText.levels(book.bids),
            asks: SimText.levels(book.asks), u: book.messageCount, timeMillis: timeMillis)
    }

    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8] {
        let list = instruments.map { i in
            source.market == .spot
                ? #"{"symbol":"\#(i.exchangeSymbol)","baseCoin":"\#(i.base)","quoteCoin":"\#(i.quote)","status":"Trading","lotSizeFilter":{"basePrecision":"\#(i.step)","minOrderQty":"\#(i.step)","minOrderAmt":"\#(i.minNotional)"},"priceFilter":{"tickSize":"\#(i.tick)"}}"#
                : #"{"symbol":"\#(i.exchangeSymbol)","contractType":"LinearPerpetual","status":"Trading","baseCoin":"\#(i.base)","quoteCoin":"USDT","settleCoin":"USDT","fundingInterval":480,"priceFilter":{"tickSize":"\#(i.tick)"},"lotSizeFilter":{"qtyStep":"\#(i.step)","minOrderQty":"\#(i.step)","minNotionalValue":"5"}}"#
        }
        let category = source.market == .spot ? "spot" : "linear"
        return Array(#"{"retCode":0,"retMsg":"OK","result":{"category":"\#(category)","list":[\#(list.joined(separator: ","))],"nextPageCursor":""},"time":\#(timeMillis)}"#.utf8)
    }

    /// Linear tickers: funding, mark and index, and the best levels as Bybit sends them.
    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]? {
        guard source.market == .perp else { return nil }
        let i = book.instrument
        let bid = book.bestBid ?? .empty
        let ask = book.bestAsk ?? .empty
        let mid = (bid.price + ask.price) / 2
        return Array(
            #"{"topic":"tickers.\#(i.exchangeSymbol)","type":"snapshot","data":{"symbol":"\#(i.exchangeSymbol)","markPrice":"\#(SimText.fixed(mid, i.priceScale))","indexPrice":"\#(SimText.fixed(mid, i.priceScale))","fundingIntervalHour":"8","nextFundingTime":"\#(nextSettlementMillis)","fundingRate":"\#(SimText.rate(rate))","bid1Price":"\#(SimText.fixed(bid.price, i.priceScale))","bid1Size":"\#(SimText.fixed(bid.quantity, i.quantityScale))","ask1Price":"\#(SimText.fixed(ask.price, i.priceScale))","ask1Size":"\#(SimText.fixed(ask.quantity, i.quantityScale))"},"cs":\#(book.sequence),"ts":\#(timeMillis)}"#
                .utf8)
    }
}

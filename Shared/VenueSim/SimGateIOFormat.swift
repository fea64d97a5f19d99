import DraizerCore

/// Gate.io APIv4: `…book_ticker`, `…order_book_update` (spot `[p,q]` arrays, futures `{p,s}`
/// objects with whole-contract sizes), REST `with_id` snapshots, `futures.tickers` funding.
struct SimGateIOFormat: SimWireFormat {
    let source: SourceId
    var snapshotOnSubscribe: Bool { false }
    var prefix: String { source.market == .spot ? "spot" : "futures" }
    var isPerp: Bool { source.market == .perp }

    /// Futures sizes are JSON integers (contracts); spot sizes are decimal strings.
    func size(_ quantity: Int64, _ i: SimInstrument) -> String {
        isPerp ? SimText.plain(quantity, i.quantityScale) : SimText.quoted(SimText.fixed(quantity, i.quantityScale))
    }

    func levels(_ levels: [(Int64, Int64)], _ i: SimInstrument) -> String {
        guard isPerp else { return SimText.pairs(levels, i.priceScale, i.quantityScale) }
        return "[" + levels.map { #"{"p":"\#(SimText.fixed($0.0, i.priceScale))","s":\#(SimText.plain($0.1, i.quantityScale))}"# }.joined(separator: ",") + "]"
    }

    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8] {
        let i = book.instrument
        let bid = book.bestBid ?? .empty
        let ask = book.bestAsk ?? .empty
        return Array(
            #"{"time":\#(timeMillis / 1000),"time_ms":\#(timeMillis),"channel":"\#(prefix).book_ticker","event":"update","result":{"t":\#(timeMillis),"u":\#(book.updateId),"s":"\#(i.exchangeSymbol)","b":"\#(SimText.fixed(bid.price, i.priceScale))","B":\#(size(bid.quantity, i)),"a":"\#(SimText.fixed(ask.price, i.priceScale))","A":\#(size(ask.quantity, i))}}"#
                .utf8)
    }

    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"time":\#(timeMillis / 1000),"time_ms":\#(timeMillis),"channel":"\#(prefix).order_book_update","event":"update","result":{"t":\#(timeMillis),"e":"depthUpdate","E":\#(timeMillis / 1000),"s":"\#(i.exchangeSymbol)","U":\#(book.previousUpdateId + 1),"u":\#(book.updateId),"b":\#(levels(SimText.changes(changes, .buy), i)),"a":\#(levels(SimText.changes(changes, .sell), i))}}"#
                .utf8)
    }

    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"id":\#(book.updateId),"current":\#(timeMillis),"update":\#(timeMillis),"asks":\#(levels(SimText.levels(book.asks), i)),"bids":\#(levels(SimText.levels(book.bids), i))}"#
                .utf8)
    }

    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8] {
        let next = (timeMillis / 28_800_000 + 1) * 28_800_000 / 1000
        let items = instruments.enumerated().map { index, i in
            isPerp
                ? #"{"name":"\#(i.exchangeSymbol)","type":"direct","in_delisting":false,"order_price_round":"\#(i.tick)","order_size_min":1,"quanto_multiplier":"\#(i.contractSize)","funding_rate":"\#(SimText.rate(fundingRates[index]))","funding_interval":28800,"funding_next_apply":\#(next)}"#
                : #"{"id":"\#(i.exchangeSymbol)","base":"\#(i.base)","quote":"\#(i.quote)","fee":"0.2","min_quote_amount":"\#(i.minNotional)","amount_precision":\#(i.quantityScale),"precision":\#(i.priceScale),"trade_status":"tradable","sell_start":0,"buy_start":0}"#
        }
        return Array("[\(items.joined(separator: ","))]".utf8)
    }

    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]? {
        guard isPerp else { return nil }
        let i = book.instrument
        let mid = ((book.bestBid?.price ?? 0) + (book.bestAsk?.price ?? 0)) / 2
        return Array(
            #"{"time":\#(timeMillis / 1000),"time_ms":\#(timeMillis),"channel":"futures.tickers","event":"update","result":[{"contract":"\#(i.exchangeSymbol)","funding_rate":"\#(SimText.rate(rate))","mark_price":"\#(SimText.fixed(mid, i.priceScale))","index_price":"\#(SimText.fixed(mid, i.priceScale))"}]}"#
                .utf8)
    }
}

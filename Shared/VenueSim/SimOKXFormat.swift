import DraizerCore
import Venues

/// OKX v5: `bbo-tbt` top of book, `books` snapshot/update with CRC32 checksum and sequence ids,
/// `funding-rate` pushes; numbers written without trailing zeros, as OKX does.
struct SimOKXFormat: SimWireFormat {
    let source: SourceId
    var snapshotOnSubscribe: Bool { true }

    func levels(_ levels: [(Int64, Int64)], _ i: SimInstrument) -> String {
        "[" + levels.map { #"["\#(SimText.plain($0.0, i.priceScale))","\#(SimText.plain($0.1, i.quantityScale))","0","1"]"# }.joined(separator: ",") + "]"
    }

    func checksum(_ book: SimVenueBook) -> Int32 {
        OKXChecksum.compute(bids: book.bids, asks: book.asks, priceScale: book.instrument.priceScale, quantityScale: book.instrument.quantityScale)
    }

    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8] {
        let i = book.instrument
        let bid = book.bestBid ?? .empty
        let ask = book.bestAsk ?? .empty
        return Array(
            #"{"arg":{"channel":"bbo-tbt","instId":"\#(i.exchangeSymbol)"},"data":[{"asks":\#(levels([(ask.price, ask.quantity)], i)),"bids":\#(levels([(bid.price, bid.quantity)], i)),"ts":"\#(timeMillis)","seqId":\#(book.sequence)}]}"#
                .utf8)
    }

    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"arg":{"channel":"books","instId":"\#(i.exchangeSymbol)"},"action":"update","data":[{"asks":\#(levels(SimText.changes(changes, .sell), i)),"bids":\#(levels(SimText.changes(changes, .buy), i)),"ts":"\#(timeMillis)","checksum":\#(checksum(book)),"prevSeqId":\#(book.previousSequence),"seqId":\#(book.sequence)}]}"#
                .utf8)
    }

    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8] {
        let i = book.instrument
        return Array(
            #"{"arg":{"channel":"books","instId":"\#(i.exchangeSymbol)"},"action":"snapshot","data":[{"asks":\#(levels(SimText.levels(book.asks), i)),"bids":\#(levels(SimText.levels(book.bids), i)),"ts":"\#(timeMillis)","checksum":\#(checksum(book)),"prevSeqId":-1,"seqId":\#(book.sequence)}]}"#
                .utf8)
    }

    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8] {
        let data = instruments.map { i in
            source.market == .spot
                ? #"{"instType":"SPOT","instId":"\#(i.exchangeSymbol)","baseCcy":"\#(i.base)","quoteCcy":"\#(i.quote)","settleCcy":"","ctType":"","state":"live","tickSz":"\#(i.tick)","lotSz":"\#(i.step)","minSz":"\#(i.step)"}"#
                : #"{"instType":"SWAP","instId":"\#(i.exchangeSymbol)","baseCcy":"","quoteCcy":"","settleCcy":"USDT","ctType":"linear","ctVal":"\#(i.contractSize)","ctValCcy":"\#(i.base)","state":"live","tickSz":"\#(i.tick)","lotSz":"\#(i.step)","minSz":"\#(i.step)","uly":"\#(i.base)-USDT"}"#
        }
        return Array(#"{"code":"0","msg":"","data":[\#(data.joined(separator: ","))]}"#.utf8)
    }

    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]? {
        guard source.market == .perp else { return nil }
        let i = book.instrument
        return Array(
            #"{"arg":{"channel":"funding-rate","instId":"\#(i.exchangeSymbol)"},"data":[{"fundingRate":"\#(SimText.rate(rate))","fundingTime":"\#(nextSettlementMillis)","nextFundingTime":"\#(nextSettlementMillis + 28_800_000)","instId":"\#(i.exchangeSymbol)","instType":"SWAP","method":"current_period","ts":"\#(timeMillis)"}]}"#
                .utf8)
    }
}

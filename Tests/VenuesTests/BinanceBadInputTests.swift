import DraizerCore
import Testing
import Venues

@Suite struct BinanceBadInputTests {
    static let good = #"{"u":1,"s":"BTCUSDT","b":"100.5","B":"1","a":"100.6","A":"2"}"#

    /// Each malformed frame gives a typed error; nothing is returned as a price.
    @Test(arguments: [
        (#"{"u":1,"s":"BTCUSDT","b":"100.5","B":"1","a":"100.6","#, VenueParseError.truncated),
        (#"{"u":1,"s":"BTCUSDT","b":"100.5","B":"1","a":"100.6"}"#, .missingField("A")),
        (#"{"u":1,"s":"BTCUSDT","b":"NaN","B":"1","a":"100.6","A":"2"}"#, .invalidDecimal("b", .notANumber)),
        (#"{"u":1,"s":"BTCUSDT","b":"-100.5","B":"1","a":"100.6","A":"2"}"#, .nonPositive("bid")),
        (#"{"u":1,"s":"BTCUSDT","b":"0","B":"1","a":"100.6","A":"2"}"#, .nonPositive("bid")),
        (#"{"u":1,"s":"BTCUSDT","b":"100.5","B":"-1","a":"100.6","A":"2"}"#, .nonPositive("bidQty")),
        (#"{"u":1,"s":"BTCUSDT","b":"100.7","B":"1","a":"100.6","A":"2"}"#, .crossedQuote),
        (#"{"u":1,"s":"BTCUSDT","b":"1e999","B":"1","a":"100.6","A":"2"}"#, .invalidDecimal("b", .exponentOutOfRange)),
        (#"{"u":"x","s":"BTCUSDT","b":"100.5","B":"1","a":"100.6","A":"2"}"#, .wrongType("u")),
        (#"{"u":1,"s":"BTCUSDT","b":null,"B":"1","a":"100.6","A":"2"}"#, .wrongType("b")),
        (#"{"u":1,"s":BTCUSDT,"b":"100.5","B":"1","a":"100.6","A":"2"}"#, .unexpectedByte(offset: 11)),
        (#"{"e":"trade","s":"BTCUSDT"}"#, .unsupportedMessage),
        (#"{"result":null,"id":1}"#, .unsupportedMessage),
        (#"{"stream":"btcusdt@bookTicker"}"#, .missingField("data")),
        (#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate"}}"#, .unsupportedMessage),
        ("", .truncated),
        ("[]", .unexpectedByte(offset: 0)),
    ])
    func malformedTickersAreRejected(text: String, expected: VenueParseError) {
        var ticker = TopOfBookQuote()
        let frame = Array(text.utf8)
        #expect(throws: expected) { try frame.withUnsafeBytes { try BinanceTopOfBookParser.parse($0, into: &ticker) } }
    }

    @Test(.timeLimit(.minutes(1)), arguments: [
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":4,"b":[],"a":[]}"#, VenueParseError.wrongType("U")),
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[["1.0"]],"a":[]}"#, .missingField("b")),
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[["1.0","-2"]],"a":[]}"#, .nonPositive("b")),
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":{},"a":[]}"#, .wrongType("b")),
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[["NaN","1"]],"a":[]}"#, .invalidDecimal("b", .notANumber)),
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[]}"#, .missingField("a")),
        // A separator where a level's next element should be: the level loop once asked for that
        // element again for ever, and the gateway's event loop hung.
        (#"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[["1.0","2"}],"a":[]}"#, .unexpectedByte(offset: 60)),
    ])
    func malformedDiffsAreRejected(text: String, expected: VenueParseError) {
        var depth = DepthMessage()
        let frame = Array(text.utf8)
        #expect(throws: expected) { try frame.withUnsafeBytes { try BinanceDepthParser.parseDiff($0, into: &depth) } }
    }

    /// Levels read the same in the compact form venues send and in any other valid JSON shape;
    /// every prefix of a diff is an error.
    @Test func levelShapesReadAlike() throws {
        let text = #"{"e":"depthUpdate","E":1,"s":"X","U":5,"u":6,"b":[["1.5","2"], [ "1.4" , "3" ],[1.3,4],["1.2","5","x",[1]],["1.1" ,"6"]],"a":[["1.6","0"]]}"#
        var depth = DepthMessage()
        let frame = Array(text.utf8)
        try frame.withUnsafeBytes { try BinanceDepthParser.parseDiff($0, into: &depth) }
        let bids = depth.bids.map { "\($0.price)/\($0.quantity)" }
        #expect(bids == ["1.5/2", "1.4/3", "1.3/4", "1.2/5", "1.1/6"])
        #expect(depth.asks.map { "\($0.price)/\($0.quantity)" } == ["1.6/0"])
        for length in 0..<frame.count {
            let prefix = Array(frame[0..<length])
            #expect(throws: VenueParseError.self) { try prefix.withUnsafeBytes { try BinanceDepthParser.parseDiff($0, into: &depth) } }
        }
    }

    /// Every prefix of a valid frame is an error, never a crash or a price.
    @Test func everyTruncationIsAnError() {
        var ticker = TopOfBookQuote()
        let frame = Array(Self.good.utf8)
        for length in 0..<frame.count {
            let prefix = Array(frame[0..<length])
            #expect(throws: VenueParseError.self) { try prefix.withUnsafeBytes { try BinanceTopOfBookParser.parse($0, into: &ticker) } }
        }
        #expect(throws: Never.self) { try frame.withUnsafeBytes { try BinanceTopOfBookParser.parse($0, into: &ticker) } }
    }

    @Test func keyOrderAndEnvelopeDoNotMatter() throws {
        var ticker = TopOfBookQuote()
        let frames = [
            #"{"A":"2","a":"100.6","B":"1","b":"100.5","s":"BTCUSDT","u":1}"#,
            #"{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"100.5","B":"1","a":"100.6","A":"2"}}"#,
            #"{ "u" : 1 , "s" : "BTCUSDT" , "b" : "100.5" , "B" : "1" , "a" : "100.6" , "A" : "2" , "x" : [1,{"y":"}"}] }"#,
        ]
        for text in frames {
            let frame = Array(text.utf8)
            try frame.withUnsafeBytes { try BinanceTopOfBookParser.parse($0, into: &ticker) }
            #expect(ticker.askPrice == "100.6" && ticker.bidQuantity == "1" && ticker.updateId == 1)
        }
    }
}

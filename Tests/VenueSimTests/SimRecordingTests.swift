import DraizerCore
import Foundation
import TestSupport
import Testing
import VenueSim

/// Replay mode's reading of the recorded fixtures: every recorded frame, in each track's receive
/// order, on one clock per source.
@Suite struct SimRecordingTests {
    @Test func venueTimeIsReadFromEachVenuesField() {
        func time(_ text: String) -> Int64? { SimRecording.venueTimeMillis(Array(text.utf8)) }
        #expect(time(#"{"stream":"x@depth@100ms","data":{"e":"depthUpdate","E":1633998512068,"s":"NKNUSDT"}}"#) == 1_633_998_512_068)
        #expect(time(#"{"stream":"x@bookTicker","data":{"u":499869768,"s":"NKNUSDT","b":"0.35210000"}}"#) == nil)
        #expect(time(#"{"time":1684930185,"time_ms":1684930185161,"channel":"futures.order_book_update"}"#) == 1_684_930_185_161)
        #expect(time(#"{"arg":{"channel":"tickers"},"data":[{"askPx":"30228.7","ts":"1652459224956"}]}"#) == 1_652_459_224_956)
        // Gate spot: `E` is in seconds there; `t` carries the milliseconds.
        #expect(time(#"{"time":1619093533,"result":{"t":1619093533023,"E":1619093533,"s":"OMG_USDT"}}"#) == 1_619_093_533_023)
        #expect(time(#"{"time":1619093535,"channel":"spot.tickers","result":{"currency_pair":"OMG_USDT"}}"#) == 1_619_093_535_000)
    }

    @Test func recordedFixturesLoadInReceiveOrder() throws {
        let recording = try SimRecording.load(root: Fixtures.root.path)
        #expect(recording.sources[SourceId(exchange: .mexc, market: .spot).index] == nil, "MEXC has no contiguous recording")
        let binance = try #require(recording.sources[SourceId(exchange: .binance, market: .spot).index])
        #expect(binance.tracks.map(\.exchangeSymbol) == ["BLZETH", "LRCBTC", "NKNUSDT"])
        #expect(binance.tracks.allSatisfy { $0.snapshot != nil })
        #expect(binance.instrumentsBody?.count == 1_860_807)
        for (index, track) in binance.tracks.enumerated() {
            let recorded = try Fixtures.lines("binance/replay/spot-\(track.exchangeSymbol)/stream.jsonl")
            let played = binance.frames.filter { $0.track == index }.map(\.bytes)
            #expect(played == recorded, "\(track.exchangeSymbol): every frame, in receive order")
        }
        #expect(zip(binance.frames, binance.frames.dropFirst()).allSatisfy { $0.offsetMillis <= $1.offsetMillis })
        #expect(binance.frames.first?.offsetMillis == 0)
        #expect((25_000...35_000).contains(binance.durationMillis), "the session lasted about 30 s: \(binance.durationMillis)")
        #expect(binance.topics["nknusdt@bookTicker"] == 2 && binance.topics["blzeth@depth@100ms"] == 0)
    }

    @Test func aFolderWithoutRecordingsIsRefused() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("norec-\(getpid())").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: SimRecordingError.nothingToReplay(empty)) { try SimRecording.load(root: empty) }
    }
}

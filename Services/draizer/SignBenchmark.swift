import ArgumentParser
import CAllocCounter
import DraizerCore
import Venues

/// `draizer bench sign`: nanoseconds to sign one REST request per venue (the order path pays this
/// once per leg). One JSON line per venue, as the fast-path benchmarks print.
struct SignBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Request-signing cost per venue (ns per request).")

    @Option(help: "Requests per run.") var requests: Int = 20_000
    @Option(help: "Runs.") var runs: Int = 7

    func run() throws {
        guard runs > 0, requests > 0 else { throw CommandFailure("--runs and --requests: expected at least 1, were \(runs) and \(requests)") }
        let credentials = Credentials(key: "bench-key-0123456789", secret: "bench-secret-0123456789abcdef", passphrase: "bench")
        let body = #"{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"60000","timeInForce":"IOC"}"#
        let cases: [(String, SourceId, SignableRequest)] = [
            ("sign.binance", SourceId(exchange: .binance, market: .spot), SignableRequest(method: .post, path: "/api/v3/order", query: "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.001&price=60000", timestampMillis: 1_767_225_600_000, recvWindowMillis: 5000)),
            ("sign.bybit", SourceId(exchange: .bybit, market: .perp), SignableRequest(method: .post, path: "/v5/order/create", body: body, timestampMillis: 1_767_225_600_000, recvWindowMillis: 5000)),
            ("sign.okx", SourceId(exchange: .okx, market: .spot), SignableRequest(method: .post, path: "/api/v5/trade/order", body: body, timestampMillis: 1_767_225_600_000)),
            ("sign.gateio", SourceId(exchange: .gateio, market: .perp), SignableRequest(method: .post, path: "/api/v4/futures/usdt/orders", body: body, timestampMillis: 1_767_225_600_000)),
            ("sign.mexc", SourceId(exchange: .mexc, market: .perp), SignableRequest(method: .post, path: "/api/v1/private/order/submit", body: body, timestampMillis: 1_767_225_600_000)),
        ]
        for (name, source, request) in cases {
            let signer = requestSigner(for: source)
            var samples = SampleSet()
            var sink = 0
            for _ in 0..<1000 { sink &+= try signer.sign(request, with: credentials).signature.utf8.count }
            let allocationsBefore = drz_alloc_count()
            for _ in 0..<runs {
                let start = MonotonicClock.now()
                for _ in 0..<requests { sink &+= try signer.sign(request, with: credentials).signature.utf8.count }
                let mean = Double(MonotonicClock.now() - start) / Double(requests)
                samples.add(mean)
                samples.endRun(mean: mean)
            }
            var result = samples.result(name, allocsPerOp: Double(drz_alloc_count() &- allocationsBefore) / Double(runs * requests))
            result.note = "samples are run means; signing builds strings, off the market-data hot path"
            if sink == 42 { printLine("") }
            printLine(result.jsonLine)
        }
    }
}

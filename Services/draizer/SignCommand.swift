import ArgumentParser
import DraizerCore
import Venues

/// `draizer sign`: shows exactly what would be sent for a signed REST request, to debug a
/// signature a venue rejects. The secret can come from `{EXCHANGE}_API_SECRET` (and the
/// passphrase from `{EXCHANGE}_API_PASSPHRASE`) so it does not appear in the process list.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Sign a REST request and print the signature, query, body and headers.")

    @Option(help: "binance, bybit, okx, mexc or gateio") var exchange: String
    @Option(help: "spot or perp") var market: String
    @Option(help: "GET, POST, PUT or DELETE") var method: String
    @Option(help: "Request path, e.g. /api/v3/order") var path: String
    @Option(help: "Encoded query parameters, e.g. 'a=1&b=2'") var params: String = ""
    @Option(help: "Request body exactly as sent") var body: String = ""
    @Option(help: "API key (default: env {EXCHANGE}_API_KEY)") var key: String?
    @Option(help: "API secret (default: env {EXCHANGE}_API_SECRET)") var secret: String?
    @Option(help: "API passphrase, OKX (default: env {EXCHANGE}_API_PASSPHRASE)") var passphrase: String?
    @Option(help: "Milliseconds since the epoch") var timestamp: Int64
    @Option(help: "Validity window in milliseconds (Binance, Bybit, MEXC spot)") var recvWindow: Int?

    func run() throws {
        guard let venue = Exchange(name: exchange) else {
            throw CommandFailure("--exchange: expected binance, bybit, okx, mexc or gateio, was \(exchange)")
        }
        guard let kind = MarketKind(name: market) else { throw CommandFailure("--market: expected spot or perp, was \(market)") }
        guard let verb = SignableRequest.Method(rawValue: method.uppercased()) else {
            throw CommandFailure("--method: expected GET, POST, PUT or DELETE, was \(method)")
        }
        let prefix = venue.name.uppercased()
        guard let apiKey = key ?? Environment.value("\(prefix)_API_KEY") else {
            throw CommandFailure("expected --key or \(prefix)_API_KEY, was neither")
        }
        guard let apiSecret = secret ?? Environment.value("\(prefix)_API_SECRET") else {
            throw CommandFailure("expected --secret or \(prefix)_API_SECRET, was neither")
        }
        let source = SourceId(exchange: venue, market: kind)
        let request = SignableRequest(
            method: verb, path: path, query: params, body: body, timestampMillis: timestamp, recvWindowMillis: recvWindow)
        let credentials = Credentials(
            key: apiKey, secret: apiSecret, passphrase: passphrase ?? Environment.value("\(prefix)_API_PASSPHRASE"))
        let signed: SignedRequest
        do {
            signed = try requestSigner(for: source).sign(request, with: credentials)
        } catch {
            throw CommandFailure("\(error)")
        }
        let headers = JSONText.object(signed.headers.map { ($0.name, JSONText.quote($0.value)) })
        printLine(
            JSONText.object([
                ("signature", JSONText.quote(signed.signature)), ("query", JSONText.quote(signed.query)),
                ("body", JSONText.quote(signed.body)), ("headers", headers),
            ]))
    }
}

import DraizerCore
import Foundation
import TestSupport
import Testing
import Venues

@Suite struct SigningVectorTests {
    static func vectors() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("signing/vectors.json"))) as! [[String: Any]]
    }

    static func source(_ vector: [String: Any]) -> SourceId {
        let exchange = Exchange(name: vector["exchange"] as! String)!
        let market = vector["market"] as! String
        let isSpot = market == "spot" || market.hasPrefix("spot") || (exchange == .okx)
        return SourceId(exchange: exchange, market: isSpot && !market.contains("perp") ? .spot : .perp)
    }

    static func millis(_ vector: [String: Any], exchange: Exchange) -> Int64 {
        if let text = vector["timestamp"] as? String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return Int64((formatter.date(from: text)!.timeIntervalSince1970 * 1000).rounded())
        }
        let value = (vector["timestamp"] as! NSNumber).int64Value
        return exchange == .gateio ? value * 1000 : value
    }

    /// Every vector yields its expected signature, prehash, headers and encoded request.
    @Test func everyVectorSignsAsDocumented() throws {
        var checked = 0
        for vector in try Self.vectors() {
            let id = vector["id"] as! String
            let secret = vector["secret"] as? String ?? ""
            guard let methodName = vector["method"] as? String else {
                // The bare HMAC-SHA512 primitive (Gate's published example).
                let signature = Digest.hex(Digest.hmac(.sha512, key: secret, message: vector["prehash"] as! String))
                #expect(signature == vector["expected_signature"] as? String, "\(id)")
                checked += 1
                continue
            }
            let source = Self.source(vector)
            let request = SignableRequest(
                method: SignableRequest.Method(rawValue: methodName)!, path: vector["path"] as! String,
                query: vector["query"] as? String ?? "", body: vector["body"] as? String ?? "",
                timestampMillis: Self.millis(vector, exchange: source.exchange),
                recvWindowMillis: (vector["recv_window"] as? NSNumber)?.intValue)
            // Documentation vectors that publish no secret test the prehash only.
            let credentials = Credentials(
                key: vector["api_key"] as? String ?? "", secret: secret.isEmpty ? "unpublished" : secret,
                passphrase: vector["passphrase"] as? String)
            let signed = try requestSigner(for: source).sign(request, with: credentials)
            #expect(signed.prehash == vector["prehash"] as? String, "\(id) prehash")
            let expectedSignature = vector["expected_signature"] as? String
            if let expectedSignature { #expect(signed.signature == expectedSignature, "\(id) signature") }
            if let headers = vector["expected_headers"] as? [String: String] {
                var mine = Dictionary(uniqueKeysWithValues: signed.headers.map { ($0.name, $0.value) })
                var theirs = headers
                if expectedSignature == nil {  // the documented signature was made with an unknown secret
                    mine["X-BAPI-SIGN"] = nil
                    theirs["X-BAPI-SIGN"] = nil
                }
                #expect(mine == theirs, "\(id) headers")
            }
            if let encoded = vector["encoded_request"] as? String {
                let line = VenueEndpoints.production(source).describe(method: request.method, path: request.path, signed: signed)
                #expect(line == encoded, "\(id) encoded request")
            }
            checked += 1
        }
        #expect(checked == 22)
    }

    @Test func timingParametersAreAddedOnlyWhenAbsent() throws {
        let request = SignableRequest(method: .get, path: "/api/v3/openOrders", query: "symbol=BTCUSDT", timestampMillis: 1_767_225_600_000, recvWindowMillis: 5000)
        let signed = try BinanceSigner().sign(request, with: Credentials(key: "k", secret: "s"))
        #expect(signed.prehash == "symbol=BTCUSDT&recvWindow=5000&timestamp=1767225600000")
        #expect(signed.query == "symbol=BTCUSDT&recvWindow=5000&timestamp=1767225600000&signature=\(signed.signature)")
    }

    @Test func badCredentialsAreClear() {
        let request = SignableRequest(method: .get, path: "/api/v5/account/balance", timestampMillis: 0)
        #expect(throws: SigningError.missingPassphrase) { try OKXSigner().sign(request, with: Credentials(key: "k", secret: "s")) }
        #expect(throws: SigningError.emptySecret) { try BybitSigner().sign(request, with: Credentials(key: "k", secret: "")) }
        #expect(!"\(Credentials(key: "abcdef", secret: "topsecret", passphrase: "pp"))".contains("topsecret"))
        #expect(OKXSigner.isoTimestamp(millis: 1_607_418_537_715) == "2020-12-08T09:08:57.715Z")
        #expect(OKXSigner.isoTimestamp(millis: 0) == "1970-01-01T00:00:00.000Z")
    }
}

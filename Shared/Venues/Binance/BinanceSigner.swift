/// Binance (spot and USDⓈ-M): hex HMAC-SHA256 over the query string followed directly by the
/// body (no separator). `recvWindow` and `timestamp` are added to the parameters when absent; the
/// signature goes last, in the body when there is one, otherwise in the query.
public struct BinanceSigner: RequestSigner {
    public init() {}

    public func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest {
        try TotalParams.sign(request, with: credentials, keyHeader: "X-MBX-APIKEY", jsonContentType: false)
    }
}

/// The "totalParams" convention shared by Binance and MEXC spot.
enum TotalParams {
    /// Hex HMAC-SHA256 over query + body; the signature appended to the body when there is one,
    /// otherwise to the query; the key in `keyHeader`.
    static func sign(_ request: SignableRequest, with credentials: Credentials, keyHeader: String, jsonContentType: Bool)
        throws(SigningError) -> SignedRequest
    {
        guard !credentials.secret.isEmpty else { throw .emptySecret }
        var (query, body) = withTiming(request)
        let prehash = query + body
        let signature = Digest.hex(Digest.hmac(.sha256, key: credentials.secret, message: prehash))
        if body.isEmpty {
            query = append("signature=\(signature)", to: query)
        } else {
            body = append("signature=\(signature)", to: body)
        }
        var headers: [SignedRequest.Header] = [.init(keyHeader, credentials.key)]
        if jsonContentType && request.method != .get { headers.append(.init("Content-Type", "application/json")) }
        return SignedRequest(signature: signature, prehash: prehash, query: query, body: body, headers: headers)
    }

    /// Adds `recvWindow` (when given) and `timestamp` unless the parameters already carry a
    /// timestamp; they go to the body when it holds the parameters, otherwise to the query.
    static func withTiming(_ request: SignableRequest) -> (query: String, body: String) {
        var query = request.query
        var body = request.body
        let hasTimestamp = query.hasParameter("timestamp") || body.hasParameter("timestamp")
        guard !hasTimestamp else { return (query, body) }
        var timing = ""
        if let window = request.recvWindowMillis, !(query.hasParameter("recvWindow") || body.hasParameter("recvWindow")) {
            timing = "recvWindow=\(window)&"
        }
        timing += "timestamp=\(request.timestampMillis)"
        if body.isEmpty || body.hasPrefix("{") {
            query = append(timing, to: query)
        } else {
            body = append(timing, to: body)
        }
        return (query, body)
    }

    static func append(_ parameter: String, to parameters: String) -> String {
        parameters.isEmpty ? parameter : parameters + "&" + parameter
    }
}

extension String {
    /// True when an `a=1&b=2` string has parameter `name` (a byte scan: no splitting).
    func hasParameter(_ name: String) -> Bool {
        let text = utf8
        let key = name.utf8
        var index = text.startIndex
        while index != text.endIndex {
            // At the start of a parameter: compare `name=`.
            var cursor = index
            var matched = true
            for byte in key {
                guard cursor != text.endIndex, text[cursor] == byte else {
                    matched = false
                    break
                }
                cursor = text.index(after: cursor)
            }
            if matched, cursor != text.endIndex, text[cursor] == UInt8(ascii: "=") { return true }
            // Skip to after the next '&'.
            while index != text.endIndex, text[index] != UInt8(ascii: "&") { index = text.index(after: index) }
            if index != text.endIndex { index = text.index(after: index) }
        }
        return false
    }
}

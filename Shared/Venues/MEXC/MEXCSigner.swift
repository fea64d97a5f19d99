/// MEXC spot (v3): Binance-style totalParams (query + body) with lowercase hex HMAC-SHA256, the
/// key in `X-MEXC-APIKEY`.
public struct MEXCSpotSigner: RequestSigner {
    public init() {}

    public func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest {
        try TotalParams.sign(request, with: credentials, keyHeader: "X-MEXC-APIKEY", jsonContentType: true)
    }
}

/// MEXC contract (USDT perpetual): lowercase hex HMAC-SHA256 over API key + timestamp + (query
/// for GET/DELETE, JSON body otherwise), sent as `ApiKey`, `Request-Time`, `Signature`.
public struct MEXCContractSigner: RequestSigner {
    public init() {}

    public func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest {
        guard !credentials.secret.isEmpty else { throw .emptySecret }
        let parameters = request.method == .get || request.method == .delete ? request.query : request.body
        let prehash = "\(credentials.key)\(request.timestampMillis)\(parameters)"
        let signature = Digest.hex(Digest.hmac(.sha256, key: credentials.secret, message: prehash))
        return SignedRequest(
            signature: signature, prehash: prehash, query: request.query, body: request.body,
            headers: [
                .init("ApiKey", credentials.key), .init("Request-Time", "\(request.timestampMillis)"),
                .init("Signature", signature), .init("Content-Type", "application/json"),
            ])
    }
}

/// Bybit v5: lowercase hex HMAC-SHA256 over timestamp + API key + recv window + (query string
/// for GET, JSON body otherwise), sent in `X-BAPI-*` headers.
public struct BybitSigner: RequestSigner {
    public static let defaultRecvWindowMillis = 5000

    public init() {}

    public func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest {
        guard !credentials.secret.isEmpty else { throw .emptySecret }
        let window = request.recvWindowMillis ?? Self.defaultRecvWindowMillis
        let payload = request.method == .get ? request.query : request.body
        let prehash = "\(request.timestampMillis)\(credentials.key)\(window)\(payload)"
        let signature = Digest.hex(Digest.hmac(.sha256, key: credentials.secret, message: prehash))
        return SignedRequest(
            signature: signature, prehash: prehash, query: request.query, body: request.body,
            headers: [
                .init("X-BAPI-API-KEY", credentials.key), .init("X-BAPI-TIMESTAMP", "\(request.timestampMillis)"),
                .init("X-BAPI-RECV-WINDOW", "\(window)"), .init("X-BAPI-SIGN", signature),
            ])
    }
}

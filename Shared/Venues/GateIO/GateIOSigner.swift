/// Gate.io APIv4: hex HMAC-SHA512 over
/// `METHOD\n/api/v4/path\nquery\nhex(SHA512(body))\nunix_seconds`, sent as `KEY`, `Timestamp`, `SIGN`.
public struct GateIOSigner: RequestSigner {
    public init() {}

    public func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest {
        guard !credentials.secret.isEmpty else { throw .emptySecret }
        let seconds = request.timestampMillis / 1000
        let bodyHash = Digest.hex(Digest.hash(.sha512, request.body))
        let prehash = "\(request.method.rawValue)\n\(request.path)\n\(request.query)\n\(bodyHash)\n\(seconds)"
        let signature = Digest.hex(Digest.hmac(.sha512, key: credentials.secret, message: prehash))
        return SignedRequest(
            signature: signature, prehash: prehash, query: request.query, body: request.body,
            headers: [.init("KEY", credentials.key), .init("Timestamp", "\(seconds)"), .init("SIGN", signature)])
    }
}

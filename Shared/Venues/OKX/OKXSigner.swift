/// OKX v5: Base64 HMAC-SHA256 over ISO-8601 timestamp + METHOD + path (with `?query`) + body,
/// with the key, signature, timestamp and passphrase in `OK-ACCESS-*` headers.
public struct OKXSigner: RequestSigner {
    public init() {}

    public func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest {
        guard !credentials.secret.isEmpty else { throw .emptySecret }
        guard let passphrase = credentials.passphrase else { throw .missingPassphrase }
        let timestamp = Self.isoTimestamp(millis: request.timestampMillis)
        let path = request.query.isEmpty ? request.path : "\(request.path)?\(request.query)"
        let prehash = timestamp + request.method.rawValue + path + request.body
        let signature = Digest.base64(Digest.hmac(.sha256, key: credentials.secret, message: prehash))
        var headers: [SignedRequest.Header] = [
            .init("OK-ACCESS-KEY", credentials.key), .init("OK-ACCESS-SIGN", signature),
            .init("OK-ACCESS-TIMESTAMP", timestamp), .init("OK-ACCESS-PASSPHRASE", passphrase),
        ]
        if request.method != .get { headers.append(.init("Content-Type", "application/json")) }
        return SignedRequest(signature: signature, prehash: prehash, query: request.query, body: request.body, headers: headers)
    }

    /// `2020-12-08T09:08:57.715Z` (UTC, milliseconds).
    public static func isoTimestamp(millis: Int64) -> String {
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let dayMillis = millis - days * 86_400_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let hours = dayMillis / 3_600_000
        let minutes = dayMillis / 60_000 % 60
        let seconds = dayMillis / 1000 % 60
        let fraction = dayMillis % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(fraction, 3))Z"
    }
}

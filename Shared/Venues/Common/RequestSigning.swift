import CCrypto
import DraizerCore

/// A REST request to sign: what the caller wants to send, before authentication.
public struct SignableRequest: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case delete = "DELETE"
    }

    public var method: Method
    /// Path on the venue's REST host, e.g. `/api/v3/order`.
    public var path: String
    /// Already-encoded query string (`a=1&b=2`), empty for none.
    public var query: String
    /// Body exactly as it will be sent (form-encoded or JSON), empty for none.
    public var body: String
    /// Wall-clock time of signing, milliseconds since the epoch.
    public var timestampMillis: Int64
    /// Validity window where the venue takes one (Binance, Bybit, MEXC spot).
    public var recvWindowMillis: Int?

    public init(
        method: Method, path: String, query: String = "", body: String = "", timestampMillis: Int64,
        recvWindowMillis: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.timestampMillis = timestampMillis
        self.recvWindowMillis = recvWindowMillis
    }
}

/// API credentials. `description` never shows the secret or passphrase.
public struct Credentials: Sendable, CustomStringConvertible {
    public var key: String
    public var secret: String
    public var passphrase: String?

    public init(key: String, secret: String, passphrase: String? = nil) {
        self.key = key
        self.secret = secret
        self.passphrase = passphrase
    }

    public var description: String { "Credentials(key: \(key.prefix(4))…, secret: ***)" }
}

/// Exactly what goes on the wire after signing.
public struct SignedRequest: Sendable, Equatable {
    public var signature: String
    /// The string that was signed (for debugging a rejected signature; never sent).
    public var prehash: String
    /// Final query string (with the signature where the venue wants it there).
    public var query: String
    /// Final body.
    public var body: String
    /// Headers in a stable order.
    public var headers: [Header]

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// Why a request cannot be signed.
public enum SigningError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingPassphrase
    case emptySecret

    public var description: String {
        switch self {
        case .missingPassphrase: "expected an API passphrase (OKX requires one), was none"
        case .emptySecret: "expected an API secret, was empty"
        }
    }
}

/// One venue's request authentication.
public protocol RequestSigner: Sendable {
    func sign(_ request: SignableRequest, with credentials: Credentials) throws(SigningError) -> SignedRequest
}

/// The signer for a source.
public func requestSigner(for source: SourceId) -> any RequestSigner {
    switch source.exchange {
    case .binance: BinanceSigner()
    case .bybit: BybitSigner()
    case .okx: OKXSigner()
    case .gateio: GateIOSigner()
    case .mexc: source.market == .spot ? MEXCSpotSigner() : MEXCContractSigner()
    }
}

/// HMAC, digests and encodings over libcrypto (the one crypto library of the project).
public enum Digest {
    public enum Algorithm: Sendable {
        case sha256
        case sha512

        var evp: OpaquePointer { self == .sha256 ? EVP_sha256() : EVP_sha512() }
    }

    public static func hmac(_ algorithm: Algorithm, key: String, message: String) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        var keyBytes = Array(key.utf8)
        var messageBytes = Array(message.utf8)
        if keyBytes.isEmpty { keyBytes = [0] }  // a valid pointer; length 0 below
        if messageBytes.isEmpty { messageBytes = [0] }
        let keyLength = key.utf8.count
        let messageLength = message.utf8.count
        _ = HMAC(algorithm.evp, keyBytes, Int32(keyLength), messageBytes, messageLength, &output, &length)
        return Array(output[0..<Int(length)])
    }

    public static func hash(_ algorithm: Algorithm, _ message: String) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(message.utf8)
        _ = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &output, &length, algorithm.evp, nil)
        }
        return Array(output[0..<Int(length)])
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func base64(_ bytes: [UInt8]) -> String {
        var output = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let length = bytes.withUnsafeBufferPointer { input in
            EVP_EncodeBlock(&output, input.baseAddress, Int32(input.count))
        }
        return String(decoding: output[0..<Int(length)], as: UTF8.self)
    }
}

extension SignedRequest.Header {
    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

import CHiredis

/// A decoded Redis (RESP2) reply.
public enum RedisValue: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisValue])
    case null
    case error(String)

    public var text: String? {
        switch self {
        case .string(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// Copies a hiredis reply tree into Swift values (the caller frees the reply).
    init(reply: UnsafePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            self = .string(Array(UnsafeRawBufferPointer(start: node.str, count: node.len)))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: UnsafeRawBufferPointer(start: node.str, count: node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: UnsafeRawBufferPointer(start: node.str, count: node.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(node.integer))
        case REDIS_REPLY_ARRAY:
            self = .array((0..<node.elements).map { RedisValue(reply: UnsafePointer(node.element[$0]!)) })
        default:
            self = .null
        }
    }
}

/// One stream entry: its id and its field/value pairs in order.
public struct StreamEntry: Sendable, Equatable {
    public var id: String
    public var fields: [String: String]

    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }
}

/// What `XAUTOCLAIM` returns.
public struct AutoClaimResult: Sendable, Equatable {
    /// Where the next scan starts (`0-0` when the whole pending list was scanned).
    public var nextStart: String
    public var entries: [StreamEntry]
    /// Pending ids whose entries were trimmed from the stream meanwhile (removed from the PEL).
    public var deletedIds: [String]
}

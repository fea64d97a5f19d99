import DraizerCore
import Venues

/// What a client sent on a simulated venue's WebSocket.
public enum SimClientRequest: Sendable, Equatable {
    /// Subscribe to topics, named as `VenueSubscriptions.topics` names them.
    case subscribe([String], requestId: String)
    case unsubscribe([String], requestId: String)
    case ping
    /// Not understood: the venue answers with its error shape.
    case invalid(String)
}

/// The server side of each venue's control protocol: reads subscribe/unsubscribe/ping frames
/// in the venue's format and writes its acks, pongs and errors.
public struct SimControlProtocol: Sendable {
    public let source: SourceId

    public init(source: SourceId) { self.source = source }

    struct Fields {
        var strings: [String: String] = [:]
        var arrays: [String: [String]] = [:]
        /// OKX args `[{"channel":…,"instId":…}]` and MEXC contract `param.symbol`.
        var objects: [[String: String]] = []
    }

    /// Reads the small JSON objects clients send (string fields, string arrays, one level of
    /// objects inside an array or under `param`).
    func fields(_ frame: [UInt8]) -> Fields? {
        frame.withUnsafeBytes { raw -> Fields? in
            var cursor = JSONCursor(raw)
            var fields = Fields()
            func text(_ range: Range<Int>) -> String { String(decoding: cursor.bytes(range), as: UTF8.self) }
            func object(_ cursor: inout JSONCursor) throws(VenueParseError) -> [String: String] {
                var result: [String: String] = [:]
                try cursor.beginObject()
                while let key = try cursor.nextKey() {
                    let name = String(decoding: cursor.bytes(key), as: UTF8.self)
                    if try cursor.peek() == UInt8(ascii: "\"") {
                        let value = try cursor.string()
                        result[name] = String(decoding: cursor.bytes(value), as: UTF8.self)
                    } else {
                        let start = cursor.position
                        try cursor.skipValue()
                        result[name] = String(decoding: cursor.bytes(start..<cursor.position), as: UTF8.self)
                    }
                }
                return result
            }
            do {
                try cursor.beginObject()
                while let key = try cursor.nextKey() {
                    let name = text(key)
                    switch try cursor.peek() {
                    case UInt8(ascii: "\""):
                        fields.strings[name] = text(try cursor.string())
                    case UInt8(ascii: "["):
                        try cursor.beginArray()
                        var items: [String] = []
                        while try cursor.nextElement() {
                            if try cursor.peek() == UInt8(ascii: "{") {
                                fields.objects.append(try object(&cursor))
                            } else if try cursor.peek() == UInt8(ascii: "\"") {
                                items.append(text(try cursor.string()))
                            } else {
                                let start = cursor.position
                                try cursor.skipValue()
                                items.append(text(start..<cursor.position))
                            }
                        }
                        fields.arrays[name] = items
                    case UInt8(ascii: "{"):
                        fields.objects.append(try object(&cursor))
                    default:
                        let start = cursor.position
                        try cursor.skipValue()
                        fields.strings[name] = text(start..<cursor.position)
                    }
                }
                return fields
            } catch {
                return nil
            }
        }
    }

    /// The request a client frame makes; a subscription naming no topic (a missing or empty
    /// list) is invalid, as on the venues, not acknowledged.
    public func read(_ frame: [UInt8]) -> SimClientRequest {
        let request = parse(frame)
        switch request {
        case .subscribe(let topics, _) where topics.isEmpty || topics.contains(where: \.isEmpty),
            .unsubscribe(let topics, _) where topics.isEmpty || topics.contains(where: \.isEmpty):
            return .invalid("expected at least one topic")
        default:
            return request
        }
    }

    private func parse(_ frame: [UInt8]) -> SimClientRequest {
        if source.exchange == .okx, frame == Array("ping".utf8) { return .ping }
        guard let fields = fields(frame) else { return .invalid("expected a JSON object") }
        let id = fields.strings["id"] ?? fields.strings["req_id"] ?? ""
        switch source.exchange {
        case .binance:
            let topics = fields.arrays["params"] ?? []
            switch fields.strings["method"] {
            case "SUBSCRIBE": return .subscribe(topics, requestId: id)
            case "UNSUBSCRIBE": return .unsubscribe(topics, requestId: id)
            default: return .invalid("unknown method")
            }
        case .bybit:
            let topics = fields.arrays["args"] ?? []
            switch fields.strings["op"] {
            case "subscribe": return .subscribe(topics, requestId: id)
            case "unsubscribe": return .unsubscribe(topics, requestId: id)
            case "ping": return .ping
            default: return .invalid("unknown op")
            }
        case .okx:
            let topics = fields.objects.map { "\($0["channel"] ?? "")|\($0["instId"] ?? "")" }
            switch fields.strings["op"] {
            case "subscribe": return .subscribe(topics, requestId: id)
            case "unsubscribe": return .unsubscribe(topics, requestId: id)
            default: return .invalid("unknown op")
            }
        case .gateio:
            let channel = fields.strings["channel"] ?? ""
            if channel.hasSuffix(".ping") { return .ping }
            let payload = fields.arrays["payload"] ?? []
            let topic = ([channel] + payload).joined(separator: "|")
            switch fields.strings["event"] {
            case "subscribe": return .subscribe([topic], requestId: id)
            case "unsubscribe": return .unsubscribe([topic], requestId: id)
            default: return .invalid("unknown event")
            }
        case .mexc:
            let method = fields.strings["method"] ?? ""
            if source.market == .spot {
                switch method {
                case "SUBSCRIPTION": return .subscribe(fields.arrays["params"] ?? [], requestId: id)
                case "UNSUBSCRIPTION": return .unsubscribe(fields.arrays["params"] ?? [], requestId: id)
                case "PING": return .ping
                default: return .invalid("unknown method")
                }
            }
            if method == "ping" { return .ping }
            let symbol = fields.objects.first?["symbol"] ?? ""
            guard !symbol.isEmpty, !method.hasSuffix(".") else { return .invalid("expected a channel and a symbol") }
            if method.hasPrefix("sub.") { return .subscribe(["\(method.dropFirst(4))|\(symbol)"], requestId: id) }
            if method.hasPrefix("unsub.") { return .unsubscribe(["\(method.dropFirst(6))|\(symbol)"], requestId: id) }
            return .invalid("unknown method")
        }
    }

    /// The venue's answer to a request (ack, pong or error), as it would send it.
    public func reply(to request: SimClientRequest, timeMillis: Int64) -> [UInt8] {
        let text: String
        switch (source.exchange, request) {
        case (.binance, .subscribe(_, let id)), (.binance, .unsubscribe(_, let id)):
            text = #"{"result":null,"id":\#(id.isEmpty ? "null" : id)}"#
        case (.binance, .invalid(let reason)):
            text = #"{"code":2,"msg":"Invalid request: \#(reason)"}"#
        case (.bybit, .subscribe), (.bybit, .unsubscribe):
            let op = if case .subscribe = request { "subscribe" } else { "unsubscribe" }
            text = #"{"success":true,"ret_msg":"","conn_id":"sim","req_id":"","op":"\#(op)"}"#
        case (.bybit, .ping):
            text = source.market == .spot
                ? #"{"success":true,"ret_msg":"pong","conn_id":"sim","op":"ping"}"# : #"{"op":"pong","args":["\#(timeMillis)"],"conn_id":"sim"}"#
        case (.bybit, .invalid(let reason)):
            text = #"{"success":false,"ret_msg":"error:\#(reason)","conn_id":"sim","op":""}"#
        case (.okx, .ping):
            text = "pong"
        case (.okx, .subscribe(let topics, _)), (.okx, .unsubscribe(let topics, _)):
            let event = if case .subscribe = request { "subscribe" } else { "unsubscribe" }
            let parts = (topics.first ?? "|").split(separator: "|", maxSplits: 1).map(String.init)
            text = #"{"event":"\#(event)","arg":{"channel":"\#(parts.first ?? "")","instId":"\#(parts.count > 1 ? parts[1] : "")"},"connId":"sim"}"#
        case (.okx, .invalid(let reason)):
            text = #"{"event":"error","code":"60012","msg":"Invalid request: \#(reason)","connId":"sim"}"#
        case (.gateio, .ping):
            text = #"{"time":\#(timeMillis / 1000),"time_ms":\#(timeMillis),"channel":"\#(source.market == .spot ? "spot" : "futures").pong","event":"","result":null}"#
        case (.gateio, .subscribe(let topics, _)), (.gateio, .unsubscribe(let topics, _)):
            let event = if case .subscribe = request { "subscribe" } else { "unsubscribe" }
            let channel = topics.first?.split(separator: "|").first.map(String.init) ?? ""
            text = #"{"time":\#(timeMillis / 1000),"time_ms":\#(timeMillis),"channel":"\#(channel)","event":"\#(event)","error":null,"result":{"status":"success"}}"#
        case (.gateio, .invalid(let reason)):
            text = #"{"time":\#(timeMillis / 1000),"channel":"","event":"","error":{"code":2,"message":"\#(reason)"},"result":null}"#
        case (.mexc, .ping):
            text = source.market == .spot ? #"{"id":0,"code":0,"msg":"PONG"}"# : #"{"channel":"pong","data":\#(timeMillis)}"#
        case (.mexc, .subscribe(let topics, _)), (.mexc, .unsubscribe(let topics, _)):
            let subscribing = if case .subscribe = request { true } else { false }
            if source.market == .spot {
                text = #"{"id":0,"code":0,"msg":"\#(topics.joined(separator: ","))"}"#
            } else {
                let channel = topics.first?.split(separator: "|").first.map(String.init) ?? ""
                text = #"{"channel":"rs.\#(subscribing ? "sub" : "unsub").\#(channel)","data":"success","ts":\#(timeMillis)}"#
            }
        case (.mexc, .invalid(let reason)):
            text = source.market == .spot ? #"{"id":0,"code":1,"msg":"\#(reason)"}"# : #"{"channel":"rs.error","data":"\#(reason)","ts":\#(timeMillis)}"#
        case (.binance, .ping):
            text = #"{"result":null,"id":null}"#
        }
        return Array(text.utf8)
    }
}

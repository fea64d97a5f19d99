import DraizerCore
import NIOCore
import NIOHTTP1
import VenueSim
import Venues

/// REST for every simulated source under `/{exchange}/{market}` + the venue's own path:
/// instrument lists and depth snapshots (with the scenario's 429/5xx faults).
final class SimHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    /// The handler's name in the pipeline (removed by name once a connection upgrades).
    static let name = "venue-sim-http"

    private let engine: SimulationEngine
    private var head: HTTPRequestHead?

    init(engine: SimulationEngine) {
        self.engine = engine
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, body) = respond(to: head)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let keepAlive = head.isKeepAlive
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    /// `/binance/spot/api/v3/depth?symbol=BTCUSDT` → (source, `/api/v3/depth`, query).
    static func route(_ uri: String) -> (SourceId, String, [String: String])? {
        let parts = uri.split(separator: "?", maxSplits: 1)
        let segments = parts[0].split(separator: "/", maxSplits: 2)
        guard segments.count == 3, let source = SourceId(name: "\(segments[0])/\(segments[1])") else { return nil }
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { query[String(kv[0])] = String(kv[1]) }
            }
        }
        return (source, "/" + segments[2], query)
    }

    func respond(to head: HTTPRequestHead) -> (HTTPResponseStatus, [UInt8]) {
        guard head.method == .GET else { return (.methodNotAllowed, Array(#"{"error":"only GET is simulated"}"#.utf8)) }
        if head.uri == "/sim/status" { return (.ok, Array(engine.status().utf8)) }
        guard let (source, path, query) = Self.route(head.uri) else {
            return (.notFound, Array(#"{"error":"expected /{exchange}/{market}/<venue path>"}"#.utf8))
        }
        if let status = engine.restFault(source) {
            return (HTTPResponseStatus(statusCode: status), Array(#"{"code":\#(status),"msg":"simulated fault"}"#.utf8))
        }
        let instruments = VenueRESTPaths.instruments(source).split(separator: "?")[0]
        if path == instruments {
            guard let body = engine.instrumentsBody(source) else {
                return (.notFound, Array(#"{"error":"no instrument list recorded for \#(source.name)"}"#.utf8))
            }
            return (.ok, body)
        }
        let snapshotPath = VenueRESTPaths.depthSnapshot(source, exchangeSymbol: "SYMBOL").split(separator: "?")[0]
        let symbol: String?
        if snapshotPath.hasSuffix("/SYMBOL") {
            let prefix = snapshotPath.dropLast("SYMBOL".count)
            symbol = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
        } else if path == snapshotPath {
            symbol = query["symbol"] ?? query["currency_pair"] ?? query["contract"] ?? query["instId"]
        } else {
            symbol = nil
        }
        guard let symbol else { return (.notFound, Array(#"{"error":"not simulated: \#(path)"}"#.utf8)) }
        guard source.exchange != .bybit, source.exchange != .okx else {
            return (.notFound, Array(#"{"error":"\#(source.exchange.name) books come as WebSocket snapshots"}"#.utf8))
        }
        let limit: Int?
        switch SimDepthLimit.resolve(source, query: query) {
        case .levels(let levels): limit = levels
        case .refused(let body): return (.badRequest, Array(body.utf8))
        }
        guard let body = engine.snapshotBody(source, exchangeSymbol: symbol, limit: limit) else {
            return (.badRequest, Array(#"{"code":-1121,"msg":"Invalid symbol."}"#.utf8))
        }
        return (.ok, body)
    }
}

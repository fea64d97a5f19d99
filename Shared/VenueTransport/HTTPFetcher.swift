import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One GET request per connection over SwiftNIO (TLS for https), for the slow path: instrument
/// lists and depth snapshots. Non-200 answers fail with the status and the start of the body.
public enum HTTPFetcher {
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    public static func get(_ url: TransportURL, group: EventLoopGroup, timeout: TimeAmount = .seconds(10)) -> EventLoopFuture<[UInt8]> {
        fetch(url, group: group, timeout: timeout).flatMapThrowing { response in
            guard response.status == 200 else {
                throw TransportError.httpStatus(response.status, body: String(decoding: response.body.prefix(200), as: UTF8.self))
            }
            return response.body
        }
    }

    public static func fetch(_ url: TransportURL, group: EventLoopGroup, timeout: TimeAmount = .seconds(10)) -> EventLoopFuture<Response> {
        let loop = group.next()
        let promise = loop.makePromise(of: Response.self)
        let sslContext: NIOSSLContext?
        do {
            sslContext = url.secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        } catch {
            return loop.makeFailedFuture(TransportError.connectFailed(url.description, detail: "\(error)"))
        }
        let timer = loop.scheduleTask(in: timeout) { promise.fail(TransportError.timedOut("GET \(url)")) }
        ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: url.host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(GetHandler(url: url, promise: promise))
                }
            }
            .connect(host: url.host, port: url.port)
            .whenFailure { error in promise.fail(TransportError.connectFailed(url.description, detail: "\(error)")) }
        return promise.futureResult.always { _ in timer.cancel() }
    }
}

private final class GetHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let url: TransportURL
    let promise: EventLoopPromise<HTTPFetcher.Response>
    var status = 0
    var body: [UInt8] = []

    init(url: TransportURL, promise: EventLoopPromise<HTTPFetcher.Response>) {
        self.url = url
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.host)
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "User-Agent", value: "draizer")
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            promise.succeed(HTTPFetcher.Response(status: status, body: body))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(TransportError.connectFailed(url.description, detail: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(TransportError.closed)
    }
}

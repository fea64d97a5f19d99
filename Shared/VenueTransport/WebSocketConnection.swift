import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Receives a connection's frames on its event-loop thread. The bytes are valid only during the
/// call (they point into NIO's receive buffer): parse them there, keep nothing.
public protocol WebSocketReceiver: AnyObject {
    func webSocketConnected(_ connection: WebSocketConnection)
    func webSocketReceived(_ bytes: UnsafeRawBufferPointer, binary: Bool, connection: WebSocketConnection)
    func webSocketClosed(_ connection: WebSocketConnection, error: Error?)
}

/// A client WebSocket over SwiftNIO (NIOWebSocket's upgrader, NIOSSL for wss), delivering
/// frames to a `WebSocketReceiver` on the channel's event loop: no copy, no task, no hop per frame.
public final class WebSocketConnection: @unchecked Sendable {
    // @unchecked Sendable: `channel` is immutable and Channel is thread-safe; `send`/`close` go
    // through it. The receiver is only called on the channel's event loop.

    public let url: TransportURL
    public let channel: Channel

    init(url: TransportURL, channel: Channel) {
        self.url = url
        self.channel = channel
    }

    /// Connects and upgrades; the future succeeds once the WebSocket is open.
    /// `makeReceiver` runs on the connection's event loop.
    public static func connect(
        to url: TransportURL, group: EventLoopGroup, connectTimeout: TimeAmount = .seconds(5),
        makeReceiver: @escaping @Sendable () -> WebSocketReceiver
    ) -> EventLoopFuture<WebSocketConnection> {
        let loop = group.next()
        let opened = loop.makePromise(of: WebSocketConnection.self)
        let sslContext: NIOSSLContext?
        if url.secure {
            do {
                sslContext = try NIOSSLContext(configuration: .makeClientConfiguration())
            } catch {
                return loop.makeFailedFuture(TransportError.connectFailed(url.description, detail: "\(error)"))
            }
        } else {
            sslContext = nil
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: url.host))
                    }
                    let requestHandler = UpgradeRequestHandler(url: url)
                    let upgrader = NIOWebSocketClientUpgrader(
                        requestKey: NIOWebSocketClientUpgrader.randomRequestKey(),
                        maxFrameSize: 1 << 24, automaticErrorHandling: true,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                let connection = WebSocketConnection(url: url, channel: channel)
                                let receiver = makeReceiver()
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: 1 << 24))
                                try channel.pipeline.syncOperations.addHandler(FrameHandler(connection: connection, receiver: receiver))
                                receiver.webSocketConnected(connection)
                                opened.succeed(connection)
                            }
                        })
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.syncOperations.removeHandler(requestHandler, promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(requestHandler)
                    requestHandler.refused = { opened.fail(TransportError.upgradeRefused(url.description)) }
                }
            }
        bootstrap.connect(host: url.host, port: url.port).whenComplete { result in
            switch result {
            case .success(let channel):
                channel.closeFuture.whenComplete { _ in opened.fail(TransportError.upgradeRefused(url.description)) }
            case .failure(let error):
                opened.fail(TransportError.connectFailed(url.description, detail: "\(error)"))
            }
        }
        return opened.futureResult
    }

    /// Sends a text frame (thread-safe).
    public func send(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer), promise: nil)
    }

    /// Sends a WebSocket ping control frame.
    public func ping() {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer()), promise: nil)
    }

    public func close() {
        channel.close(promise: nil)
    }
}

/// Sends the upgrade GET once connected; reports a refusal (an HTTP answer without upgrade).
private final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let url: TransportURL
    var refused: (() -> Void)?

    init(url: TransportURL) { self.url = url }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.port == 80 || url.port == 443 ? url.host : "\(url.host):\(url.port)")
        headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            refused?()
            context.close(promise: nil)
        }
    }
}

/// Delivers text/binary frames to the receiver in place; answers pings; closes on close.
private final class FrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let connection: WebSocketConnection
    let receiver: WebSocketReceiver
    private var closedError: Error?

    init(connection: WebSocketConnection, receiver: WebSocketReceiver) {
        self.connection = connection
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let binary = frame.opcode == .binary
            frame.data.withUnsafeReadableBytes { receiver.webSocketReceived($0, binary: binary, connection: connection) }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.data)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        closedError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        receiver.webSocketClosed(connection, error: closedError)
        context.fireChannelInactive()
    }
}

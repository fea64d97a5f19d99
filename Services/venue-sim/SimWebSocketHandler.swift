import DraizerCore
import NIOCore
import NIOWebSocket
import VenueSim

/// One client's WebSocket on one simulated source: reads its control frames in the venue's
/// protocol, registers subscriptions with the engine, answers pings.
final class SimWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let engine: SimulationEngine
    private let source: SourceId
    private let control: SimControlProtocol
    private let raw: RawFrameWriter?

    init(engine: SimulationEngine, source: SourceId, raw: RawFrameWriter?) {
        self.engine = engine
        self.source = source
        self.raw = raw
        control = SimControlProtocol(source: source)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        engine.connected(context.channel, source: source, raw: raw)
    }

    func channelInactive(context: ChannelHandlerContext) {
        engine.disconnected(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer())))
                .whenComplete { _ in channel.close(promise: nil) }
        case .text, .binary:
            let bytes = Array(frame.unmaskedData.readableBytesView)
            let request = control.read(bytes)
            var reply = request
            switch request {
            case .subscribe(let topics, let id):
                let unknown = engine.subscribe(context.channel, topics: topics)
                if !unknown.isEmpty { reply = .invalid("unknown topic \(unknown[0])") } else { reply = .subscribe(topics, requestId: id) }
            case .unsubscribe(let topics, _):
                engine.unsubscribe(context.channel, topics: topics)
            case .ping, .invalid:
                break
            }
            var buffer = context.channel.allocator.buffer(capacity: 128)
            buffer.writeBytes(control.reply(to: reply, timeMillis: SimulationEngine.wallMillis()))
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

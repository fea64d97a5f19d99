import NIOCore

/// Sits next to the socket in a WebSocket pipeline, below the frame encoder, so stress mode can
/// write many already-framed WebSocket frames as one buffer (one write, one syscall) instead of
/// one encoder pass per frame. Everything else passes through untouched.
///
/// Threading: used only on its channel's event loop.
final class RawFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes `frames` (complete server frames) toward the socket and flushes.
    func writeFramed(_ frames: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(frames), promise: nil)
    }

    /// Appends one unmasked server frame (FIN set) carrying `payload` to `buffer`.
    static func appendFrame(_ payload: [UInt8], binary: Bool, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(binary ? 0x82 : 0x81))
        if payload.count < 126 {
            buffer.writeInteger(UInt8(payload.count))
        } else if payload.count <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payload.count))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeBytes(payload)
    }
}

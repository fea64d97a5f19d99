import DraizerCore
import NIOCore
import VenueSim

/// Stress mode: on top of the scenario's market (books, depth diffs and funding at the normal
/// rate, every frame consistent), each connection gets extra top-of-book frames as fast as its
/// socket drains — the current best prices with varying sizes. Frames are rendered once per book
/// state and written in batches of already-framed bytes.
extension SimulationEngine {
    /// Rendered variants per (source, symbol) book state.
    static let stressVariants = 32
    /// Frames per connection per tick (1 ms): at most a million frames a second per connection.
    static let stressBatch = 1000

    /// Pre-framed stress frames of one (source, symbol) and the book state they were made from.
    struct StressFrames {
        var key: UInt64 = .max
        var renderedMillis: Int64 = 0
        var frames: [ByteBuffer] = []
    }

    func stressTick(wallMillis: Int64) {
        for connection in connections.values {
            guard let raw = connection.raw, connection.channel.isWritable else { continue }
            let symbols = connection.topOfBookSymbols
            guard !symbols.isEmpty else { continue }
            let sourceIndex = connection.source.index
            var batch = connection.channel.allocator.buffer(capacity: Self.stressBatch * 160)
            for _ in 0..<Self.stressBatch {
                let symbol = symbols[connection.stressCursor % symbols.count]
                let variant = (connection.stressCursor / symbols.count) % Self.stressVariants
                connection.stressCursor &+= 1
                var frame = stressFrames(source: sourceIndex, symbol: symbol, wallMillis: wallMillis).frames[variant]
                batch.writeBuffer(&frame)
            }
            raw.writeFramed(batch)
            stressFramesSent &+= UInt64(Self.stressBatch)
        }
    }

    /// The rendered frames for the book's current state (re-rendered when it moved, or each second
    /// so venue times stay current).
    private func stressFrames(source: Int, symbol: Int, wallMillis: Int64) -> StressFrames {
        let book = sources[source].books[symbol]
        let key = book.updateId &+ book.sequence &* 31 &+ book.version &* 17 &+ book.messageCount &* 13
        let cached = stressCache[source][symbol]
        if cached.key == key, wallMillis - cached.renderedMillis < 1000 { return cached }
        var fresh = StressFrames(key: key, renderedMillis: wallMillis)
        let binary = sources[source].source.exchange == .mexc && sources[source].source.market == .spot
        for variant in 0..<Self.stressVariants {
            let payload = sources[source].stressTopOfBook(symbolIndex: symbol, variant: variant, market: market, timeMillis: wallMillis)
            var buffer = ByteBufferAllocator().buffer(capacity: payload.count + 10)
            RawFrameWriter.appendFrame(payload, binary: binary && payload.first != UInt8(ascii: "{"), to: &buffer)
            fresh.frames.append(buffer)
        }
        stressCache[source][symbol] = fresh
        return fresh
    }
}

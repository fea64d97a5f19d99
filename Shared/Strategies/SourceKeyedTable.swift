import DraizerCore

/// Entries grouped by (symbol, source) in one flat array: finding a pair's entries is two loads,
/// with no hashing. Within a pair, entries keep the order they were given in.
struct SourceKeyedTable<Element: Sendable>: Sendable {
    let symbolCount: Int
    /// `offsets[key] ..< offsets[key + 1]` are the entries of key `symbol * SourceId.count + source`.
    private let offsets: [Int32]
    let elements: [Element]

    /// `entries` pairs a key `symbol * SourceId.count + source` (symbol < `symbolCount`) with an entry.
    init(symbolCount: Int, entries: [(key: Int, element: Element)]) {
        self.symbolCount = symbolCount
        let keys = symbolCount * SourceId.count
        let ordered = entries.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
        elements = ordered.map(\.element.element)
        var offsets = [Int32](repeating: 0, count: keys + 1)
        for entry in ordered { offsets[entry.element.key + 1] += 1 }
        for key in 0..<keys { offsets[key + 1] += offsets[key] }
        self.offsets = offsets
    }

    /// Positions in `elements` of (symbol, source)'s entries (empty for unknown pairs).
    @inline(__always)
    func range(symbol: Int, source: Int) -> Range<Int> {
        guard symbol < symbolCount, source < SourceId.count else { return 0..<0 }
        let key = symbol * SourceId.count + source
        return Int(offsets[key])..<Int(offsets[key + 1])
    }

    /// Both arrays' bytes, for warming them.
    func forEachTable(_ body: (UnsafeRawBufferPointer) -> Void) {
        offsets.withUnsafeBytes(body)
        elements.withUnsafeBytes(body)
    }
}

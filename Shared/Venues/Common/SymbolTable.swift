/// Maps an exchange's symbol bytes (`BTCUSDT`, up to 32 bytes) to a dense slot, without hashing
/// a `String` or allocating per lookup: keys are packed into four words, open addressing with
/// linear probing in a power-of-two table.
public struct SymbolTable: Sendable {
    struct Key: Equatable, Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64)
        var length: Int

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.length == rhs.length && lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1
                && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
        }

        var hash: UInt64 {
            var h = (words.0 ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
            h ^= words.1 &* 0xC2B2_AE3D_27D4_EB4F
            h ^= words.2 &* 0x1656_67B1_9E37_79F9
            h ^= words.3 &* 0x27D4_EB2F_1656_67C5
            return h ^ (h >> 29)
        }
    }

    public static let maxSymbolBytes = 32

    private var keys: [Key]
    private var values: [Int32]
    private var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: Key(words: (0, 0, 0, 0), length: 0), count: size)
        values = Array(repeating: -1, count: size)
        mask = size - 1
    }

    static func key(_ bytes: UnsafeRawBufferPointer) -> Key? {
        guard bytes.count <= maxSymbolBytes, let base = bytes.baseAddress else { return bytes.isEmpty ? Key(words: (0, 0, 0, 0), length: 0) : nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        // SAFETY: copies `bytes.count` ≤ 32 bytes into the 32-byte tuple.
        withUnsafeMutableBytes(of: &words) { destination in
            destination.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
        }
        return Key(words: words, length: bytes.count)
    }

    /// The slot of `bytes`, or nil when unknown.
    @inline(__always)
    public func find(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let key = Self.key(bytes) else { return nil }
        var index = Int(truncatingIfNeeded: key.hash) & mask
        while true {
            let value = values[index]
            if value < 0 { return nil }
            if keys[index] == key { return Int(value) }
            index = (index + 1) & mask
        }
    }

    /// The slot of `bytes`, adding it with the next slot number when unknown.
    @inline(__always)
    public mutating func findOrInsert(_ bytes: UnsafeRawBufferPointer) throws(VenueParseError) -> Int {
        guard let key = Self.key(bytes) else { throw .symbolTooLong }
        var index = Int(truncatingIfNeeded: key.hash) & mask
        while true {
            let value = values[index]
            if value < 0 { break }
            if keys[index] == key { return Int(value) }
            index = (index + 1) & mask
        }
        if (count + 1) * 2 > keys.count {
            grow()
            return try findOrInsert(bytes)
        }
        keys[index] = key
        values[index] = Int32(count)
        count += 1
        return count - 1
    }

    /// Adds a symbol with a chosen slot (e.g. a `SymbolId`), replacing any previous one.
    public mutating func insert(_ symbol: String, slot: Int) throws(VenueParseError) {
        var text = symbol
        let result: Result<Void, VenueParseError> = text.withUTF8 { buffer in
            guard let key = Self.key(UnsafeRawBufferPointer(buffer)) else { return .failure(.symbolTooLong) }
            if (count + 1) * 2 > keys.count { grow() }
            var index = Int(truncatingIfNeeded: key.hash) & mask
            while values[index] >= 0 && keys[index] != key { index = (index + 1) & mask }
            if values[index] < 0 { count += 1 }
            keys[index] = key
            values[index] = Int32(slot)
            return .success(())
        }
        try result.get()
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let size = keys.count * 2
        keys = Array(repeating: Key(words: (0, 0, 0, 0), length: 0), count: size)
        values = Array(repeating: -1, count: size)
        mask = size - 1
        for (key, value) in zip(oldKeys, oldValues) where value >= 0 {
            var index = Int(truncatingIfNeeded: key.hash) & mask
            while values[index] >= 0 { index = (index + 1) & mask }
            keys[index] = key
            values[index] = value
        }
    }
}

import DraizerCore

/// A forward-only reader of the protobuf wire format over a receive buffer: no allocation, no
/// generated message types. Used where a venue's hot-path frames are protobuf (MEXC spot).
///
/// SAFETY: same contract as `JSONCursor`: the bytes outlive the cursor, which never escapes the
/// `withUnsafeBytes` scope that made it; every read is bounds-checked against `end`.
public struct ProtobufCursor {
    let base: UnsafePointer<UInt8>
    public private(set) var position: Int
    let end: Int

    public enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        position = 0
        end = bytes.count
    }

    /// A cursor over a length-delimited field of this one (same buffer, narrower range).
    init(base: UnsafePointer<UInt8>, range: Range<Int>) {
        self.base = base
        position = range.lowerBound
        end = range.upperBound
    }

    /// The next field's number and wire type, or nil at the end.
    public mutating func nextField() throws(VenueParseError) -> (number: UInt64, wireType: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else { throw .unexpectedByte(offset: position) }
        let number = key >> 3
        guard number > 0 else { throw .unexpectedByte(offset: position) }
        return (number, wireType)
    }

    public mutating func varint() throws(VenueParseError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = base[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            guard shift < 64 else { throw .unexpectedByte(offset: position - 1) }
        }
        throw .truncated
    }

    /// The byte range of a length-delimited field (string, bytes, sub-message).
    public mutating func lengthDelimited() throws(VenueParseError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .truncated }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    public mutating func skip(_ wireType: WireType) throws(VenueParseError) {
        switch wireType {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64:
            guard end - position >= 8 else { throw .truncated }
            position += 8
        case .fixed32:
            guard end - position >= 4 else { throw .truncated }
            position += 4
        }
    }

    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    public func cursor(over range: Range<Int>) -> ProtobufCursor {
        ProtobufCursor(base: base, range: range)
    }

    /// A string field holding a decimal (`"93387.28"`).
    public func decimal(_ range: Range<Int>, _ field: StaticString) throws(VenueParseError) -> ExactDecimal {
        do {
            return try ExactDecimal.parse(bytes(range))
        } catch {
            throw .invalidDecimal(field, error)
        }
    }

    /// A string field holding an unsigned integer (`"10589632359"`).
    public func unsigned(_ range: Range<Int>, _ field: StaticString) throws(VenueParseError) -> UInt64 {
        guard !range.isEmpty, range.count <= 19 else { throw .wrongType(field) }
        var value: UInt64 = 0
        for index in range {
            let digit = base[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw .wrongType(field) }
            value = value &* 10 &+ UInt64(digit)
        }
        return value
    }
}

import DraizerCore
#if canImport(Glibc)
import Glibc
#endif

/// A forward-only JSON reader over a receive buffer: no allocation, no `String`, no Foundation.
/// Parsers walk an object's keys, compare them with static names and read or skip each value.
///
/// Strings are returned as byte ranges into the frame (escapes are skipped over, not decoded: the
/// hot-path fields — symbols, decimals, ids — never contain any).
///
/// Threading: a value type used by one parsing call on the receive thread.
public struct JSONCursor {
    // SAFETY: `base` points at `count` readable bytes for the whole life of the cursor, which the
    // caller guarantees by creating it inside `withUnsafeBytes` / `withUnsafeReadableBytes` and
    // never letting it escape; every read below checks `position < count` first.
    let base: UnsafePointer<UInt8>
    let count: Int
    public internal(set) var position: Int

    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        count = bytes.count
        position = 0
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inline(__always)
    public mutating func peek() throws(VenueParseError) -> UInt8 {
        skipWhitespace()
        guard position < count else { throw .truncated }
        return base[position]
    }

    @inline(__always)
    public mutating func expect(_ byte: UInt8) throws(VenueParseError) {
        skipWhitespace()
        guard position < count else { throw .truncated }
        guard base[position] == byte else { throw .unexpectedByte(offset: position) }
        position += 1
    }

    /// Consumes `{`.
    public mutating func beginObject() throws(VenueParseError) { try expect(UInt8(ascii: "{")) }

    /// Consumes `[`.
    public mutating func beginArray() throws(VenueParseError) { try expect(UInt8(ascii: "[")) }

    /// The next key of the current object (its byte range), with the `:` consumed; nil at `}`.
    /// Call it right after `beginObject()` and after reading or skipping each value.
    @inline(__always)
    public mutating func nextKey() throws(VenueParseError) -> Range<Int>? {
        var byte = try peek()
        if byte == UInt8(ascii: ",") {
            position += 1
            byte = try peek()
        }
        if byte == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        // Fast path for the one-byte keys exchanges favour ("u":, "b":): no loop, no escapes.
        if byte == UInt8(ascii: "\""), position + 3 < count, base[position + 2] == UInt8(ascii: "\""),
            base[position + 1] != UInt8(ascii: "\\"), base[position + 3] == UInt8(ascii: ":")
        {
            let start = position + 1
            position += 4
            return start..<(start + 1)
        }
        let key = try string()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// True while the current array has another element (consumes the separating `,`);
    /// false after consuming `]`.
    public mutating func nextElement() throws(VenueParseError) -> Bool {
        var byte = try peek()
        if byte == UInt8(ascii: ",") {
            position += 1
            byte = try peek()
        }
        if byte == UInt8(ascii: "]") {
            position += 1
            return false
        }
        return true
    }

    /// A string value: the byte range between the quotes.
    @inline(__always)
    public mutating func string() throws(VenueParseError) -> Range<Int> {
        skipWhitespace()
        guard position < count else { throw .truncated }
        guard base[position] == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: position) }
        let start = position + 1
        // Vectorised search for the closing quote; strings with escapes take the loop below.
        if let found = memchr(base + start, Int32(UInt8(ascii: "\"")), count - start) {
            let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if end == start || base[end - 1] != UInt8(ascii: "\\") {
                position = end + 1
                return start..<end
            }
        } else {
            throw .truncated
        }
        var index = start
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return start..<index
            }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        throw .truncated
    }

    /// The bytes of a range the cursor returned.
    @inline(__always)
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Whether the bytes in `range` equal `name`.
    @inline(__always)
    public func equals(_ range: Range<Int>, _ name: StaticString) -> Bool {
        let length = name.utf8CodeUnitCount
        guard range.count == length else { return false }
        let expected = name.utf8Start
        var index = 0
        while index < length {
            if base[range.lowerBound + index] != expected[index] { return false }
            index += 1
        }
        return true
    }

    /// Whether the bytes after the first `separator` in `range` start with `prefix`
    /// (`btcusdt@bookTicker` after `@` starts with `bookTicker`).
    public func segment(_ range: Range<Int>, after separator: UInt8, startsWith prefix: StaticString) -> Bool {
        guard let found = memchr(base + range.lowerBound, Int32(separator), range.count) else { return false }
        let start = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
        let length = prefix.utf8CodeUnitCount
        guard range.upperBound - start >= length else { return false }
        let pattern = prefix.utf8Start
        var index = 0
        while index < length {
            if base[start + index] != pattern[index] { return false }
            index += 1
        }
        return true
    }

    /// A one-byte key's byte, or 0 for longer keys (fast dispatch on exchanges' short keys).
    @inline(__always)
    public func singleByte(_ range: Range<Int>) -> UInt8 {
        range.count == 1 ? base[range.lowerBound] : 0
    }

    /// The raw bytes of a number token (unquoted).
    mutating func numberToken() throws(VenueParseError) -> Range<Int> {
        skipWhitespace()
        let start = position
        while position < count {
            let byte = base[position]
            let isNumberByte = (byte &- UInt8(ascii: "0")) < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            guard isNumberByte else { break }
            position += 1
        }
        guard position > start else {
            if position == count { throw .truncated }
            throw .unexpectedByte(offset: position)
        }
        return start..<position
    }

    /// A decimal written as a JSON string (`"0.35210000"`) or a bare JSON number.
    @inline(__always)
    public mutating func decimal(_ field: StaticString) throws(VenueParseError) -> ExactDecimal {
        let byte = try peek()
        let quoted = byte == UInt8(ascii: "\"")
        if quoted {
            position += 1
        } else if byte != UInt8(ascii: "-") && (byte &- UInt8(ascii: "0")) >= 10 {
            if byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") { throw .invalidDecimal(field, .notANumber) }
            throw .wrongType(field)
        }
        let value: ExactDecimal
        let consumed: Int
        do {
            (value, consumed) = try ExactDecimal.parsePrefix(UnsafeRawBufferPointer(start: base + position, count: count - position))
        } catch {
            throw .invalidDecimal(field, error)
        }
        position += consumed
        if quoted {
            guard position < count else { throw .truncated }
            guard base[position] == UInt8(ascii: "\"") else {
                throw .invalidDecimal(field, .unexpectedByte(offset: consumed))
            }
            position += 1
        }
        return value
    }

    /// A non-negative integer written as a JSON number or a string of digits.
    @inline(__always)
    public mutating func unsigned(_ field: StaticString) throws(VenueParseError) -> UInt64 {
        var byte = try peek()
        let quoted = byte == UInt8(ascii: "\"")
        if quoted { position += 1 }
        var value: UInt64 = 0
        let start = position
        while position < count {
            byte = base[position]
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ UInt64(digit)
            position += 1
        }
        let digits = position - start
        // 19 digits always fit in 64 bits; ids and times never need 20.
        guard digits <= 19 else { throw .wrongType(field) }
        guard digits > 0 else {
            if position >= count { throw .truncated }
            throw .wrongType(field)
        }
        if quoted {
            guard position < count else { throw .truncated }
            guard base[position] == UInt8(ascii: "\"") else { throw .wrongType(field) }
            position += 1
        }
        return value
    }

    /// A signed integer (JSON number or digit string, optional leading `-`).
    public mutating func signed(_ field: StaticString) throws(VenueParseError) -> Int64 {
        let quoted = try peek() == UInt8(ascii: "\"")
        if quoted { position += 1 }
        let negative = position < count && base[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var magnitude: UInt64 = 0
        var digits = 0
        while position < count, (base[position] &- UInt8(ascii: "0")) < 10 {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(base[position] &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw .wrongType(field) }
            magnitude = sum
            digits += 1
            position += 1
        }
        guard digits > 0, magnitude <= UInt64(Int64.max) else {
            if position >= count { throw .truncated }
            throw .wrongType(field)
        }
        if quoted {
            guard position < count else { throw .truncated }
            guard base[position] == UInt8(ascii: "\"") else { throw .wrongType(field) }
            position += 1
        }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// A decimal where an empty string (`""`, as venues send for an absent value) means nil.
    public mutating func optionalDecimal(_ field: StaticString) throws(VenueParseError) -> ExactDecimal? {
        if try isEmptyString() { return nil }
        return try decimal(field)
    }

    /// An unsigned integer where an empty string means nil.
    public mutating func optionalUnsigned(_ field: StaticString) throws(VenueParseError) -> UInt64? {
        if try isEmptyString() { return nil }
        return try unsigned(field)
    }

    /// Consumes `""` and returns true; otherwise consumes nothing.
    private mutating func isEmptyString() throws(VenueParseError) -> Bool {
        guard try peek() == UInt8(ascii: "\""), position + 1 < count, base[position + 1] == UInt8(ascii: "\"") else {
            return false
        }
        position += 2
        return true
    }

    /// Skips any JSON value (object, array, string, number, literal).
    public mutating func skipValue() throws(VenueParseError) {
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < count {
                let current = base[position]
                if current == UInt8(ascii: "\"") {
                    _ = try string()
                    continue
                }
                if current == UInt8(ascii: "{") || current == UInt8(ascii: "[") { depth += 1 }
                if current == UInt8(ascii: "}") || current == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return
                    }
                }
                position += 1
            }
            throw .truncated
        default:
            // A number or a literal runs to the next separator; a separator where a value should
            // be (`[1,}`, `{"a":,}`) is no value, and a caller looping over elements would ask
            // again for ever: it is an error.
            let start = position
            while position < count {
                let current = base[position]
                if current == UInt8(ascii: ",") || current == UInt8(ascii: "}") || current == UInt8(ascii: "]")
                    || current == 0x20 || current == 0x0A || current == 0x0D || current == 0x09
                {
                    break
                }
                position += 1
            }
            guard position > start else { throw .unexpectedByte(offset: position) }
        }
    }

    /// True when the next value is `null` (consumed).
    public mutating func consumeNull() throws(VenueParseError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        guard position + 4 <= count, base[position + 1] == UInt8(ascii: "u"), base[position + 2] == UInt8(ascii: "l"),
            base[position + 3] == UInt8(ascii: "l")
        else { throw .unexpectedByte(offset: position) }
        position += 4
        return true
    }

    /// Moves back to a position this cursor was at before (to re-read a key).
    public mutating func rewind(to earlier: Int) {
        precondition(earlier <= position, "a cursor only rewinds")
        position = earlier
    }

    /// Everything after the value must be whitespace.
    public mutating func expectEnd() throws(VenueParseError) {
        skipWhitespace()
        guard position == count else { throw .unexpectedByte(offset: position) }
    }
}

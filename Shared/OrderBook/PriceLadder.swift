import CDraizerShim
import DraizerCore

#if canImport(Glibc)
import Glibc
#endif

/// One side of an L2 book: price levels as fixed-point integers (the book's scales), kept sorted
/// so the **best level is the last element**. Exchanges update the top far more often than the
/// tail, and at the end of an array inserts and deletes move almost nothing.
///
/// Bids are stored by ascending price, asks by descending price; `key` folds that into one
/// ascending order so one binary search serves both. Each level's key and quantity sit side by
/// side, so an insert or a delete moves one block of memory.
public struct PriceLadder: Sendable {
    public let side: Side
    /// `price` for bids, `-price` for asks: ascending, best last.
    private var levels: [Entry]

    private struct Entry {
        var key: Int64
        var quantity: Int64
    }

    public init(side: Side, reservedLevels: Int = 1024) {
        self.side = side
        levels = []
        levels.reserveCapacity(reservedLevels)
    }

    public var count: Int { levels.count }
    public var isEmpty: Bool { levels.isEmpty }

    @inline(__always)
    private func key(_ price: Int64) -> Int64 { side == .buy ? price : -price }

    /// The best level (highest bid / lowest ask), O(1).
    public var best: BookLevel? {
        guard let last = levels.last else { return nil }
        return BookLevel(price: key(last.key), quantity: last.quantity)
    }

    /// The `depth`-th best level (0 = best).
    public func level(_ depth: Int) -> BookLevel {
        let entry = levels[levels.count - 1 - depth]
        return BookLevel(price: key(entry.key), quantity: entry.quantity)
    }

    /// How many of the best levels are at `price` or better (bids ≥, asks ≤): the depth of the
    /// first level strictly worse than `price`. O(log n).
    public func depth(worseThan price: Int64) -> Int {
        let target = key(price)
        let count = levels.count
        // Usual case first: the quote sits at the book's best level or just ahead of it.
        if count == 0 || levels[count - 1].key < target { return 0 }
        if count == 1 || levels[count - 2].key < target { return 1 }
        return count - lowerBound(target)
    }

    /// First index whose key is ≥ `target` (binary search).
    private func lowerBound(_ target: Int64) -> Int {
        levels.withUnsafeBufferPointer { levels in
            var low = 0
            var high = levels.count
            while low < high {
                let middle = (low + high) >> 1
                if levels[middle].key < target { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// Sets the quantity at `price`; quantity 0 removes the level. Returns true when the best level
    /// changed.
    @discardableResult
    public mutating func set(price: Int64, quantity: Int64) -> Bool {
        let target = key(price)
        let count = levels.count
        // Fast path: the update touches the best level or lands beyond it.
        if count == 0 || target > levels[count - 1].key {
            guard quantity != 0 else { return false }
            levels.append(Entry(key: target, quantity: quantity))
            return true
        }
        let index = lowerBound(target)
        if levels[index].key == target {
            if quantity == 0 {
                remove(at: index)
            } else {
                levels[index].quantity = quantity
            }
            return index == count - 1
        }
        guard quantity != 0 else { return false }
        insert(Entry(key: target, quantity: quantity), at: index)
        return false
    }

    /// `Array.insert` and `remove` go through the general range replacement; a level is two
    /// integers, so one `memmove` of the levels behind it does.
    @inline(__always)
    private mutating func insert(_ entry: Entry, at index: Int) {
        let moved = levels.count - index
        levels.append(entry)
        levels.withUnsafeMutableBufferPointer { levels in
            let base = levels.baseAddress!
            memmove(base + index + 1, base + index, moved * MemoryLayout<Entry>.stride)
            base[index] = entry
        }
    }

    @inline(__always)
    private mutating func remove(at index: Int) {
        let moved = levels.count - index - 1
        levels.withUnsafeMutableBufferPointer { levels in
            let base = levels.baseAddress!
            memmove(base + index, base + index + 1, moved * MemoryLayout<Entry>.stride)
        }
        levels.removeLast()
    }

    /// Starts loading the best levels' lines (the array's end) into this core's cache, without
    /// waiting for them.
    public func prefetchBest() {
        levels.withUnsafeBufferPointer { levels in
            guard let base = levels.baseAddress, levels.count > 0 else { return }
            let first = Swift.max(0, levels.count - Self.prefetchedLevels)
            drz_prefetch(base + (levels.count - 1))
            drz_prefetch(base + first)
            drz_prefetch(base + (first + levels.count - 1) / 2)
        }
    }

    /// Levels `prefetchBest` covers: a shared-memory entry's depth.
    static let prefetchedLevels = 8

    public mutating func removeAll() {
        levels.removeAll(keepingCapacity: true)
    }

    /// Copies up to `limit` best levels into `levels` (best first); returns how many.
    public func copyBest(into best: inout InlineArray<8, BookLevel>, limit: Int = 8) -> Int {
        let available = min(limit, 8, levels.count)
        for depth in 0..<available { best[depth] = level(depth) }
        return available
    }
}

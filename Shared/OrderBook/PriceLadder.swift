import CDraizerShim
import DraizerCore

/// One side of an L2 book: price levels as fixed-point integers (the book's scales), kept sorted
/// so the **best level is the last element**. Exchanges update the top far more often than the
/// tail, and at the end of an array inserts and deletes move almost nothing.
///
/// Bids are stored by ascending price, asks by descending price; `key` folds that into one
/// ascending order so one binary search serves both.
public struct PriceLadder: Sendable {
    public let side: Side
    /// `price` for bids, `-price` for asks: ascending, best last.
    private var keys: [Int64]
    private var quantities: [Int64]

    public init(side: Side, reservedLevels: Int = 1024) {
        self.side = side
        keys = []
        quantities = []
        keys.reserveCapacity(reservedLevels)
        quantities.reserveCapacity(reservedLevels)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    @inline(__always)
    private func key(_ price: Int64) -> Int64 { side == .buy ? price : -price }

    /// The best level (highest bid / lowest ask), O(1).
    public var best: BookLevel? {
        guard let last = keys.last else { return nil }
        return BookLevel(price: key(last), quantity: quantities[quantities.count - 1])
    }

    /// The `depth`-th best level (0 = best).
    public func level(_ depth: Int) -> BookLevel {
        let index = keys.count - 1 - depth
        return BookLevel(price: key(keys[index]), quantity: quantities[index])
    }

    /// How many of the best levels are at `price` or better (bids ≥, asks ≤): the depth of the
    /// first level strictly worse than `price`. O(log n).
    public func depth(worseThan price: Int64) -> Int {
        let target = key(price)
        let count = keys.count
        // Usual case first: the quote sits at the book's best level or just ahead of it.
        if count == 0 || keys[count - 1] < target { return 0 }
        if count == 1 || keys[count - 2] < target { return 1 }
        return count - lowerBound(target)
    }

    /// First index whose key is ≥ `target` (binary search).
    private func lowerBound(_ target: Int64) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) >> 1
            if keys[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Sets the quantity at `price`; quantity 0 removes the level. Returns true when the best level
    /// changed.
    @discardableResult
    public mutating func set(price: Int64, quantity: Int64) -> Bool {
        let target = key(price)
        let count = keys.count
        // Fast path: the update touches the best level or lands beyond it.
        if count == 0 || target > keys[count - 1] {
            guard quantity != 0 else { return false }
            keys.append(target)
            quantities.append(quantity)
            return true
        }
        let index = lowerBound(target)
        if keys[index] == target {
            if quantity == 0 {
                keys.remove(at: index)
                quantities.remove(at: index)
            } else {
                quantities[index] = quantity
            }
            return index == count - 1
        }
        guard quantity != 0 else { return false }
        keys.insert(target, at: index)
        quantities.insert(quantity, at: index)
        return false
    }

    /// Starts loading the best levels' lines (the arrays' ends) into this core's cache, without
    /// waiting for them.
    public func prefetchBest() {
        Self.prefetchEnd(of: keys)
        Self.prefetchEnd(of: quantities)
    }

    /// The lines holding the last `prefetchedLevels` values of `values` (the best levels').
    private static func prefetchEnd(of values: [Int64]) {
        values.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress, values.count > 0 else { return }
            drz_prefetch(base + (values.count - 1))
            drz_prefetch(base + Swift.max(0, values.count - prefetchedLevels))
        }
    }

    /// Levels `prefetchBest` covers: a shared-memory entry's depth.
    static let prefetchedLevels = 8

    public mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        quantities.removeAll(keepingCapacity: true)
    }

    /// Copies up to `limit` best levels into `levels` (best first); returns how many.
    public func copyBest(into levels: inout InlineArray<8, BookLevel>, limit: Int = 8) -> Int {
        let available = min(limit, 8, keys.count)
        for depth in 0..<available { levels[depth] = level(depth) }
        return available
    }
}

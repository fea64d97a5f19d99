import DraizerCore

/// What taking liquidity from one side of a book costs.
public struct DepthFill: Sendable, Equatable {
    /// Base quantity filled (fixed-point at the book's quantity scale).
    public var quantity: Int64
    /// Quote spent or received: Σ price × quantity, in units of 10^-(priceScale + quantityScale).
    public var notional: Int128
    /// Levels touched.
    public var levels: Int

    /// Volume-weighted average price as a Double (for bps arithmetic), given the book's scales.
    public func averagePrice(priceScale: Int) -> Double {
        guard quantity > 0 else { return .nan }
        return Double(notional) / Double(quantity) / pow10(priceScale)
    }
}

func pow10(_ exponent: Int) -> Double {
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

extension PriceLadder {
    /// Walks from the best level taking liquidity until `maxNotional` (quote units at
    /// price scale + quantity scale) is reached; the last level is taken partially. Returns the
    /// executable size and its notional.
    public func walk(maxNotional: Int128, maxLevels: Int = .max) -> DepthFill {
        var fill = DepthFill(quantity: 0, notional: 0, levels: 0)
        var depth = 0
        while depth < count && depth < maxLevels && fill.notional < maxNotional {
            let level = level(depth)
            let levelNotional = Int128(level.price) * Int128(level.quantity)
            let remaining = maxNotional - fill.notional
            if levelNotional <= remaining {
                fill.quantity += level.quantity
                fill.notional += levelNotional
            } else {
                let partial = Int64(remaining / Int128(level.price))
                if partial > 0 {
                    fill.quantity += partial
                    fill.notional += Int128(partial) * Int128(level.price)
                    fill.levels += 1
                }
                break  // the cap falls inside this level
            }
            fill.levels += 1
            depth += 1
        }
        return fill
    }

    /// Walks from the best level until `quantity` (fixed-point) is filled or the ladder ends.
    public func walk(quantity wanted: Int64) -> DepthFill {
        var fill = DepthFill(quantity: 0, notional: 0, levels: 0)
        var depth = 0
        while depth < count && fill.quantity < wanted {
            let level = level(depth)
            let take = min(level.quantity, wanted - fill.quantity)
            fill.quantity += take
            fill.notional += Int128(level.price) * Int128(take)
            fill.levels += 1
            depth += 1
        }
        return fill
    }
}

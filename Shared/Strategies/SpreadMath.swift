import DraizerCore
import FastPath

/// The arithmetic of a two-leg spread: buy on one source at its asks, sell on another at its
/// bids. Prices come from the price store in fixed point at each entry's own scale; edges are
/// in basis points of the buy price; quantities in base units.
public enum SpreadMath {
    /// 10^-n for the store's scales (0...18), written out: a literal table is laid down at compile
    /// time, so reading it costs no lazy-initialisation check.
    @usableFromInline static let inversePowers: [Double] = [
        1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18,
    ]

    @inline(__always)
    public static func value(_ fixedPoint: Int64, scale: UInt8) -> Double {
        Double(fixedPoint) * inversePowers[min(Int(scale), 18)]
    }

    /// Gross edge of selling at `sellBid` what was bought at `buyAsk`, in bps of the buy price.
    @inline(__always)
    public static func grossBps(buyAsk: Double, sellBid: Double) -> Double {
        (sellBid - buyAsk) / buyAsk * 10_000
    }

    /// The same from fixed-point prices at their scales; equal scales (every gateway entry keeps 8
    /// decimals) need no scaling at all.
    @inline(__always)
    public static func grossBps(buyAsk: Int64, buyScale: UInt8, sellBid: Int64, sellScale: UInt8) -> Double {
        if buyScale == sellScale { return Double(sellBid - buyAsk) / Double(buyAsk) * 10_000 }
        return grossBps(buyAsk: value(buyAsk, scale: buyScale), sellBid: value(sellBid, scale: sellScale))
    }

    /// Expected funding over the holding time, bps, for the short perpetual leg of a spot→perp
    /// trade: positive rates pay shorts. `ratePerInterval` 0.0001 = 1 bp per interval.
    public static func fundingBps(ratePerInterval: Double, intervalHours: Double, holdingHours: Double) -> Double {
        guard intervalHours > 0, holdingHours > 0 else { return 0 }
        return ratePerInterval * 10_000 * holdingHours / intervalHours
    }

    /// Funding settlements a position opened now collects within `holdingHours`, when the next
    /// one is `hoursToNext` away (unknown, nil: spread evenly, `holdingHours / intervalHours`).
    public static func settlements(holdingHours: Double, intervalHours: Double, hoursToNext: Double?) -> Double {
        guard intervalHours > 0, holdingHours > 0 else { return 0 }
        guard let hoursToNext, hoursToNext >= 0 else { return holdingHours / intervalHours }
        guard hoursToNext <= holdingHours else { return 0 }
        return ((holdingHours - hoursToNext) / intervalHours).rounded(.down) + 1
    }

    /// Funding rate per interval expressed per year (365 days), e.g. for carry thresholds.
    public static func annualized(ratePerInterval: Double, intervalHours: Double) -> Double {
        guard intervalHours > 0 else { return 0 }
        return ratePerInterval * 365 * 24 / intervalHours
    }

    /// The largest trade whose every marginal unit clears the entry edge.
    public struct Sizing: Sendable, Equatable {
        /// Base quantity, a multiple of both legs' steps.
        public var quantity: Double
        public var buyVWAP: Double
        public var sellVWAP: Double
        public var buyNotional: Double
        public var sellNotional: Double
        /// sell − buy − both taker fees (+ funding on the buy notional), quote currency.
        public var expectedProfit: Double
        /// Edge at the VWAPs, after fees (and funding), bps.
        public var netBpsAtSize: Double
        public var buyLevels: Int
        public var sellLevels: Int
        /// The walk used up every level it was given with edge and notional to spare: deeper
        /// levels could make the size larger.
        public var levelsExhausted: Bool = false
    }

    public enum SizingFailure: Error, Equatable {
        /// Not even the best levels clear the entry edge.
        case belowThreshold
        /// The size that clears it is under a leg's minimum order (or rounds to nothing).
        case belowMinNotional
    }

    /// `quantity` rounded down to a multiple of `step` (unchanged when `step` ≤ 0). The 1e-9 keeps
    /// a quantity that is a multiple but for floating-point error from losing a whole step.
    @inline(__always)
    public static func roundDown(_ quantity: Double, toStep step: Double) -> Double {
        step > 0 ? (quantity / step + 1e-9).rounded(.down) * step : quantity
    }

    /// True when `size` on the best levels alone stops at `maxNotional` before using either up:
    /// its result is then the same as on the whole books, which need not be read.
    @inline(__always)
    public static func bestLevelsCover(
        maxNotional: Double, buyTop: TopOfBook, sellTop: TopOfBook, buyRules: LegRules.Rules, sellRules: LegRules.Rules
    ) -> Bool {
        let ask = value(buyTop.askPrice, scale: buyTop.priceScale)
        guard ask > 0 else { return false }
        let askBase = value(buyTop.askQuantity, scale: buyTop.quantityScale) * buyRules.contractSize
        let bidBase = value(sellTop.bidQuantity, scale: sellTop.quantityScale) * sellRules.contractSize
        return maxNotional / ask < min(askBase, bidBase)
    }

    /// Walks the buy side's asks and the sell side's bids together, best first, taking at each
    /// step the smaller remaining level, while the marginal edge after fees (plus funding) stays
    /// ≥ `entryBps` and the buy notional ≤ `maxNotional`; then rounds down to the coarser step
    /// and checks both legs' minimums.
    ///
    /// The walk divides nothing: an edge of at least `entryBps` is a bid of at least the ask times
    /// `1 + (entryBps + fees − funding) / 10⁴`, and the notional cap is compared as a product.
    public static func size(
        buy: borrowing BookSnapshot, sell: borrowing BookSnapshot, buyRules: LegRules.Rules, sellRules: LegRules.Rules,
        entryBps: Double, maxNotional: Double, fundingBps: Double = 0
    ) -> Result<Sizing, SizingFailure> {
        let feesBps = buyRules.takerFeeBps + sellRules.takerFeeBps
        guard buy.askCount > 0, sell.bidCount > 0 else { return .failure(.belowThreshold) }
        let askCount = min(buy.askCount, PriceStore.levelsPerSide)
        let bidCount = min(sell.bidCount, PriceStore.levelsPerSide)
        // One multiplier per column instead of a table look-up per level.
        let askPriceUnit = value(1, scale: buy.top.priceScale)
        let bidPriceUnit = value(1, scale: sell.top.priceScale)
        let askBaseUnit = value(1, scale: buy.top.quantityScale) * buyRules.contractSize
        let bidBaseUnit = value(1, scale: sell.top.quantityScale) * sellRules.contractSize
        let hurdle = 1 + (entryBps + feesBps - fundingBps) / 10_000
        var ask = 0
        var bid = 0
        var askPrice = Double(buy.asks[0].price) * askPriceUnit
        var bidPrice = Double(sell.bids[0].price) * bidPriceUnit
        var askLeft = Double(buy.asks[0].quantity) * askBaseUnit
        var bidLeft = Double(sell.bids[0].quantity) * bidBaseUnit
        var quantity = 0.0
        var buyNotional = 0.0
        var stopped = false
        while true {
            guard bidPrice >= askPrice * hurdle else {
                stopped = true
                break
            }
            let chunk = min(askLeft, bidLeft)
            if buyNotional + chunk * askPrice > maxNotional {
                // The cap falls inside this step: take what it leaves room for, and stop.
                let room = max((maxNotional - buyNotional) / askPrice, 0)
                quantity += room
                buyNotional += room * askPrice
                stopped = true
                break
            }
            quantity += chunk
            buyNotional += chunk * askPrice
            askLeft -= chunk
            bidLeft -= chunk
            if askLeft <= 1e-12 {
                ask += 1
                if ask == askCount { break }
                askPrice = Double(buy.asks[ask].price) * askPriceUnit
                askLeft = Double(buy.asks[ask].quantity) * askBaseUnit
            }
            if bidLeft <= 1e-12 {
                bid += 1
                if bid == bidCount { break }
                bidPrice = Double(sell.bids[bid].price) * bidPriceUnit
                bidLeft = Double(sell.bids[bid].quantity) * bidBaseUnit
            }
        }
        guard quantity > 0 else { return .failure(.belowThreshold) }
        let step = max(buyRules.stepBase, sellRules.stepBase)
        let rounded = roundDown(quantity, toStep: step)
        guard rounded > 0, rounded >= buyRules.minQuantityBase, rounded >= sellRules.minQuantityBase else {
            return .failure(.belowMinNotional)
        }
        let bought = cost(of: rounded, levels: buy.asks, count: askCount, priceUnit: askPriceUnit, baseUnit: askBaseUnit)
        let sold = cost(of: rounded, levels: sell.bids, count: bidCount, priceUnit: bidPriceUnit, baseUnit: bidBaseUnit)
        guard bought.notional >= buyRules.minNotional, sold.notional >= sellRules.minNotional else { return .failure(.belowMinNotional) }
        let fees = bought.notional * buyRules.takerFeeBps / 10_000 + sold.notional * sellRules.takerFeeBps / 10_000
        let funding = bought.notional * fundingBps / 10_000
        let buyVWAP = bought.notional / rounded
        let sellVWAP = sold.notional / rounded
        return .success(
            Sizing(
                quantity: rounded, buyVWAP: buyVWAP, sellVWAP: sellVWAP, buyNotional: bought.notional, sellNotional: sold.notional,
                expectedProfit: sold.notional - bought.notional - fees + funding,
                netBpsAtSize: grossBps(buyAsk: buyVWAP, sellBid: sellVWAP) - feesBps + fundingBps, buyLevels: bought.levels,
                sellLevels: sold.levels, levelsExhausted: !stopped))
    }

    /// Notional of taking `quantity` base units from `levels`, best first (`priceUnit` and
    /// `baseUnit` turn a level's fixed-point price and quantity into quote and base units).
    @inline(__always)
    static func cost(
        of quantity: Double, levels: borrowing InlineArray<8, BookLevel>, count: Int, priceUnit: Double, baseUnit: Double
    ) -> (notional: Double, levels: Int) {
        var left = quantity
        var notional = 0.0
        var index = 0
        while left > 1e-12, index < count {
            let take = min(Double(levels[index].quantity) * baseUnit, left)
            notional += take * Double(levels[index].price) * priceUnit
            left -= take
            index += 1
        }
        return (notional, index)
    }
}

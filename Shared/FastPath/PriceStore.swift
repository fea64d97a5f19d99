import CDraizerShim
import DraizerCore

/// The shared price store: one cache-line-aligned entry per (symbol, source), each guarded by a
/// seqlock, written by the gateway that owns the source and read by any number of processes.
///
/// Entry layout (320 bytes = 5 cache lines; the first line alone answers top-of-book reads):
/// ```
///   0 seq u64 (odd while a write is in progress)
///   8 flags u32 (bit 0 verified)  12 priceScale u8  13 quantityScale u8  14 bidCount u8  15 askCount u8
///  16 tsExchangeNanos i64   24 tsReceivedNanos i64
///  32 bidPrice i64   40 bidQuantity i64   48 askPrice i64   56 askQuantity i64
///  64 updateCount u64       72 exchangeSequence u64
///  80 bid levels 1...7 (price i64, quantity i64)    192 ask levels 1...7    304 reserved
/// ```
/// Threading: exactly one writer per entry (the owning gateway's receive thread); readers anywhere.
public final class PriceStore: @unchecked Sendable {
    // @unchecked Sendable: the segment is immutable; entries are only touched through the seqlock
    // protocol below, which is safe for one writer per entry and any number of readers.

    public static let entryBytes = 320
    public static let levelsPerSide = 8
    /// Attempts before a read reports `.inconsistent` (a live writer needs a few; a dead one forever).
    public static let readAttempts = 256

    enum Offset {
        static let seq = 0
        static let flags = 8
        static let scales = 12  // priceScale, quantityScale, bidCount, askCount as 4 bytes
        static let tsExchange = 16
        static let tsReceived = 24
        static let bidPrice = 32
        static let bidQuantity = 40
        static let askPrice = 48
        static let askQuantity = 56
        static let updateCount = 64
        static let exchangeSequence = 72
        static let bidLevels = 80
        static let askLevels = 192
        static let levelBytes = 16
    }

    public let segment: SharedMemorySegment
    public let symbolCapacity: Int

    /// Why a universe of `symbols` symbols cannot use this store (nil: it can). Services refuse
    /// such a universe at start and on reload: the books past the capacity would be dropped
    /// without a word.
    public func refusal(universeSymbols symbols: Int) -> String? {
        symbols <= symbolCapacity ? nil : "universe has \(symbols) symbols, the price store holds \(symbolCapacity): recreate it larger"
    }
    public let sourceCapacity: Int
    let entries: UnsafeMutableRawPointer

    private init(segment: SharedMemorySegment, symbolCapacity: Int) {
        self.segment = segment
        self.symbolCapacity = symbolCapacity
        self.sourceCapacity = SourceId.count
        self.entries = segment.base + SegmentHeader.bytes
    }

    static func bytes(symbolCapacity: Int) -> Int {
        SegmentHeader.bytes + symbolCapacity * SourceId.count * entryBytes
    }

    /// Creates the store for up to `symbolCapacity` symbols (all sources).
    public static func create(names: SegmentNames, symbolCapacity: Int) throws(SharedMemoryError) -> PriceStore {
        guard symbolCapacity > 0, symbolCapacity <= 1 << 20 else {
            throw .invalidCapacity(name: names.prices, reason: "expected 1...1048576 symbols, was \(symbolCapacity)")
        }
        let segment = try SharedMemorySegment.create(name: names.prices, size: bytes(symbolCapacity: symbolCapacity))
        SegmentHeader.initialise(
            segment, kind: .priceStore,
            geometry: [UInt64(symbolCapacity), UInt64(SourceId.count), UInt64(entryBytes)])
        SegmentHeader.markReady(segment)
        return PriceStore(segment: segment, symbolCapacity: symbolCapacity)
    }

    /// Attaches to an existing store; fails with a precise error on any layout difference.
    public static func attach(names: SegmentNames) throws(SharedMemoryError) -> PriceStore {
        let segment = try SegmentHeader.openValidated(name: names.prices, kind: .priceStore)
        try SegmentHeader.expectGeometry(segment, index: 1, field: "sources per symbol", expected: UInt64(SourceId.count))
        try SegmentHeader.expectGeometry(segment, index: 2, field: "entry bytes", expected: UInt64(entryBytes))
        let capacity = Int(SegmentHeader.read(segment).geometry[0])
        guard segment.size == bytes(symbolCapacity: capacity) else {
            throw .truncated(name: segment.name, expectedBytes: bytes(symbolCapacity: capacity), actualBytes: segment.size)
        }
        return PriceStore(segment: segment, symbolCapacity: capacity)
    }

    /// Attaches when the store exists, otherwise creates it.
    public static func attachOrCreate(names: SegmentNames, symbolCapacity: Int) throws(SharedMemoryError) -> PriceStore {
        do {
            return try attach(names: names)
        } catch .missing {
            do {
                return try create(names: names, symbolCapacity: symbolCapacity)
            } catch .alreadyExists {
                return try attach(names: names)  // another process won the race
            }
        }
    }

    /// Entry index of (symbol, source), or nil when the symbol is beyond capacity.
    public func slot(symbol: SymbolId, source: SourceId) -> Int? {
        guard symbol.index < symbolCapacity else { return nil }
        return symbol.index &* SourceId.count &+ source.index
    }

    public var slotCount: Int { symbolCapacity * SourceId.count }

    @inline(__always)
    func words(_ slot: Int) -> SharedWords {
        precondition(slot >= 0 && slot < symbolCapacity &* SourceId.count, "price store slot out of range")
        return SharedWords(entries + slot &* PriceStore.entryBytes)
    }
}

// MARK: - Writing (one writer per entry)

extension PriceStore {
    /// Opens a write: makes the sequence odd. Payload stores follow, then `endWrite`.
    @inline(__always)
    func beginWrite(_ entry: SharedWords) -> UInt64 {
        let sequence = entry.loadRelaxed(Offset.seq)
        entry.storeRelaxed(Offset.seq, sequence &+ 1)
        drz_fence_release()
        return sequence
    }

    @inline(__always)
    func endWrite(_ entry: SharedWords, _ sequence: UInt64) {
        entry.storeRelaxed(Offset.updateCount, entry.loadRelaxed(Offset.updateCount) &+ 1)
        entry.storeRelease(Offset.seq, sequence &+ 2)
    }

    @inline(__always)
    func storeTop(_ entry: SharedWords, _ top: TopOfBook, bidCount: Int, askCount: Int) {
        entry.storeRelaxed(Offset.flags, packFlags(top, bidCount: bidCount, askCount: askCount))
        entry.storeInt(Offset.tsExchange, top.tsExchangeNanos)
        entry.storeInt(Offset.tsReceived, top.tsReceivedNanos)
        entry.storeInt(Offset.bidPrice, top.bidPrice)
        entry.storeInt(Offset.bidQuantity, top.bidQuantity)
        entry.storeInt(Offset.askPrice, top.askPrice)
        entry.storeInt(Offset.askQuantity, top.askQuantity)
    }

    /// flags (low 32 bits) and the four scale/count bytes (high 32 bits) as one word.
    @inline(__always)
    func packFlags(_ top: TopOfBook, bidCount: Int, askCount: Int) -> UInt64 {
        let flags: UInt64 = top.verified ? 1 : 0
        let bytes = UInt64(top.priceScale) | UInt64(top.quantityScale) << 8 | UInt64(UInt8(truncatingIfNeeded: bidCount)) << 16
            | UInt64(UInt8(truncatingIfNeeded: askCount)) << 24
        return flags | bytes << 32
    }

    /// Publishes best bid/ask only (a book-ticker feed); deeper levels are cleared.
    public func publish(slot: Int, top: TopOfBook) {
        let entry = words(slot)
        let sequence = beginWrite(entry)
        storeTop(entry, top, bidCount: top.bidQuantity > 0 ? 1 : 0, askCount: top.askQuantity > 0 ? 1 : 0)
        endWrite(entry, sequence)
    }

    /// Publishes the whole entry: top of book (taken from level 0) and up to 8 levels per side.
    public func publish(slot: Int, book: borrowing BookSnapshot) {
        let entry = words(slot)
        let sequence = beginWrite(entry)
        let bidCount = min(book.bidCount, PriceStore.levelsPerSide)
        let askCount = min(book.askCount, PriceStore.levelsPerSide)
        var top = book.top
        top.bidPrice = bidCount > 0 ? book.bids[0].price : 0
        top.bidQuantity = bidCount > 0 ? book.bids[0].quantity : 0
        top.askPrice = askCount > 0 ? book.asks[0].price : 0
        top.askQuantity = askCount > 0 ? book.asks[0].quantity : 0
        storeTop(entry, top, bidCount: bidCount, askCount: askCount)
        entry.storeRelaxed(Offset.exchangeSequence, book.exchangeSequence)
        for level in 1..<PriceStore.levelsPerSide {
            let bid = level < bidCount ? book.bids[level] : .empty
            let ask = level < askCount ? book.asks[level] : .empty
            let bidOffset = Offset.bidLevels + (level - 1) * Offset.levelBytes
            let askOffset = Offset.askLevels + (level - 1) * Offset.levelBytes
            entry.storeInt(bidOffset, bid.price)
            entry.storeInt(bidOffset + 8, bid.quantity)
            entry.storeInt(askOffset, ask.price)
            entry.storeInt(askOffset + 8, ask.quantity)
        }
        endWrite(entry, sequence)
    }

    /// Marks an entry unverified (gap, resync, disconnect) without touching its prices.
    public func markUnverified(slot: Int) {
        let entry = words(slot)
        let sequence = beginWrite(entry)
        entry.storeRelaxed(Offset.flags, entry.loadRelaxed(Offset.flags) & ~UInt64(1))
        endWrite(entry, sequence)
    }

    /// Repairs entries a writer left mid-write when it died: they become even again and unverified,
    /// so readers see "no trustworthy price" instead of "inconsistent" forever. Call it from the
    /// writer that takes over, before it starts writing. Returns how many entries were repaired.
    @discardableResult
    public func repairInterruptedWrites() -> Int {
        repairInterruptedWrites(slots: 0..<slotCount)
    }

    /// The same, for the entries one writer owns: a gateway repairs only its own sources' slots
    /// and never touches (maps) the rest of a large store.
    @discardableResult
    public func repairInterruptedWrites(slots: some Sequence<Int>) -> Int {
        var repaired = 0
        for slot in slots where slot >= 0 && slot < slotCount {
            let entry = words(slot)
            let sequence = entry.loadAcquire(Offset.seq)
            guard sequence & 1 == 1 else { continue }
            entry.storeRelaxed(Offset.flags, entry.loadRelaxed(Offset.flags) & ~UInt64(1))
            entry.storeRelease(Offset.seq, sequence &+ 1)
            repaired += 1
        }
        return repaired
    }
}

// MARK: - Reading (any process, any thread)

extension PriceStore {
    @inline(__always)
    func loadTop(_ entry: SharedWords, into top: inout TopOfBook) -> (bidCount: Int, askCount: Int) {
        let flags = entry.loadRelaxed(Offset.flags)
        top.verified = flags & 1 == 1
        top.priceScale = UInt8(truncatingIfNeeded: flags >> 32)
        top.quantityScale = UInt8(truncatingIfNeeded: flags >> 40)
        top.tsExchangeNanos = entry.loadInt(Offset.tsExchange)
        top.tsReceivedNanos = entry.loadInt(Offset.tsReceived)
        top.bidPrice = entry.loadInt(Offset.bidPrice)
        top.bidQuantity = entry.loadInt(Offset.bidQuantity)
        top.askPrice = entry.loadInt(Offset.askPrice)
        top.askQuantity = entry.loadInt(Offset.askQuantity)
        return (Int(UInt8(truncatingIfNeeded: flags >> 48)), Int(UInt8(truncatingIfNeeded: flags >> 56)))
    }

    /// Copies the top of book of one entry (one cache line) with a seqlock read.
    public func readTop(slot: Int, into top: inout TopOfBook) -> ReadOutcome {
        let entry = words(slot)
        for _ in 0..<PriceStore.readAttempts {
            let before = entry.loadAcquire(Offset.seq)
            if before == 0 { return .empty }
            if before & 1 == 1 {
                drz_cpu_relax()
                continue
            }
            _ = loadTop(entry, into: &top)
            drz_fence_acquire()
            if entry.loadRelaxed(Offset.seq) == before {
                top.version = before
                return .consistent
            }
        }
        return .inconsistent
    }

    /// Starts loading an entry's top of book (its first cache line), so that several entries
    /// written by other processes arrive in parallel instead of one miss after another.
    @inline(__always)
    public func prefetchTop(slot: Int) {
        guard slot >= 0, slot < slotCount else { return }
        drz_prefetch(entries + slot &* PriceStore.entryBytes)
    }

    /// Starts loading every cache line of an entry (before `readBook`).
    @inline(__always)
    public func prefetchBook(slot: Int) { prefetchEntry(slot: slot, forWrite: false) }

    /// Asks for every cache line of an entry for writing (before `publish`): the readers' cores
    /// hold copies, and taking them back overlaps with the work that builds the snapshot.
    @inline(__always)
    public func prefetchForWrite(slot: Int) { prefetchEntry(slot: slot, forWrite: true) }

    @inline(__always)
    private func prefetchEntry(slot: Int, forWrite: Bool) {
        guard slot >= 0, slot < slotCount else { return }
        let entry = entries + slot &* PriceStore.entryBytes
        for offset in stride(from: 0, to: PriceStore.entryBytes, by: 64) {
            if forWrite { drz_prefetch_write(entry + offset) } else { drz_prefetch(entry + offset) }
        }
    }

    /// Copies the whole entry (all levels) with a seqlock read.
    public func readBook(slot: Int, into book: inout BookSnapshot) -> ReadOutcome {
        let entry = words(slot)
        for _ in 0..<PriceStore.readAttempts {
            let before = entry.loadAcquire(Offset.seq)
            if before == 0 { return .empty }
            if before & 1 == 1 {
                drz_cpu_relax()
                continue
            }
            let counts = loadTop(entry, into: &book.top)
            book.updateCount = entry.loadRelaxed(Offset.updateCount)
            book.exchangeSequence = entry.loadRelaxed(Offset.exchangeSequence)
            book.bidCount = min(counts.bidCount, PriceStore.levelsPerSide)
            book.askCount = min(counts.askCount, PriceStore.levelsPerSide)
            book.bids[0] = BookLevel(price: book.top.bidPrice, quantity: book.top.bidQuantity)
            book.asks[0] = BookLevel(price: book.top.askPrice, quantity: book.top.askQuantity)
            for level in 1..<PriceStore.levelsPerSide {
                let bidOffset = Offset.bidLevels + (level - 1) * Offset.levelBytes
                let askOffset = Offset.askLevels + (level - 1) * Offset.levelBytes
                book.bids[level] = BookLevel(price: entry.loadInt(bidOffset), quantity: entry.loadInt(bidOffset + 8))
                book.asks[level] = BookLevel(price: entry.loadInt(askOffset), quantity: entry.loadInt(askOffset + 8))
            }
            drz_fence_acquire()
            if entry.loadRelaxed(Offset.seq) == before {
                book.top.version = before
                return .consistent
            }
        }
        return .inconsistent
    }

    /// Counts for `draizer shm inspect`: entries ever written, verified, and mid-write right now.
    public func census() -> (written: Int, verified: Int, midWrite: Int) {
        var written = 0
        var verified = 0
        var midWrite = 0
        for slot in 0..<slotCount {
            let entry = words(slot)
            let sequence = entry.loadAcquire(Offset.seq)
            if sequence == 0 { continue }
            written += 1
            if sequence & 1 == 1 {
                midWrite += 1
            } else if entry.loadRelaxed(Offset.flags) & 1 == 1 {
                verified += 1
            }
        }
        return (written, verified, midWrite)
    }
}

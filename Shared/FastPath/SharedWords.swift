import CDraizerShim

/// Atomic access to words at byte offsets inside a mapping: the one place FastPath turns raw
/// addresses into typed pointers for the C atomic wrappers.
///
/// SAFETY (for every function): callers pass offsets inside the segment that owns `base`, aligned
/// to the word size; `SharedMemorySegment` bound the whole mapping to UInt64 when it mapped it, and
/// a UInt32 view of an aligned UInt64 word is a plain sub-word of trivial memory.

struct SharedWords {
    let base: UnsafeMutableRawPointer

    init(_ base: UnsafeMutableRawPointer) { self.base = base }

    @inline(__always)
    func u64(_ offset: Int) -> UnsafeMutablePointer<UInt64> {
        (base + offset).assumingMemoryBound(to: UInt64.self)
    }

    @inline(__always)
    func u32(_ offset: Int) -> UnsafeMutablePointer<UInt32> {
        (base + offset).assumingMemoryBound(to: UInt32.self)
    }

    @inline(__always) func loadAcquire(_ offset: Int) -> UInt64 { drz_load_acquire_u64(u64(offset)) }
    @inline(__always) func loadRelaxed(_ offset: Int) -> UInt64 { drz_load_relaxed_u64(u64(offset)) }
    @inline(__always) func loadSeqCst(_ offset: Int) -> UInt64 { drz_load_seqcst_u64(u64(offset)) }
    @inline(__always) func storeRelease(_ offset: Int, _ value: UInt64) { drz_store_release_u64(u64(offset), value) }
    @inline(__always) func storeRelaxed(_ offset: Int, _ value: UInt64) { drz_store_relaxed_u64(u64(offset), value) }
    @inline(__always) func fetchAdd(_ offset: Int, _ value: UInt64) -> UInt64 {
        drz_fetch_add_acqrel_u64(u64(offset), value)
    }
    @inline(__always) func compareExchange(_ offset: Int, expected: UInt64, desired: UInt64) -> Bool {
        drz_cas_u64(u64(offset), expected, desired) != 0
    }

    @inline(__always) func loadInt(_ offset: Int) -> Int64 { Int64(bitPattern: loadRelaxed(offset)) }
    @inline(__always) func storeInt(_ offset: Int, _ value: Int64) { storeRelaxed(offset, UInt64(bitPattern: value)) }

    @inline(__always) func load32Acquire(_ offset: Int) -> UInt32 { drz_load_acquire_u32(u32(offset)) }
    @inline(__always) func load32Relaxed(_ offset: Int) -> UInt32 { drz_load_relaxed_u32(u32(offset)) }
    @inline(__always) func load32SeqCst(_ offset: Int) -> UInt32 { drz_load_seqcst_u32(u32(offset)) }
    @inline(__always) func store32Release(_ offset: Int, _ value: UInt32) { drz_store_release_u32(u32(offset), value) }
    @inline(__always) func store32Relaxed(_ offset: Int, _ value: UInt32) { drz_store_relaxed_u32(u32(offset), value) }
    @inline(__always) func exchange32(_ offset: Int, _ value: UInt32) -> UInt32 { drz_exchange_seqcst_u32(u32(offset), value) }
    @inline(__always) func compareExchange32(_ offset: Int, expected: UInt32, desired: UInt32) -> Bool {
        drz_cas_u32(u32(offset), expected, desired) != 0
    }
}

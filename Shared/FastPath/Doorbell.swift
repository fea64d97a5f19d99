import CDraizerShim

/// Lets a consumer sleep when there is nothing to do and a producer wake it: an event count on one
/// 32-bit futex word in shared memory (0 = awake, 1 = asleep or about to sleep).
///
/// Consumer: `prepareToSleep()`, re-check for work, then `sleep(...)` (or `cancelSleep()` when work
/// appeared). Producer: publish work, then `ring()`. The seq-cst exchange in `prepareToSleep` and
/// the seq-cst fence in `ring` order the flag against the work, so a wake-up is never lost: either
/// the consumer's re-check sees the work, or the producer sees the flag and wakes it.
public struct Doorbell: @unchecked Sendable {
    // @unchecked Sendable: a pointer into a shared mapping owned by the structure that made this
    // doorbell; every access is atomic.

    let word: SharedWords
    let sleepingOffset: Int
    let wakeCountOffset: Int

    init(_ words: SharedWords, sleepingOffset: Int, wakeCountOffset: Int) {
        self.word = words
        self.sleepingOffset = sleepingOffset
        self.wakeCountOffset = wakeCountOffset
    }

    /// Producer side: wakes the consumer if it is asleep. Costs one fence and one load otherwise.
    public func ring() {
        drz_fence_seqcst()
        if word.load32Relaxed(sleepingOffset) == 1,
            word.compareExchange32(sleepingOffset, expected: 1, desired: 0)
        {
            _ = word.fetchAdd(wakeCountOffset, 1)
            _ = drz_futex_wake(word.u32(sleepingOffset), 1)
        }
    }

    /// Consumer side: announce the intent to sleep. Re-check for work after this.
    public func prepareToSleep() {
        _ = word.exchange32(sleepingOffset, 1)
    }

    /// Consumer side: work appeared after `prepareToSleep`.
    public func cancelSleep() {
        word.store32Relaxed(sleepingOffset, 0)
    }

    /// Consumer side: sleep until rung or until `timeoutNanos` pass (0 = no limit).
    public func sleep(timeoutNanos: Int64) {
        _ = drz_futex_wait(word.u32(sleepingOffset), 1, timeoutNanos)
        word.store32Relaxed(sleepingOffset, 0)
    }

    /// True while the consumer has announced sleep and no producer has woken it yet.
    public var isConsumerSleeping: Bool { word.load32Relaxed(sleepingOffset) == 1 }

    /// Wake-ups delivered through the futex so far (sleeps that needed a system call to end).
    public var wakeCount: UInt64 { word.loadRelaxed(wakeCountOffset) }
}

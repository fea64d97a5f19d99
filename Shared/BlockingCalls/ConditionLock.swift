#if canImport(Glibc)
import Glibc
#endif

/// A POSIX mutex with one condition variable: what `DedicatedThread` waits on, without
/// Foundation (services that load no Foundation keep their resident memory small).
final class ConditionLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread objects are made for sharing between threads; they live
    // at fixed heap addresses for the object's lifetime.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for a signal; call with the lock held (it is held again on return).
    func wait() { pthread_cond_wait(condition, mutex) }
    func signal() { pthread_cond_signal(condition) }
    func broadcast() { pthread_cond_broadcast(condition) }
}

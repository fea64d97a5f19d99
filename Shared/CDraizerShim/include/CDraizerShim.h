// Thin, header-only wrappers over what Swift cannot call directly: GCC atomics on memory that
// lives in a shared mapping, the futex system call (Glibc's `syscall` is variadic), CPU pinning
// (CPU_SET is a macro) and the spin-wait hint, mostly `static inline`, so release builds compile
// each call down to the single instruction it names; plus the byte work that wants SIMD (CRC-32,
// decimal text).
#ifndef CDRAIZER_SHIM_H
#define CDRAIZER_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

// MARK: 64-bit atomics
static inline uint64_t drz_load_acquire_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline uint64_t drz_load_relaxed_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline uint64_t drz_load_seqcst_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void drz_store_release_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void drz_store_relaxed_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint64_t drz_fetch_add_relaxed_u64(uint64_t *p, uint64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline uint64_t drz_fetch_add_acqrel_u64(uint64_t *p, uint64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL); }
static inline int drz_cas_u64(uint64_t *p, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

// MARK: 32-bit atomics (futex words, flags)
static inline uint32_t drz_load_acquire_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline uint32_t drz_load_relaxed_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline uint32_t drz_load_seqcst_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void drz_store_release_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void drz_store_relaxed_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint32_t drz_exchange_seqcst_u32(uint32_t *p, uint32_t v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline int drz_cas_u32(uint32_t *p, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

// MARK: fences and spinning
static inline void drz_fence_acquire(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
static inline void drz_fence_release(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
static inline void drz_fence_seqcst(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void drz_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Starts loading the cache line holding `p` for reading; never faults.
static inline void drz_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
/// The same, for a line about to be written (asks for it exclusively).
static inline void drz_prefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }

// MARK: futex on a word in a shared (not private) mapping
/// Sleeps while *word == expected, at most timeout_nanos (0 = no limit).
/// Returns 0 when woken, or -errno (EAGAIN: the word had changed, ETIMEDOUT, EINTR).
int drz_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_nanos);
/// Wakes up to `count` waiters on word. Returns how many were woken, or -errno.
int drz_futex_wake(uint32_t *word, int count);

// MARK: scheduling
/// Pins the calling thread to one CPU, or lets it run on every CPU when cpu < 0. Returns 0 or -errno.
int drz_pin_current_thread(int cpu);
/// Checks that the calling thread may be pinned to `cpu`, then takes `cpu` out of its CPU set, so
/// that threads it starts from now on stay off it (kept when it was the only one). 0 or -errno
/// (EINVAL: no such CPU, or not one the process may use).
int drz_pin_current_thread_away_from(int cpu);
/// Number of CPUs the process may run on.
int drz_available_cpus(void);

// MARK: close-on-exec descriptors (pipe2 and accept4 are GNU extensions Glibc's module hides)
/// A pipe whose two ends are close-on-exec. 0 or -errno.
int drz_pipe_cloexec(int descriptors[2]);
/// accept(2) of a close-on-exec connection (no peer address). The descriptor, or -errno.
int drz_accept_cloexec(int listening);

// MARK: checksums and decimal text
/// CRC-32 (IEEE, as zlib's crc32: pass 0 to start, the previous result to continue).
uint32_t drz_crc32(uint32_t crc, const uint8_t *data, size_t length);
/// The same a byte at a time through the table only (the reference the folded path is tested
/// against).
uint32_t drz_crc32_bytewise(uint32_t crc, const uint8_t *data, size_t length);
/// Writes mantissa × 10^-scale (scale 0...30) as a plain decimal without trailing zeros
/// ("30244", "0.18050747", "-1.5") and returns its length. `out` must have room for 40 bytes:
/// the text is at most 33 long, and bytes past it may be overwritten.
size_t drz_write_decimal(int64_t mantissa, int32_t scale, uint8_t *out);

#endif

#define _GNU_SOURCE
#include "CDraizerShim.h"
#include <errno.h>
#include <linux/futex.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int drz_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_nanos) {
    struct timespec ts;
    struct timespec *tsp = 0;
    if (timeout_nanos > 0) {
        ts.tv_sec = (time_t)(timeout_nanos / 1000000000LL);
        ts.tv_nsec = (long)(timeout_nanos % 1000000000LL);
        tsp = &ts;
    }
    long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, 0, 0);
    return rc == 0 ? 0 : -errno;
}

int drz_futex_wake(uint32_t *word, int count) {
    long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, 0, 0, 0);
    return rc >= 0 ? (int)rc : -errno;
}

int drz_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu < 0) {
        for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &set);
    } else {
        CPU_SET(cpu, &set);
    }
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

int drz_pin_current_thread_away_from(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
    cpu_set_t set, only;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -errno;
    // The thread may take `cpu` later only if it may take it now.
    CPU_ZERO(&only);
    CPU_SET(cpu, &only);
    if (sched_setaffinity(0, sizeof(only), &only) != 0) return -errno;
    CPU_CLR(cpu, &set);
    if (CPU_COUNT(&set) == 0) CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

int drz_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    return CPU_COUNT(&set);
}

int drz_pipe_cloexec(int descriptors[2]) {
    return pipe2(descriptors, O_CLOEXEC) == 0 ? 0 : -errno;
}

int drz_accept_cloexec(int listening) {
    int fd = accept4(listening, 0, 0, SOCK_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

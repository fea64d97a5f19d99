// Counts heap allocations in the process that links this target, so benchmarks can report
// allocations per operation. Only the `draizer` executable links it: the definitions below
// interpose glibc's malloc family for the whole process and forward to glibc's own entry points.
#ifndef CALLOC_COUNTER_H
#define CALLOC_COUNTER_H
#include <stdint.h>
/// Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) since start.
uint64_t drz_alloc_count(void);
#endif

// What Swift cannot spell: a compiler builtin, and a variadic call.

/// Asks the CPU to start loading the cache line at `address` for a write
/// soon after: a hint that never faults.
static inline void redi_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#ifdef __linux__
#include <sys/prctl.h>

/// Names the calling thread (its first 15 bytes), as `top -H` shows it.
static inline void redi_name_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
#endif

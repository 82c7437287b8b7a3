// A software prefetch hint for Swift hot loops (Swift has no prefetch intrinsic).
// Decode-step products stream every weight once; the hardware prefetcher alone leaves the FMA
// loop waiting on memory, so the kernels ask for the bytes a couple of kilobytes ahead.
static inline void curate_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

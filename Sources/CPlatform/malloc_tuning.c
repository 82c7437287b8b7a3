// glibc's allocator thresholds (mallopt is declared in <malloc.h>, which Swift's Glibc module does not import).
#include "cplatform.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int cplatform_malloc_thresholds(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    int ok = mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    ok &= mallopt(M_TRIM_THRESHOLD, trim_threshold);
    return ok ? 0 : -1;
#else
    (void)mmap_threshold; (void)trim_threshold;
    return -1;
#endif
}

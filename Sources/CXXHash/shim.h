#include <xxhash.h>

/* The same XXH3 again, as static inline functions (named XXH_INLINE_*), so hot loops (the decontam scan
   hashes every n-gram of the training text) can inline the short-input path instead of calling into the
   shared library. Same algorithm, same values. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/** XXH3-64 (seed 0) of `len` bytes at `p`, inlined. Equal to XXH3_64bits(p, len). */
static inline unsigned long long curate_xxh3_64(const void *p, size_t len) { return XXH_INLINE_XXH3_64bits(p, len); }

/** A hint that `p` will be read soon (a table probe a few iterations ahead). */
static inline void curate_prefetch(const void *p) { __builtin_prefetch(p); }

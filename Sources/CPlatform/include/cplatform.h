#ifndef CPLATFORM_H
#define CPLATFORM_H
#include <stdint.h>

/// What CPUID (and XGETBV, for the register state the OS saves) says about this CPU. Filled by
/// `cplatform_cpu_info`; on a CPU that is not x86-64 every flag is 0 and `is_x86` is 0.
typedef struct {
    int is_x86;
    char vendor[13];   ///< "GenuineIntel", "AuthenticAMD", ...
    char brand[49];    ///< the processor brand string, e.g. "Intel(R) Xeon(R) Platinum 8488C"
    int family, model, stepping;
    // Instruction sets: each is 1 only when the CPU has it AND the OS saves the registers it needs.
    int sse42, avx, avx2, fma, f16c;
    int avx512f, avx512bw, avx512dq, avx512vl, avx512cd, avx512vnni, avx512bf16;
    int avxvnni, amx_tile, amx_int8, amx_bf16;
} cplatform_cpu;

/// Reads CPUID once per call (cheap: a few dozen instructions).
void cplatform_cpu_info(cplatform_cpu *out);

/// The path of the shared library `symbol` (a pointer from dlsym) was loaded from, or NULL.
const char *cplatform_library_path(const void *symbol);

/// Most workers one `cwp_run` job may have (the job word keeps the count in 8 bits).
#define CWP_MAX_WORKERS 255

/// A job's body: runs worker `worker`'s share (0 is the calling thread's).
typedef void (*cwp_body)(void *ctx, long worker);

/// Runs `fn(ctx, w)` for every w in 0..<workers, w = 0 on the calling thread and the others on the
/// process's persistent worker pool (created on first use, grown to the largest `workers - 1` asked),
/// and returns when all have returned. Returns 0 when the job ran; 1, having run nothing, when the pool
/// is busy (another thread's job, or a call from inside a running job's body); -1, having run nothing,
/// when `workers` is outside 2...CWP_MAX_WORKERS, a thread could not be created or the environment
/// variable CURATE_WORKER_POOL is "off".
int cwp_run(long workers, cwp_body fn, void *ctx);

/// glibc only: frees below `mmap_threshold` bytes stay in the heap (not unmapped), and the heap is trimmed
/// only when `trim_threshold` bytes lie free at its top. Returns 0 when set, -1 otherwise (another libc).
int cplatform_malloc_thresholds(int mmap_threshold, int trim_threshold);

#endif

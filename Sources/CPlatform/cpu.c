// CPU feature detection with CPUID and XGETBV. Compiled for the x86-64 baseline (no -mavx): this file must
// run on any x86-64 CPU, since it is what decides whether the wider kernels may run at all.
#include "cplatform.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

void cplatform_cpu_info(cplatform_cpu *out) {
    memset(out, 0, sizeof *out);
    out->is_x86 = 1;
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(out->vendor + 0, &b, 4);
    memcpy(out->vendor + 4, &d, 4);
    memcpy(out->vendor + 8, &c, 4);
    out->vendor[12] = 0;

    __get_cpuid(1, &a, &b, &c, &d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    out->stepping = a & 0xf;
    out->family = (int)base_family + (base_family == 0xf ? (int)((a >> 20) & 0xff) : 0);
    out->model = (int)base_model + ((base_family == 0x6 || base_family == 0xf) ? (int)(((a >> 16) & 0xf) << 4) : 0);
    int osxsave = (c >> 27) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
    int zmm_ok = ymm_ok && (xcr0 & 0xe0) == 0xe0; // opmask, ZMM_Hi256, Hi16_ZMM
    int amx_ok = (xcr0 & 0x60000) == 0x60000;     // XTILECFG, XTILEDATA
    out->sse42 = (c >> 20) & 1;
    out->avx = ymm_ok && ((c >> 28) & 1);
    out->fma = ymm_ok && ((c >> 12) & 1);
    out->f16c = ymm_ok && ((c >> 29) & 1);

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        unsigned max_sub = a;
        out->avx2 = ymm_ok && ((b >> 5) & 1);
        out->avx512f = zmm_ok && ((b >> 16) & 1);
        out->avx512dq = zmm_ok && ((b >> 17) & 1);
        out->avx512cd = zmm_ok && ((b >> 28) & 1);
        out->avx512bw = zmm_ok && ((b >> 30) & 1);
        out->avx512vl = zmm_ok && ((b >> 31) & 1);
        out->avx512vnni = zmm_ok && ((c >> 11) & 1);
        out->amx_bf16 = amx_ok && ((d >> 22) & 1);
        out->amx_tile = amx_ok && ((d >> 24) & 1);
        out->amx_int8 = amx_ok && ((d >> 25) & 1);
        if (max_sub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            out->avxvnni = ymm_ok && ((a >> 4) & 1);
            out->avx512bf16 = zmm_ok && ((a >> 5) & 1);
        }
    }

    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        unsigned regs[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
        memcpy(out->brand, regs, 48);
        out->brand[48] = 0;
    }
}
#else
void cplatform_cpu_info(cplatform_cpu *out) { memset(out, 0, sizeof *out); }
#endif

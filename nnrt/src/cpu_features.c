/* Which instruction sets this CPU (and its OS) can run, from CPUID and XGETBV
 * on x86-64; NEON is part of every aarch64 CPU. An ISA also needs its kernel
 * table compiled in (kernels.h) to be offered. */
#include <string.h>

#include "graph.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

/* Extended control register 0: which register states the OS saves. */
static uint64_t read_xcr0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

typedef struct x86_caps {
  int sse41, avx2_fma, avx512f;
} x86_caps;

static x86_caps detect_x86(void) {
  x86_caps c = {0, 0, 0};
  unsigned a, b, cx, d;
  if (!__get_cpuid(1, &a, &b, &cx, &d)) return c;
  c.sse41 = (cx >> 19) & 1;
  int fma = (cx >> 12) & 1, osxsave = (cx >> 27) & 1, avx = (cx >> 28) & 1;
  if (!osxsave || !avx) return c;
  uint64_t xcr0 = read_xcr0();
  int os_ymm = (xcr0 & 0x6) == 0x6;    /* XMM and YMM state */
  int os_zmm = (xcr0 & 0xe6) == 0xe6;  /* plus opmask and both ZMM halves */
  unsigned b7 = 0;
  if (__get_cpuid_max(0, NULL) >= 7) {
    __cpuid_count(7, 0, a, b7, cx, d);
  }
  int avx2 = (b7 >> 5) & 1, avx512f = (b7 >> 16) & 1;
  c.avx2_fma = avx2 && fma && os_ymm;
  /* The AVX-512 kernels are built with -mavx512f, which lets the compiler use
   * AVX2/FMA too: require those as well. Only the F subset is assumed. */
  c.avx512f = avx512f && c.avx2_fma && os_zmm;
  return c;
}
#endif

static int cpu_has(nnrt_isa isa) {
  switch (isa) {
    case NNRT_ISA_SCALAR: return 1;
#if defined(__x86_64__) || defined(_M_X64)
    case NNRT_ISA_SSE4: return detect_x86().sse41;
    case NNRT_ISA_AVX2: return detect_x86().avx2_fma;
    case NNRT_ISA_AVX512: return detect_x86().avx512f;
#endif
#if defined(__aarch64__)
    case NNRT_ISA_NEON: return 1;
#endif
    default: return 0;
  }
}

int nnrt_isa_supported(nnrt_isa isa) {
  if (isa == NNRT_ISA_AUTO) return 1;
  return cpu_has(isa) && nnrt_kernels_for(isa) != NULL;
}

nnrt_isa nnrt_isa_best(void) {
  static const nnrt_isa order[] = {NNRT_ISA_AVX512, NNRT_ISA_AVX2, NNRT_ISA_SSE4, NNRT_ISA_NEON};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (nnrt_isa_supported(order[i])) return order[i];
  return NNRT_ISA_SCALAR;
}

static const char *const isa_names[] = {"auto", "scalar", "sse4", "avx2", "avx512", "neon"};

const char *nnrt_isa_name(nnrt_isa isa) {
  if ((int)isa < 0 || (size_t)isa >= sizeof isa_names / sizeof isa_names[0]) return "unknown";
  return isa_names[isa];
}

int nnrt_isa_from_name(const char *name, nnrt_isa *isa) {
  if (!name) return -1;
  for (size_t i = 0; i < sizeof isa_names / sizeof isa_names[0]; i++)
    if (strcmp(name, isa_names[i]) == 0) {
      *isa = (nnrt_isa)i;
      return 0;
    }
  return -1;
}

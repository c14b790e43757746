/* Maps an ISA to its kernel table. Only tables compiled for this target are
 * known; whether the CPU can run them is checked by the caller
 * (nnrt_isa_supported). NNRT_ISA_AUTO has no table of its own: resolve it
 * first (nnrt_isa_best). */
#include "kernels.h"

const nnrt_kernels *nnrt_kernels_for(nnrt_isa isa) {
  switch (isa) {
    case NNRT_ISA_SCALAR: return &nnrt_kernels_scalar;
#if defined(__x86_64__) || defined(_M_X64)
    case NNRT_ISA_SSE4: return &nnrt_kernels_sse4;
    case NNRT_ISA_AVX2: return &nnrt_kernels_avx2;
    case NNRT_ISA_AVX512: return &nnrt_kernels_avx512;
#endif
#if defined(__aarch64__)
    case NNRT_ISA_NEON: return &nnrt_kernels_neon;
#endif
    default: return NULL;
  }
}

/* The avx512 kernel table: the generic SIMD kernels of kernels_simd.h
 * instantiated with the avx512 vector vocabulary. */
#include "simd_avx512.h"
#include "kernels_simd.h"

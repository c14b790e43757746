/* The avx2 kernel table: the generic SIMD kernels of kernels_simd.h
 * instantiated with the avx2 vector vocabulary. */
#include "simd_avx2.h"
#include "kernels_simd.h"

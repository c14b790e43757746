/* The neon kernel table: the generic SIMD kernels of kernels_simd.h
 * instantiated with the neon vector vocabulary. */
#include "simd_neon.h"
#include "kernels_simd.h"

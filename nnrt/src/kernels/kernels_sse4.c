/* The sse4 kernel table: the generic SIMD kernels of kernels_simd.h
 * instantiated with the sse4 vector vocabulary. */
#include "simd_sse4.h"
#include "kernels_simd.h"

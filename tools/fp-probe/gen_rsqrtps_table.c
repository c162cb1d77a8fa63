/* Prints the VRSQRTPS (_mm256_rsqrt_ps) result for every input (1 + k/1024) * 2^p, p in {0, 1},
 * k in [0, 1024), as float bit patterns. On this CPU the instruction is exactly a lookup on the
 * exponent parity and the top 10 mantissa bits (checked exhaustively by check_rsqrtps.c). */
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
int main(void) {
  for (int p = 0; p < 2; p++) {
    for (uint32_t k = 0; k < 1024; k++) {
      uint32_t b = ((uint32_t)(127 + p) << 23) | (k << 13);
      float in[8], out[8];
      memcpy(&in[0], &b, 4);
      for (int j = 1; j < 8; j++) in[j] = 1.0f;
      _mm256_storeu_ps(out, _mm256_rsqrt_ps(_mm256_loadu_ps(in)));
      uint32_t o; memcpy(&o, &out[0], 4);
      printf("%08x\n", o);
    }
  }
  return 0;
}

// Runs a compiled `y = tosa.exp(x)` model (model.h, one input and output
// of MODEL_MAIN_INPUT0_SIZE floats) over every `stride`-th float bit
// pattern from 0 to 2^32 - 1 and compares each output with the C library's
// expf, bit for bit (NaNs included).
//   expf_check <stride>
#include "model.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  uint64_t stride = argc > 1 ? strtoull(argv[1], 0, 10) : 1;
  const long n = MODEL_MAIN_INPUT0_SIZE;
  float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
  uint64_t next = 0, values = 0, mismatches = 0;
  while (next < (1ull << 32)) {
    long used = 0;
    for (; used < n && next < (1ull << 32); ++used, next += stride) {
      uint32_t bits = (uint32_t)next;
      memcpy(&x[used], &bits, sizeof bits);
    }
    for (long i = used; i < n; ++i)
      x[i] = 0.0f;
    int status = model_main(x, y);
    if (status) {
      printf("status %d\n", status);
      return 1;
    }
    for (long i = 0; i < used; ++i) {
      float want = expf(x[i]);
      if (memcmp(&want, &y[i], sizeof want) != 0 && ++mismatches <= 5)
        printf("MISMATCH x = %a: expf %a, model %a\n", x[i], want, y[i]);
    }
    values += used;
  }
  printf("%s: %llu values, %llu mismatches\n", model_kernel_variant(),
         (unsigned long long)values, (unsigned long long)mismatches);
  return 0;
}

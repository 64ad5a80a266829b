/* Calls every function of Float/Inputs/ops.mlir on deterministic inputs and
 * prints its outputs, for FileCheck against values NumPy computed
 * (Float/Inputs/ops_reference.py). Uses only the generated header. */
#include "ops.h"

#include <stdio.h>

static void fill(float *x, int n, int k) {
  for (int i = 0; i < n; ++i)
    x[i] = (float)((((i + 3 * k) * 37) % 17) - 8) * 0.25f;
}

static void print(const char *name, const float *y, int n) {
  printf("%s:", name);
  for (int i = 0; i < n; ++i)
    printf(" %.4f", y[i]);
  printf("\n");
}

#define RUN1(fn, FN)                                                          \
  do {                                                                        \
    float in0[FN##_INPUT0_SIZE], out0[FN##_OUTPUT0_SIZE];                     \
    fill(in0, FN##_INPUT0_SIZE, 0);                                           \
    if (fn(in0, out0) != 0)                                                   \
      return 1;                                                               \
    print(#fn, out0, FN##_OUTPUT0_SIZE);                                      \
  } while (0)

#define RUN2(fn, FN)                                                          \
  do {                                                                        \
    float in0[FN##_INPUT0_SIZE], in1[FN##_INPUT1_SIZE];                       \
    float out0[FN##_OUTPUT0_SIZE];                                            \
    fill(in0, FN##_INPUT0_SIZE, 0);                                           \
    fill(in1, FN##_INPUT1_SIZE, 1);                                           \
    if (fn(in0, in1, out0) != 0)                                              \
      return 1;                                                               \
    print(#fn, out0, FN##_OUTPUT0_SIZE);                                      \
  } while (0)

int main(void) {
  RUN1(ops_fc, OPS_FC);
  RUN1(ops_conv, OPS_CONV);
  RUN1(ops_dwconv, OPS_DWCONV);
  RUN2(ops_addmul, OPS_ADDMUL);
  {
    float in0[OPS_POOLS_INPUT0_SIZE];
    float out0[OPS_POOLS_OUTPUT0_SIZE], out1[OPS_POOLS_OUTPUT1_SIZE];
    fill(in0, OPS_POOLS_INPUT0_SIZE, 0);
    if (ops_pools(in0, out0, out1) != 0)
      return 1;
    print("ops_pools.max", out0, OPS_POOLS_OUTPUT0_SIZE);
    print("ops_pools.avg", out1, OPS_POOLS_OUTPUT1_SIZE);
  }
  RUN2(ops_shape, OPS_SHAPE);
  RUN1(ops_softmax, OPS_SOFTMAX);
  return 0;
}

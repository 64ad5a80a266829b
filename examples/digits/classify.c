/* classify.c - run a model compiled by qopt over a test set.
 *
 * Shows how an application uses qopt's output: include the generated header,
 * link the object, call `<stem>_main(input, output)`. Reads NumPy files so
 * that it works on the bundled data directly; prints top-1 accuracy, time per
 * sample and, with an expected-outputs file, the largest difference from it.
 *
 * Build (see README.md):
 *   qopt --lower-to-llvm mlp.mlir -o build/mlp.o
 *   cc -Ibuild -DMODEL=mlp -DMODEL_UPPER=MLP classify.c build/mlp.o -lm -o mlp
 *   ./mlp test_inputs.npy test_labels.npy [expected_mlp.npy]
 */
#define CAT3(a, b, c) a##b##c
#define XCAT3(a, b, c) CAT3(a, b, c)
#define STR(x) #x
#define XSTR(x) STR(x)

#include XSTR(MODEL.h)

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENTRY XCAT3(MODEL, _, main)
#define IN_SIZE XCAT3(MODEL_UPPER, _MAIN_, INPUT0_SIZE)
#define OUT_SIZE XCAT3(MODEL_UPPER, _MAIN_, OUTPUT0_SIZE)

/* Reads a little-endian NumPy .npy file whose dtype is `descr` ('<f4' or
 * '<i4'); returns the data and its element count, or NULL. */
static void *read_npy(const char *path, const char *descr, size_t *count) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "classify: cannot open %s\n", path);
    return NULL;
  }
  unsigned char magic[10];
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0) {
    fprintf(stderr, "classify: %s is not a .npy file\n", path);
    fclose(f);
    return NULL;
  }
  size_t header_len = magic[8] | (magic[9] << 8);
  if (magic[6] >= 2) { /* version 2+: 4-byte header length */
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2) {
      fclose(f);
      return NULL;
    }
    header_len |= ((size_t)more[0] << 16) | ((size_t)more[1] << 24);
  }
  char *header = calloc(header_len + 1, 1);
  if (fread(header, 1, header_len, f) != header_len ||
      !strstr(header, descr) || strstr(header, "'fortran_order': True")) {
    fprintf(stderr, "classify: %s: expected a C-order array of %s\n", path,
            descr);
    free(header);
    fclose(f);
    return NULL;
  }
  size_t n = 1;
  char *shape = strstr(header, "'shape': (");
  for (char *p = shape ? shape + 10 : header; shape && *p && *p != ')';) {
    char *end;
    long d = strtol(p, &end, 10);
    if (end == p) {
      ++p;
      continue;
    }
    n *= (size_t)d;
    p = end;
  }
  free(header);
  void *data = malloc(n * 4);
  if (fread(data, 4, n, f) != n) {
    fprintf(stderr, "classify: %s is truncated\n", path);
    free(data);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *count = n;
  return data;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s inputs.npy labels.npy [expected.npy]\n",
            argv[0]);
    return 2;
  }
  size_t n_in, n_labels, n_expected = 0;
  float *inputs = read_npy(argv[1], "<f4", &n_in);
  int32_t *labels = read_npy(argv[2], "<i4", &n_labels);
  float *expected = argc > 3 ? read_npy(argv[3], "<f4", &n_expected) : NULL;
  if (!inputs || !labels || (argc > 3 && !expected))
    return 1;
  size_t samples = n_in / IN_SIZE;
  if (samples * IN_SIZE != n_in || samples != n_labels ||
      (expected && n_expected != samples * OUT_SIZE)) {
    fprintf(stderr, "classify: inconsistent sizes\n");
    return 1;
  }

  float *outputs = malloc(samples * OUT_SIZE * sizeof(float));
  double start = now_seconds();
  for (size_t s = 0; s < samples; ++s)
    if (ENTRY(inputs + s * IN_SIZE, outputs + s * OUT_SIZE) != 0) {
      fprintf(stderr, "classify: model failed on sample %zu\n", s);
      return 1;
    }
  double elapsed = now_seconds() - start;

  size_t correct = 0;
  double max_diff = 0;
  for (size_t s = 0; s < samples; ++s) {
    const float *y = outputs + s * OUT_SIZE;
    int best = 0;
    for (int k = 1; k < OUT_SIZE; ++k)
      if (y[k] > y[best])
        best = k;
    correct += best == labels[s];
    if (expected)
      for (int k = 0; k < OUT_SIZE; ++k) {
        double d = fabs((double)y[k] - expected[s * OUT_SIZE + k]);
        if (d > max_diff || isnan(d))
          max_diff = isnan(d) ? INFINITY : d;
      }
  }
  printf("model: %s\n", XSTR(MODEL));
  printf("accuracy: %.4f (%zu/%zu)\n", (double)correct / samples, correct,
         samples);
  printf("time per sample: %.2f us\n", elapsed / samples * 1e6);
  if (expected)
    printf("max abs difference from expected: %.3g\n", max_diff);
  return 0;
}

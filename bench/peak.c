/* The int8 peak of each dot-product unit this core has, measured on the
 * instruction itself (a throughput loop of independent accumulators, in
 * inline assembly so that the compiler cannot fold it) — no clock estimate,
 * no CPU name. Units the CPU (or the OS) lacks are not run. Prints one line
 * per unit: "<unit> <int8 GOPS>", a multiply and an add counting as two ops:
 *   vpdpbusd-zmm  AVX-512 VNNI, 64 products per instruction
 *   vpdpbusd-ymm  AVX-VNNI (VEX) or AVX-512 VNNI + VL, 32 products
 *   vpmaddwd-ymm  AVX2 (int16 products of sign-extended int8), 16 products
 *   tdpbssd       AMX-INT8, 16 x 16 x 64 products per instruction; needs the
 *                 kernel's permission (arch_prctl), asked for here
 * Best of 3 runs: other load on the machine only ever lowers a measurement. */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static unsigned long long xcr0(void) {
  unsigned a, b, c, d;
  __cpuid(1, a, b, c, d);
  if (!(c & (1u << 27))) /* OSXSAVE */
    return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}

static int bit(unsigned w, int b) { return (w >> b) & 1; }

/* Twelve independent accumulators per loop iteration. */
#define TWELVE(I, R)                                                         \
  I " %%" R "12, %%" R "13, %%" R "0\n\t" I " %%" R "12, %%" R "13, %%" R  \
  "1\n\t" I " %%" R "12, %%" R "13, %%" R "2\n\t" I " %%" R "12, %%" R     \
  "13, %%" R "3\n\t" I " %%" R "12, %%" R "13, %%" R "4\n\t" I " %%" R     \
  "12, %%" R "13, %%" R "5\n\t" I " %%" R "12, %%" R "13, %%" R "6\n\t" I  \
  " %%" R "12, %%" R "13, %%" R "7\n\t" I " %%" R "12, %%" R "13, %%" R    \
  "8\n\t" I " %%" R "12, %%" R "13, %%" R "9\n\t" I " %%" R "12, %%" R     \
  "13, %%" R "10\n\t" I " %%" R "12, %%" R "13, %%" R "11\n\t"
#define CLOBBERS                                                             \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",    \
      "xmm9", "xmm10", "xmm11"

static double vpdpbusd_zmm(void) {
  const long iters = 20000000;
  double t = now();
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(TWELVE("vpdpbusd", "zmm")::: CLOBBERS);
  return 12.0 * iters * 128 / (now() - t) / 1e9;
}

static double vpdpbusd_ymm_vex(void) {
  const long iters = 20000000;
  double t = now();
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(TWELVE("%{vex%} vpdpbusd", "ymm")::: CLOBBERS);
  return 12.0 * iters * 64 / (now() - t) / 1e9;
}

static double vpdpbusd_ymm_evex(void) {
  const long iters = 20000000;
  double t = now();
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(TWELVE("vpdpbusd", "ymm")::: CLOBBERS);
  return 12.0 * iters * 64 / (now() - t) / 1e9;
}

static double vpmaddwd_ymm(void) {
  const long iters = 20000000;
  double t = now();
  /* Independent outputs: vpmaddwd does not accumulate. */
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(TWELVE("vpmaddwd", "ymm")::: CLOBBERS);
  return 12.0 * iters * 32 / (now() - t) / 1e9;
}

/* AMX: 4 accumulator tiles (tmm0-3) fed by tmm4 (A) and tmm5 (B), each
 * 16 rows x 64 bytes. */
struct tile_config {
  unsigned char palette, start_row, reserved[14];
  unsigned short colsb[16];
  unsigned char rows[16];
};

static double tdpbssd(void) {
  static struct tile_config cfg;
  static char data[16 * 64];
  memset(&cfg, 0, sizeof cfg);
  cfg.palette = 1;
  for (int i = 0; i < 6; ++i) {
    cfg.rows[i] = 16;
    cfg.colsb[i] = 64;
  }
  __asm__ volatile("ldtilecfg %0" ::"m"(cfg));
  __asm__ volatile("tilezero %%tmm0\n\ttilezero %%tmm1\n\ttilezero %%tmm2\n\t"
                   "tilezero %%tmm3\n\t"
                   "tileloadd (%0,%1,1), %%tmm4\n\ttileloadd (%0,%1,1), %%tmm5" ::"r"(data),
                   "r"(64L));
  const long iters = 5000000;
  double t = now();
  for (long i = 0; i < iters; ++i)
    __asm__ volatile("tdpbssd %%tmm5, %%tmm4, %%tmm0\n\ttdpbssd %%tmm5, %%tmm4, %%tmm1\n\t"
                     "tdpbssd %%tmm5, %%tmm4, %%tmm2\n\ttdpbssd %%tmm5, %%tmm4, %%tmm3" ::);
  t = now() - t;
  __asm__ volatile("tilerelease");
  return 4.0 * iters * 16 * 16 * 64 * 2 / t / 1e9;
}

static void report(const char *unit, double (*measure)(void)) {
  double best = 0;
  for (int i = 0; i < 3; ++i) {
    double g = measure();
    best = g > best ? g : best;
  }
  printf("%s %.1f\n", unit, best);
}

int main(void) {
  unsigned a, b, c, d, max = __get_cpuid_max(0, 0);
  if (max < 7)
    return 0;
  __cpuid_count(7, 0, a, b, c, d);
  unsigned ebx7 = b, ecx7 = c, edx7 = d;
  __cpuid_count(7, 1, a, b, c, d);
  unsigned eax71 = a;
  unsigned long long xcr = xcr0();
  int ymmState = (xcr & 0x6) == 0x6, zmmState = (xcr & 0xe6) == 0xe6;
  int avx512vnni = zmmState && bit(ebx7, 16) && bit(ecx7, 11);
  if (avx512vnni)
    report("vpdpbusd-zmm", vpdpbusd_zmm);
  if (ymmState && bit(eax71, 4))
    report("vpdpbusd-ymm", vpdpbusd_ymm_vex);
  else if (avx512vnni && bit(ebx7, 31))
    report("vpdpbusd-ymm", vpdpbusd_ymm_evex);
  if (ymmState && bit(ebx7, 5))
    report("vpmaddwd-ymm", vpmaddwd_ymm);
  /* AMX-TILE and AMX-INT8, the OS saving tile state, and permission. */
  if (bit(edx7, 24) && bit(edx7, 25) && (xcr & 0x60000) == 0x60000 &&
      syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */,
              18 /* XFEATURE_XTILEDATA */) == 0)
    report("tdpbssd", tdpbssd);
  return 0;
}

/*===- KernelDispatch.c - run-time choice of an object's kernel variant ---===*
 *
 * Linked (as LLVM bitcode, every symbol made internal) into each object
 * qopt writes. The object's entry points call qopt_rt_select, which reads the
 * CPU once (x86: cpuid and xgetbv, so that the operating system's support for
 * the AVX / AVX-512 register state counts; AArch64: getauxval) and returns
 * the best variant the CPU can run, or the one QOPT_KERNELS names.
 *
 * The requirement codes are qopt::KernelVariant's values
 * (include/qopt/Support/KernelVariants.h), and each code checks exactly the
 * instruction set that variant's code is compiled for.
 *
 * Freestanding on purpose: an object needs nothing beyond libc.
 *===----------------------------------------------------------------------===*/

typedef unsigned long qopt_size_t;
extern char *getenv(const char *name);
extern long write(int fd, const void *buf, qopt_size_t count);

enum {
  kPortable = 0,
  kAVX2 = 1,
  kAVXVNNI = 2,
  kAVX512VNNI = 3,
  kAVX512VBMI = 4,
  kAMX = 5,
  kNeon = 16,
  kNeonDotprod = 17,
  kNeonI8mm = 18,
};

#if defined(__x86_64__)
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
  __asm__ volatile("cpuid"
                   : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                   : "a"(leaf), "c"(sub));
}

static int bit(unsigned word, int b) { return (word >> b) & 1; }

extern long syscall(long number, ...);

/* Linux hands out AMX tile state only to a process that asks for it
 * (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); the permission is
 * the process's, so once is enough. QOPT_DENY_AMX=1 makes the request fail,
 * as a kernel without AMX support would (tests of the fallback). */
static int amxPermitted(void) {
  const char *deny = getenv("QOPT_DENY_AMX");
  if (deny && *deny && !(deny[0] == '0' && deny[1] == 0))
    return 0;
  return syscall(158 /* SYS_arch_prctl */, 0x1023 /* ARCH_REQ_XCOMP_PERM */,
                 18 /* XFEATURE_XTILEDATA */) == 0;
}

static int supported(int code) {
  if (code == kPortable)
    return 1;
  unsigned r[4];
  cpuid(0, 0, r);
  unsigned maxLeaf = r[0];
  if (maxLeaf < 7)
    return 0;
  cpuid(1, 0, r);
  unsigned ecx1 = r[2];
  /* xgetbv exists only when the OS enabled XSAVE (OSXSAVE). */
  if (!bit(ecx1, 27))
    return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  unsigned long long xcr0 = ((unsigned long long)hi << 32) | lo;
  cpuid(7, 0, r);
  unsigned ebx7 = r[1], ecx7 = r[2], edx7 = r[3];
  cpuid(7, 1, r);
  unsigned eax71 = r[0];
  cpuid(0x80000000u, 0, r);
  unsigned ecx81 = 0;
  if (r[0] >= 0x80000001u) {
    cpuid(0x80000001u, 0, r);
    ecx81 = r[2];
  }
  /* x86-64-v3: SSE3 SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT XSAVE AVX F16C,
   * BMI1 AVX2 BMI2, LAHF LZCNT; the OS saves XMM and YMM state. */
  int v3 = bit(ecx1, 0) && bit(ecx1, 9) && bit(ecx1, 12) && bit(ecx1, 13) &&
           bit(ecx1, 19) && bit(ecx1, 20) && bit(ecx1, 22) && bit(ecx1, 23) &&
           bit(ecx1, 26) && bit(ecx1, 28) && bit(ecx1, 29) && bit(ebx7, 3) &&
           bit(ebx7, 5) && bit(ebx7, 8) && bit(ecx81, 0) && bit(ecx81, 5) &&
           (xcr0 & 0x6) == 0x6;
  /* x86-64-v4: AVX-512 F DQ CD BW VL; the OS saves opmask and ZMM state. */
  int v4 = v3 && bit(ebx7, 16) && bit(ebx7, 17) && bit(ebx7, 28) &&
           bit(ebx7, 30) && bit(ebx7, 31) && (xcr0 & 0xe6) == 0xe6;
  switch (code) {
  case kAVX2:
    return v3;
  case kAVXVNNI:
    return v3 && bit(eax71, 4);
  case kAVX512VNNI:
    return v4 && bit(ecx7, 11);
  case kAVX512VBMI:
    return v4 && bit(ecx7, 11) && bit(ecx7, 1);
  case kAMX:
    /* AMX-TILE, AMX-INT8 and AMX-BF16, the OS saves tile state (XCR0 bits
     * 17, 18), and this process may use it. */
    return v4 && bit(ecx7, 11) && bit(ecx7, 1) && bit(edx7, 24) && bit(edx7, 25) && bit(edx7, 22) &&
           (xcr0 & 0x60000) == 0x60000 && amxPermitted();
  default:
    return 0;
  }
}
#elif defined(__aarch64__)
extern unsigned long getauxval(unsigned long type);
#define QOPT_AT_HWCAP 16
#define QOPT_AT_HWCAP2 26
#define QOPT_HWCAP_ASIMD (1ul << 1)
#define QOPT_HWCAP_ASIMDDP (1ul << 20)
#define QOPT_HWCAP2_I8MM (1ul << 13)

static int supported(int code) {
  unsigned long hwcap = getauxval(QOPT_AT_HWCAP);
  unsigned long hwcap2 = getauxval(QOPT_AT_HWCAP2);
  int neon = (hwcap & QOPT_HWCAP_ASIMD) != 0;
  int dotprod = neon && (hwcap & QOPT_HWCAP_ASIMDDP) != 0;
  switch (code) {
  case kPortable:
    return 1;
  case kNeon:
    return neon;
  case kNeonDotprod:
    return dotprod;
  case kNeonI8mm:
    return dotprod && (hwcap2 & QOPT_HWCAP2_I8MM) != 0;
  default:
    return 0;
  }
}
#else
static int supported(int code) { return code == kPortable; }
#endif

static int sameString(const char *a, const char *b) {
  while (*a && *a == *b)
    ++a, ++b;
  return *a == *b;
}

/* Writes the pieces (up to a null) to stderr as one line. */
static void say(const char *const *pieces) {
  char line[512];
  qopt_size_t n = 0;
  for (; *pieces; ++pieces)
    for (const char *c = *pieces; *c && n < sizeof(line) - 1; ++c)
      line[n++] = *c;
  line[n++] = '\n';
  (void)write(2, line, n);
}

static void sayList(const char *head, const char *value, const char *middle,
                    int n, const char *const *names) {
  const char *pieces[48];
  int p = 0;
  pieces[p++] = "qopt: ";
  pieces[p++] = head;
  pieces[p++] = value;
  pieces[p++] = middle;
  for (int i = 0; i < n && p < 44; ++i) {
    if (i)
      pieces[p++] = ", ";
    pieces[p++] = names[i];
  }
  pieces[p++] = ")";
  pieces[p] = 0;
  say(pieces);
}

static int choose(int n, const char *const *names, const int *codes) {
  const char *forced = getenv("QOPT_KERNELS");
  if (forced && *forced) {
    for (int i = 0; i < n; ++i)
      if (sameString(forced, names[i])) {
        if (supported(codes[i]))
          return i;
        sayList("QOPT_KERNELS=", forced,
                ": this CPU lacks the instructions of that kernel variant "
                "(the object holds: ",
                n, names);
        return -1;
      }
    sayList("QOPT_KERNELS=", forced,
            ": no such kernel variant in this object (it holds: ", n, names);
    return -1;
  }
  /* Variants are listed weakest first: the last one the CPU runs wins. */
  for (int i = n - 1; i >= 0; --i)
    if (supported(codes[i]))
      return i;
  sayList("this CPU can run none of the object's kernel variants", "",
          " (", n, names);
  return -1;
}

/* The index of the variant to run, or -1 (then every entry point returns
 * the "no usable kernel variant" status). `cache` starts at -2; the choice
 * is made once per process (racing first calls compute the same answer). */
int qopt_rt_select(int *cache, int n, const char *const *names,
                   const int *codes) {
  int chosen = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
  if (chosen != -2)
    return chosen;
  chosen = choose(n, names, codes);
  __atomic_store_n(cache, chosen, __ATOMIC_RELEASE);
  return chosen;
}

/* f32 -> bf16, rounded to nearest even, NaN kept quiet. LLVM calls this when
 * it must narrow a bf16 value it held in a float register on a CPU without
 * bf16 conversions; Debian 12's libgcc lacks it, so every object carries its
 * own (internal) copy. The same bits as qt-expand-bf16's inline code. */
/* Declared with a float result whose low 16 bits are the bf16: the same
 * register (xmm0 / v0) as a __bf16 result, without a bf16 value in the body,
 * which on such a CPU would itself need this function. */
float __truncsfbf2(float x) {
  union {
    float f;
    unsigned u;
  } in = {x};
  unsigned bits;
  if ((in.u & 0x7fffffffu) > 0x7f800000u)
    bits = 0x7fc0; /* the canonical quiet NaN, as upstream's expansion */
  else
    bits = (in.u + 0x7fffu + ((in.u >> 16) & 1)) >> 16;
  union {
    unsigned u;
    float f;
  } out = {bits};
  return out.f;
}

const char *qopt_rt_variant_name(int *cache, int n, const char *const *names,
                                 const int *codes) {
  int chosen = qopt_rt_select(cache, n, names, codes);
  return chosen < 0 ? 0 : names[chosen];
}

// oneDNN (libdnnl-dev 2.6) int8 matmul as a GEMM peer: u8 src [M,K] x s8
// weights [K,N] -> s8 dst with per-column output scales (the same work as
// qopt's requantizing int8 fully connected layer), one thread; plus the
// float32 matmul for reference. Weights are given in oneDNN's preferred
// (blocked) layout, reordered once, as a deployed model would.
//
//   onednn_matmul M N K  ->  "<int8 GOPS> <f32 GOPS>"
#include "oneapi/dnnl/dnnl.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static double seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Best of 3 timings of at least 0.2 s each; returns calls per second.
template <typename F> static double rate(F &&call) {
  call();
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    long iters = 1;
    double t;
    for (;;) {
      t = seconds();
      for (long i = 0; i < iters; ++i)
        call();
      t = seconds() - t;
      if (t > 0.2)
        break;
      iters *= 2;
    }
    best = std::max(best, iters / t);
  }
  return best;
}

static double run(engine &eng, stream &s, long m, long n, long k, dt src,
                  dt wei, dt dst, bool scales) {
  memory::desc a({m, k}, src, tag::ab), c({m, n}, dst, tag::ab);
  memory::desc bAny({k, n}, wei, tag::any), bPlain({k, n}, wei, tag::ab);
  primitive_attr attr;
  if (scales) {
    std::vector<float> sc(n);
    for (long j = 0; j < n; ++j)
      sc[j] = 0.0001f * (1 + j % 7);
    attr.set_output_scales(1 << 1, sc);
  }
  matmul::primitive_desc pd(matmul::desc(a, bAny, c), attr, eng);
  memory am(a, eng), bm(bPlain, eng), bp(pd.weights_desc(), eng), cm(c, eng);
  auto *ap = static_cast<unsigned char *>(am.get_data_handle());
  auto *wp = static_cast<unsigned char *>(bm.get_data_handle());
  size_t es = src == dt::f32 ? 4 : 1;
  for (long i = 0; i < m * k * (long)es; ++i)
    ap[i] = (unsigned char)(i * 7);
  for (long i = 0; i < k * n * (long)es; ++i)
    wp[i] = (unsigned char)(i * 13);
  if (src == dt::f32) { // small finite floats
    float *af = static_cast<float *>(am.get_data_handle());
    float *wf = static_cast<float *>(bm.get_data_handle());
    for (long i = 0; i < m * k; ++i) af[i] = (i % 17) * 0.1f;
    for (long i = 0; i < k * n; ++i) wf[i] = (i % 13) * 0.01f;
  }
  reorder(bm, bp).execute(s, bm, bp);
  matmul mm(pd);
  double calls = rate([&] {
    mm.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bp}, {DNNL_ARG_DST, cm}});
    s.wait();
  });
  return 2.0 * m * n * k * calls / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: onednn_matmul M N K\n");
    return 2;
  }
  long m = std::atol(argv[1]), n = std::atol(argv[2]), k = std::atol(argv[3]);
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  double i8 = run(eng, s, m, n, k, dt::u8, dt::s8, dt::s8, true);
  double f32 = run(eng, s, m, n, k, dt::f32, dt::f32, dt::f32, false);
  std::printf("%.1f %.1f\n", i8, f32);
  return 0;
}

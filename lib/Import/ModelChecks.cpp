//===- ModelChecks.cpp - checking a model before importing it ---*- C++ -*-===//
//
// ONNX's checker and shape inference, run in a child process, and the
// window checks that keep ONNX 1.12's shape inference away from models it
// would crash on with a better message.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;

namespace qopt::onnx_import {

/// ONNX 1.12's shape inference trusts the windows of convolutions and
/// pooling: it divides by their strides and dilations, and indexes the
/// input's dimensions by the weights' rank and the attributes' lengths (a
/// stride of 0 or a 3-D input to a 2-D Conv kills the process). So they are
/// checked first, where the ranks are known before inference (graph inputs,
/// initializers): the node at fault, or "".
std::string badWindow(const onnx::GraphProto &graph) {
  static const llvm::StringSet<> windowed = {"Conv",          "ConvTranspose", "ConvInteger",
                                             "QLinearConv",   "MaxPool",       "AveragePool",
                                             "LpPool",        "MaxUnpool"};
  llvm::StringMap<int64_t> rank;
  for (const auto &in : graph.input())
    if (in.type().tensor_type().has_shape())
      rank[in.name()] = in.type().tensor_type().shape().dim_size();
  for (const auto &init : graph.initializer())
    rank[init.name()] = init.dims_size();
  auto rankOf = [&](const onnx::NodeProto &node, int i) -> int64_t {
    return i < node.input_size() ? rank.lookup(node.input(i)) : 0;
  };
  // Ops whose first output has their first input's rank carry it on.
  static const llvm::StringSet<> sameRank = {
      "DynamicQuantizeLinear", "QuantizeLinear", "DequantizeLinear", "Cast", "Relu",
      "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Identity",
      "Dropout", "BatchNormalization", "Sqrt"};
  for (const auto &node : graph.node()) {
    if (sameRank.contains(node.op_type()) && node.input_size() && node.output_size() &&
        rank.count(node.input(0)))
      rank[node.output(0)] = rank.lookup(node.input(0));
    std::string where = "node '" + node.name() + "' (" + node.op_type() + "): ";
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        if (std::string bad = badWindow(a.g()); !bad.empty())
          return bad;
      for (const auto &g : a.graphs())
        if (std::string bad = badWindow(g); !bad.empty())
          return bad;
    }
    if (!windowed.contains(node.op_type()))
      continue;
    // Spatial axes: from the input's rank, the weights' (input 1; 3 for
    // QLinearConv), and they must agree.
    int64_t spatial = rankOf(node, 0) ? rankOf(node, 0) - 2 : -1;
    bool conv = node.op_type().find("Conv") != std::string::npos;
    if (int64_t w = rankOf(node, node.op_type() == "QLinearConv" ? 3 : 1); conv && w) {
      if (spatial >= 0 && spatial != w - 2)
        return where + "the input has rank " + std::to_string(spatial + 2) +
               " but the weights " + std::to_string(w);
      spatial = w - 2;
    }
    for (const auto &a : node.attribute()) {
      StringRef name = a.name();
      bool window = name == "strides" || name == "dilations" || name == "kernel_shape";
      if (window && llvm::any_of(a.ints(), [](int64_t v) { return v < 1; }))
        return where + name.str() + " must be positive";
      int64_t expected = name == "pads" ? 2 * spatial : spatial;
      if ((window || name == "pads" || name == "output_padding") && spatial >= 0 &&
          a.ints_size() != expected)
        return where + name.str() + " must give " + std::to_string(expected) + " values";
    }
  }
  return "";
}

/// ONNX's checker and shape inference on `model` (replaced by the inferred
/// one), in a child process: ONNX 1.12's shape inference crashes on some
/// malformed models (it trusts ranks it has not checked), and an importer
/// must not take its caller down with it. The model travels back
/// serialized. "" on success, else the message. Without fork or pipe, it
/// runs in this process.
std::string checkAndInferShapes(onnx::ModelProto &model) {
  auto inProcess = [&]() -> std::string {
    try {
      onnx::checker::check_model(model);
      onnx::shape_inference::InferShapes(model);
    } catch (const std::exception &e) {
      return std::string("ONNX's checker rejects the model: ") + e.what();
    }
    return "";
  };
  int fds[2];
  if (pipe(fds) != 0)
    return inProcess();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return inProcess();
  }
  if (pid == 0) { // the child: '+' and the model, or '-' and the message
    close(fds[0]);
    // A crash here is reported by the parent, not by LLVM's stack dump.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
      std::signal(sig, SIG_DFL);
    std::string error = inProcess();
    std::string out = error.empty() ? "+" + model.SerializeAsString() : "-" + error;
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit(1);
      done += size_t(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    data.append(buffer, size_t(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    return "ONNX's shape inference crashed on the model (" +
           std::string(strsignal(WTERMSIG(status))) +
           "): it is malformed (a rank or shape ONNX's checker does not verify)";
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || data.empty())
    return "ONNX's checker and shape inference did not finish";
  if (data[0] == '-')
    return data.substr(1);
  if (!model.ParseFromArray(data.data() + 1, int(data.size() - 1)))
    return "ONNX's shape inference returned a model that does not parse";
  return "";
}

} // namespace qopt::onnx_import

//===- npz.cpp - libFuzzer target: the .npy / .npz reader -----------------===//
//
// Any bytes: an error or arrays, never a crash, a sanitizer report or an
// allocation beyond what the bytes can hold (docs/robustness.md).
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/NumPy.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto arrays = qopt::readNumPyBuffer(bytes, "input");
  if (!arrays) {
    llvm::consumeError(arrays.takeError());
    return 0;
  }
  // What was read must be whole: touch every byte.
  unsigned sum = 0;
  for (auto &[name, array] : *arrays)
    for (char c : array.data)
      sum += static_cast<unsigned char>(c);
  return sum == 0xFFFFFFFFu; // keeps the loop
}

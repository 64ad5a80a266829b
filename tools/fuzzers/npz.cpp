//===- npz.cpp - libFuzzer target: the .npy / .npz reader -----------------===//
//
// Any bytes: an error or arrays, never a crash, a sanitizer report or an
// allocation beyond what the bytes can hold (docs/robustness.md). The same
// bytes also go through the lazy reader (from a memory file): where the
// eager reader succeeds, it must give the same arrays, byte for byte.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/NumPy.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace {

/// The lazy arrays' payloads, read back in two slices (the second first),
/// or an empty optional if a read fails.
std::optional<std::vector<char>> readBack(const qopt::NpyArray &array) {
  qopt::NpyReadState state;
  uint64_t n = array.numBytes(), half = n / 2;
  std::vector<char> front(half), back(n - half);
  if (llvm::Error err = array.read(half, back, state)) {
    llvm::consumeError(std::move(err));
    return std::nullopt;
  }
  if (llvm::Error err = array.read(0, front, state)) {
    llvm::consumeError(std::move(err));
    return std::nullopt;
  }
  front.insert(front.end(), back.begin(), back.end());
  return front;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto arrays = qopt::readNumPyBuffer(bytes, "input");

  int fd = memfd_create("qopt-fuzz-npz", 0);
  if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size))
    abort();
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto lazy = qopt::readNumPyFile(path, qopt::NpyRead::Lazy);
  if (arrays && !lazy) // the lazy reader checks the same things, no more
    abort();
  if (lazy)
    for (auto &[name, array] : *lazy) {
      std::optional<std::vector<char>> payload = readBack(array);
      if (arrays && (!payload || *payload != arrays->at(name).data))
        abort();
    }
  else
    llvm::consumeError(lazy.takeError());
  lazy = std::map<std::string, qopt::NpyArray>(); // closes the file
  close(fd);

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

//===- NumPy.h - read and write .npy / .npz files ---------------*- C++ -*-===//
//
// Calibration and evaluation data come as NumPy files (SPEC §2): .npy for a
// single array, .npz (a zip archive of .npy members, stored or deflated) for
// several, keyed by name. Every malformed input is an error that says what
// is wrong; nothing here trusts a size it read from the file.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_NUMPY_H
#define QOPT_SUPPORT_NUMPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qopt {

/// Element types qopt reads and writes.
enum class DType { F32, F64, I8, U8, I16, I32, I64, Bool };

/// NumPy's name (`float32`, ...) and descriptor (`<f4`, ...) of a dtype.
llvm::StringRef dtypeName(DType type);
llvm::StringRef dtypeDescriptor(DType type);
size_t dtypeSize(DType type);

/// A dense, C-ordered, little-endian array.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(data.data());
  }
  template <typename T> T *as() { return reinterpret_cast<T *>(data.data()); }
  /// `[2, 64]` for messages.
  std::string shapeString() const;
};

/// Parses the bytes of a .npy file; `name` prefixes error messages.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Reads a .npy (one entry, key "") or .npz file (one entry per member,
/// keyed by the member name without ".npy").
llvm::Expected<std::map<std::string, NpyArray>>
readNumPyFile(llvm::StringRef path);

/// The same for the file's bytes (`name` prefixes error messages).
llvm::Expected<std::map<std::string, NpyArray>>
readNumPyBuffer(llvm::StringRef bytes, llvm::StringRef name);

/// Serializes an array as a .npy file.
std::string serializeNpy(const NpyArray &array);

/// Serializes arrays as an uncompressed .npz archive (what numpy.savez
/// writes).
std::string serializeNpz(const std::map<std::string, NpyArray> &arrays);

} // namespace qopt

#endif // QOPT_SUPPORT_NUMPY_H

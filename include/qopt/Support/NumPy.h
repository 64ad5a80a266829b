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

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qopt {

/// Element types qopt reads and writes.
enum class DType { F32, F64, I8, U8, I16, I32, I64, Bool };

/// NumPy's name (`float32`, ...) and descriptor (`<f4`, ...) of a dtype.
llvm::StringRef dtypeName(DType type);
llvm::StringRef dtypeDescriptor(DType type);
size_t dtypeSize(DType type);

class NpyFile;
struct NpyReadState;

/// A dense, C-ordered, little-endian array: in memory (`data`), or, read
/// lazily (NpyRead::Lazy), a place in a file that read() takes bytes from.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  /// Lazy arrays: the open file, and where the payload starts: at byte
  /// `fileOffset` of the file, or, for a deflated .npz member, at byte
  /// `fileOffset` of the stream inflated from [deflatedOffset,
  /// deflatedOffset + deflatedSize).
  std::shared_ptr<const NpyFile> file;
  uint64_t fileOffset = 0;
  bool deflated = false;
  uint64_t deflatedOffset = 0, deflatedSize = 0;
  /// `what` names the array in messages (`calib.npz:x.npy`).
  std::string what;

  bool isLazy() const { return file != nullptr; }
  uint64_t numBytes() const;
  /// Copies payload bytes [offset, offset + out.size()) into `out`; `state`
  /// keeps a deflated member's inflater between sequential reads.
  llvm::Error read(uint64_t offset, llvm::MutableArrayRef<char> out,
                   NpyReadState &state) const;

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

/// How readNumPyFile() reads: Eager loads every array; Lazy reads only the
/// headers and leaves the payload in the file, read on demand (stored .npz
/// members and .npy files with pread, deflated members by inflating in
/// order): memory stays flat whatever the file's size.
enum class NpyRead { Eager, Lazy };

/// Reads a .npy (one entry, key "") or .npz file (one entry per member,
/// keyed by the member name without ".npy").
llvm::Expected<std::map<std::string, NpyArray>>
readNumPyFile(llvm::StringRef path, NpyRead mode = NpyRead::Eager);

/// A file lazy arrays read from: pread at any offset; every read checks
/// that the file still has the size and modification time it had when it
/// was opened, so a file rewritten during calibration is an error, not
/// silently mixed data.
class NpyFile {
public:
  static llvm::Expected<std::shared_ptr<NpyFile>> open(llvm::StringRef path);
  ~NpyFile();
  uint64_t size() const { return fileSize; }
  const std::string &path() const { return filePath; }
  /// Exactly out.size() bytes at `offset`; `what` names them in messages.
  llvm::Error readAt(uint64_t offset, llvm::MutableArrayRef<char> out,
                     llvm::StringRef what) const;

private:
  NpyFile() = default;
  int fd = -1;
  uint64_t fileSize = 0;
  int64_t modified = 0;
  std::string filePath;
};

/// Per reader (per thread) state of lazy reads: a deflated member's
/// inflater and how far it has read.
struct NpyReadState {
  NpyReadState();
  ~NpyReadState();
  NpyReadState(const NpyReadState &) = delete;
  NpyReadState &operator=(const NpyReadState &) = delete;
  struct Inflater;
  std::unique_ptr<Inflater> inflater;
};

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

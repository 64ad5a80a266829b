//===- NumPy.cpp - read and write .npy / .npz files -------------*- C++ -*-===//

#include "qopt/Support/NumPy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cerrno>
#include <cstring>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace llvm;
using namespace qopt;

namespace {

struct DTypeInfo {
  DType type;
  StringRef name, descriptor;
  size_t size;
};

const DTypeInfo kDTypes[] = {
    {DType::F32, "float32", "<f4", 4}, {DType::F64, "float64", "<f8", 8},
    {DType::I8, "int8", "|i1", 1},     {DType::U8, "uint8", "|u1", 1},
    {DType::I16, "int16", "<i2", 2},   {DType::I32, "int32", "<i4", 4},
    {DType::I64, "int64", "<i8", 8},   {DType::Bool, "bool", "|b1", 1},
};

const DTypeInfo &info(DType type) {
  for (const DTypeInfo &i : kDTypes)
    if (i.type == type)
      return i;
  llvm_unreachable("unknown dtype");
}

Error fail(StringRef name, const Twine &message) {
  return createStringError(name + ": " + message);
}

/// The value of `'key': ...` in a .npy header dictionary, up to the next
/// top-level comma or closing brace.
std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t pos = header.find(quoted);
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  size_t end = rest.starts_with("(") ? rest.find(')') + 1 : rest.find_first_of(",}");
  return rest.take_front(end).trim();
}

} // namespace

StringRef qopt::dtypeName(DType type) { return info(type).name; }
StringRef qopt::dtypeDescriptor(DType type) { return info(type).descriptor; }
size_t qopt::dtypeSize(DType type) { return info(type).size; }

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string NpyArray::shapeString() const {
  return "[" +
         llvm::join(llvm::map_range(shape,
                                    [](int64_t d) { return std::to_string(d); }),
                    ", ") +
         "]";
}

namespace {

/// The bytes of a .npy file before its payload (magic, version, header
/// length and header), from its first 12 bytes.
Expected<uint64_t> npyHeaderEnd(StringRef bytes, StringRef name) {
  if (!bytes.starts_with("\x93NUMPY"))
    return fail(name, "not a NumPy .npy file (bad magic)");
  if (bytes.size() < 10)
    return fail(name, "truncated .npy header");
  uint8_t major = bytes[6];
  if (major == 1)
    return 10 + uint64_t(support::endian::read16le(bytes.data() + 8));
  if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(name, "truncated .npy header");
    return 12 + uint64_t(support::endian::read32le(bytes.data() + 8));
  }
  return fail(name, "unsupported .npy format version " + Twine(major));
}

/// A .npy header: the array without its data, where the data starts and
/// how many bytes it takes.
struct NpyHeader {
  NpyArray array;
  uint64_t dataOffset = 0, dataBytes = 0;
};

/// Parses the header of a .npy file; `bytes` holds at least the header.
Expected<NpyHeader> parseNpyHeader(StringRef bytes, StringRef name) {
  Expected<uint64_t> end = npyHeaderEnd(bytes, name);
  if (!end)
    return end.takeError();
  size_t offset = bytes[6] == 1 ? 10 : 12;
  if (bytes.size() < *end)
    return fail(name, "truncated .npy header");
  StringRef header = bytes.slice(offset, *end);

  NpyHeader result;
  NpyArray &array = result.array;
  std::optional<StringRef> descr = headerValue(header, "descr");
  std::optional<StringRef> order = headerValue(header, "fortran_order");
  std::optional<StringRef> shape = headerValue(header, "shape");
  if (!descr || !order || !shape)
    return fail(name, "malformed .npy header '" + header.trim() + "'");
  StringRef d = descr->trim("'\"");
  // '=' and '<' are both little-endian on every machine qopt runs on.
  std::string normalized = d.str();
  if (!normalized.empty() && normalized[0] == '=')
    normalized[0] = '<';
  bool found = false;
  for (const DTypeInfo &i : kDTypes)
    if (normalized == i.descriptor ||
        (i.size == 1 && normalized.size() == 3 &&
         normalized.substr(1) == i.descriptor.substr(1).str())) {
      array.dtype = i.type;
      found = true;
    }
  if (!found)
    return fail(name, "unsupported dtype '" + d + "' (supported: float32, "
                      "float64, int8, uint8, int16, int32, int64, bool; "
                      "little-endian)");
  if (*order != "False")
    return fail(name, "Fortran-ordered arrays are not supported; save a "
                      "C-ordered copy (numpy.ascontiguousarray)");
  StringRef dims = shape->trim("() ");
  for (StringRef dim : llvm::split(dims, ',')) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    int64_t value;
    if (dim.getAsInteger(10, value) || value < 0)
      return fail(name, "malformed shape '" + *shape + "'");
    array.shape.push_back(value);
  }
  // Guard the size computation against absurd headers.
  uint64_t bytesNeeded = dtypeSize(array.dtype);
  for (int64_t dim : array.shape) {
    if (dim != 0 && bytesNeeded > (uint64_t(1) << 40) / uint64_t(dim))
      return fail(name, "array of shape " + array.shapeString() +
                            " is too large");
    bytesNeeded *= dim;
  }
  result.dataOffset = *end;
  result.dataBytes = bytesNeeded;
  return result;
}

Error truncatedPayload(StringRef name, const NpyArray &array, uint64_t needed,
                       uint64_t available) {
  return fail(name, "truncated: shape " + array.shapeString() + " of " +
                        dtypeName(array.dtype) + " needs " + Twine(needed) +
                        " bytes, the file has " + Twine(available));
}

} // namespace

Expected<NpyArray> qopt::parseNpy(StringRef bytes, StringRef name) {
  Expected<NpyHeader> header = parseNpyHeader(bytes, name);
  if (!header)
    return header.takeError();
  NpyArray &array = header->array;
  StringRef payload = bytes.drop_front(header->dataOffset);
  if (payload.size() < header->dataBytes)
    return truncatedPayload(name, array, header->dataBytes, payload.size());
  array.data.assign(payload.begin(), payload.begin() + header->dataBytes);
  return std::move(array);
}

namespace {

/// Deflate's largest possible expansion (a 258-byte match per 2 bits).
constexpr uint64_t kMaxDeflateRatio = 1032;

/// Inflates a raw deflate stream of known size.
Expected<std::string> inflateRaw(StringRef compressed, uint64_t size,
                                 StringRef name) {
  std::string out(size, '\0');
  z_stream stream = {};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    return fail(name, "cannot initialize zlib");
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
  stream.avail_in = compressed.size();
  stream.next_out = reinterpret_cast<Bytef *>(out.data());
  stream.avail_out = size;
  int status = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  if (status != Z_STREAM_END || stream.total_out != size)
    return fail(name, "corrupt deflate data");
  return out;
}

/// Random access to an archive's bytes: a buffer, or a file read with pread.
struct ByteSource {
  uint64_t size;
  /// `n` bytes at `offset`; the caller keeps them within `size`.
  std::function<Expected<std::string>(uint64_t offset, uint64_t n)> read;
};

/// A member of a zip archive: where its data lies and how it is stored.
struct ZipMember {
  std::string name;
  uint16_t method = 0;
  uint64_t dataStart = 0, compressedSize = 0, size = 0;
};

/// The members of a zip archive, checked: every member's data lies in the
/// file, apart from the others' and from the directory, and declares no more
/// than its data can hold. Nothing is inflated or allocated by size.
Expected<std::vector<ZipMember>> readZipDirectory(const ByteSource &source,
                                                  StringRef path) {
  using support::endian::read16le;
  using support::endian::read32le;
  using support::endian::read64le;
  uint64_t fileSize = source.size;
  // End of central directory: the last "PK\5\6" record.
  if (fileSize < 22)
    return fail(path, "not a .npz file (too short for a zip archive)");
  uint64_t tailStart = fileSize - std::min<uint64_t>(fileSize, 22 + 65535);
  Expected<std::string> tail = source.read(tailStart, fileSize - tailStart);
  if (!tail)
    return tail.takeError();
  uint64_t eocd = UINT64_MAX;
  for (size_t i = tail->size() - 22 + 1; i-- > 0;)
    if (read32le(tail->data() + i) == 0x06054b50) {
      eocd = tailStart + i;
      break;
    }
  if (eocd == UINT64_MAX)
    return fail(path, "not a .npz file (no zip directory; truncated?)");
  const char *e = tail->data() + (eocd - tailStart);
  uint64_t entries = read16le(e + 10);
  uint64_t dirOffset = read32le(e + 16);
  // Zip64 end of central directory.
  if ((entries == 0xFFFF || dirOffset == 0xFFFFFFFF) && eocd >= 20) {
    Expected<std::string> locator = source.read(eocd - 20, 20);
    if (!locator)
      return locator.takeError();
    if (read32le(locator->data()) == 0x07064b50) {
      uint64_t z64 = read64le(locator->data() + 8);
      if (z64 > fileSize || fileSize - z64 < 56)
        return fail(path, "corrupt zip64 directory");
      Expected<std::string> record = source.read(z64, 56);
      if (!record)
        return record.takeError();
      if (read32le(record->data()) != 0x06064b50)
        return fail(path, "corrupt zip64 directory");
      entries = read64le(record->data() + 32);
      dirOffset = read64le(record->data() + 48);
    }
  }
  // Each directory entry takes 46 bytes or more.
  if (entries > fileSize / 46)
    return fail(path, "corrupt zip directory (" + Twine(entries) +
                          " entries declared in a file of " + Twine(fileSize) +
                          " bytes)");
  if (dirOffset > eocd)
    return fail(path, "corrupt zip directory (truncated?)");
  Expected<std::string> directory = source.read(dirOffset, eocd - dirOffset);
  if (!directory)
    return directory.takeError();
  StringRef dir = *directory;

  std::vector<ZipMember> members;
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  uint64_t pos = 0;
  for (uint64_t entry = 0; entry < entries; ++entry) {
    if (dir.size() - pos < 46 || read32le(dir.data() + pos) != 0x02014b50)
      return fail(path, "corrupt zip directory (truncated?)");
    const char *h = dir.data() + pos;
    ZipMember member;
    member.method = read16le(h + 10);
    member.compressedSize = read32le(h + 20);
    member.size = read32le(h + 24);
    uint16_t nameLen = read16le(h + 28), extraLen = read16le(h + 30),
             commentLen = read16le(h + 32);
    uint64_t localOffset = read32le(h + 42);
    if (dir.size() - pos - 46 < uint64_t(nameLen) + extraLen + commentLen)
      return fail(path, "corrupt zip directory (truncated?)");
    member.name.assign(h + 46, nameLen);
    // Zip64 sizes and offset live in extra field 0x0001, in this order,
    // for the fields that are 0xFFFFFFFF.
    for (uint64_t x = 0; x + 4 <= extraLen;) {
      const char *field = h + 46 + nameLen + x;
      uint16_t id = read16le(field), len = read16le(field + 2);
      if (id == 0x0001) {
        const char *v = field + 4;
        const char *end = v + std::min<uint64_t>(len, extraLen - x - 4);
        if (member.size == 0xFFFFFFFF && v + 8 <= end)
          member.size = read64le(v), v += 8;
        if (member.compressedSize == 0xFFFFFFFF && v + 8 <= end)
          member.compressedSize = read64le(v), v += 8;
        if (localOffset == 0xFFFFFFFF && v + 8 <= end)
          localOffset = read64le(v), v += 8;
      }
      x += 4 + len;
    }
    if (localOffset > fileSize || fileSize - localOffset < 30)
      return fail(path, "corrupt zip member '" + member.name + "'");
    Expected<std::string> local = source.read(localOffset, 30);
    if (!local)
      return local.takeError();
    if (read32le(local->data()) != 0x04034b50)
      return fail(path, "corrupt zip member '" + member.name + "'");
    member.dataStart = localOffset + 30 + read16le(local->data() + 26) +
                       read16le(local->data() + 28);
    if (member.dataStart > fileSize ||
        fileSize - member.dataStart < member.compressedSize)
      return fail(path, "truncated: member '" + member.name + "' needs " +
                            Twine(member.compressedSize) + " bytes");
    extents.push_back({localOffset, member.dataStart + member.compressedSize});
    std::string what = (path + ":" + member.name).str();
    // What a member declares must fit what it holds before anything is
    // allocated: deflate expands at most 1032:1.
    if ((member.method == 0 && member.size != member.compressedSize) ||
        (member.method == 8 &&
         member.size / kMaxDeflateRatio > member.compressedSize))
      return fail(what, "declares " + Twine(member.size) + " bytes but holds " +
                            Twine(member.compressedSize) +
                            (member.method == 8
                                 ? " compressed bytes, which inflate to at most " +
                                       Twine(member.compressedSize * kMaxDeflateRatio)
                                 : Twine(" bytes")));
    if (member.method != 0 && member.method != 8)
      return fail(what, "unsupported zip compression method " +
                            Twine(member.method));
    members.push_back(std::move(member));
    pos += 46 + nameLen + extraLen + commentLen;
  }
  extents.push_back({dirOffset, dirOffset + pos});
  llvm::sort(extents);
  for (size_t i = 1; i < extents.size(); ++i)
    if (extents[i].first < extents[i - 1].second)
      return fail(path, "zip members overlap each other or the directory "
                        "(a zip bomb?)");
  return members;
}

StringRef memberKey(StringRef memberName) {
  memberName.consume_back(".npy");
  return memberName;
}

} // namespace

//===----------------------------------------------------------------------===//
// Lazy reading
//===----------------------------------------------------------------------===//

Expected<std::shared_ptr<NpyFile>> NpyFile::open(StringRef path) {
  int fd;
  if (std::error_code ec = sys::fs::openFileForRead(path, fd))
    return createStringError("cannot read '" + path + "': " + ec.message());
  std::shared_ptr<NpyFile> file(new NpyFile());
  file->fd = fd;
  file->filePath = path.str();
  struct stat st;
  if (fstat(fd, &st) != 0)
    return createStringError("cannot read '" + path + "'");
  file->fileSize = st.st_size;
  file->modified = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return file;
}

NpyFile::~NpyFile() {
  if (fd >= 0)
    ::close(fd);
}

Error NpyFile::readAt(uint64_t offset, MutableArrayRef<char> out,
                      StringRef what) const {
  struct stat st;
  if (fstat(fd, &st) != 0 || uint64_t(st.st_size) != fileSize ||
      int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec != modified)
    return fail(what, "the file changed while it was being read");
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, offset + done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail(what, "read error at byte " + Twine(offset + done) + ": " +
                            std::strerror(errno));
    if (n == 0)
      return fail(what, "truncated: the file ends at byte " +
                            Twine(offset + done) + ", " +
                            Twine(out.size() - done) + " bytes short");
    done += n;
  }
  return Error::success();
}

/// A deflated member inflated in order: where the next output byte is and
/// how much compressed input has been fed.
struct NpyReadState::Inflater {
  const NpyArray *array = nullptr;
  z_stream stream = {};
  bool live = false;
  uint64_t produced = 0, consumed = 0;
  std::vector<char> input;

  ~Inflater() { reset(); }
  void reset() {
    if (live)
      inflateEnd(&stream);
    live = false;
    array = nullptr;
  }
  Error start(const NpyArray &a) {
    reset();
    stream = {};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
      return fail(a.what, "cannot initialize zlib");
    live = true;
    array = &a;
    produced = consumed = 0;
    return Error::success();
  }
  /// Inflates the next out.size() bytes of the stream into `out`.
  Error next(MutableArrayRef<char> out) {
    const NpyArray &a = *array;
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = out.size();
    while (stream.avail_out > 0) {
      if (stream.avail_in == 0) {
        uint64_t left = a.deflatedSize - consumed;
        if (left == 0)
          return fail(a.what, "truncated deflate data");
        input.resize(std::min<uint64_t>(left, 1 << 18));
        if (Error err = a.file->readAt(a.deflatedOffset + consumed, input, a.what))
          return err;
        consumed += input.size();
        stream.next_in = reinterpret_cast<Bytef *>(input.data());
        stream.avail_in = input.size();
      }
      int status = inflate(&stream, Z_NO_FLUSH);
      if (status == Z_STREAM_END && stream.avail_out > 0)
        return fail(a.what, "truncated deflate data");
      if (status != Z_OK && status != Z_STREAM_END)
        return fail(a.what, "corrupt deflate data");
    }
    produced += out.size();
    return Error::success();
  }
};

NpyReadState::NpyReadState() = default;
NpyReadState::~NpyReadState() = default;

uint64_t NpyArray::numBytes() const {
  return uint64_t(numElements()) * dtypeSize(dtype);
}

Error NpyArray::read(uint64_t offset, MutableArrayRef<char> out,
                     NpyReadState &state) const {
  if (!isLazy()) {
    assert(offset + out.size() <= data.size() && "read past the array");
    std::memcpy(out.data(), data.data() + offset, out.size());
    return Error::success();
  }
  if (!deflated)
    return file->readAt(fileOffset + offset, out, what);
  // Deflate reads in order: restart only to go back.
  uint64_t target = fileOffset + offset;
  if (!state.inflater)
    state.inflater = std::make_unique<NpyReadState::Inflater>();
  NpyReadState::Inflater &inflater = *state.inflater;
  if (inflater.array != this || inflater.produced > target)
    if (Error err = inflater.start(*this))
      return err;
  char discard[1 << 14];
  while (inflater.produced < target)
    if (Error err = inflater.next(MutableArrayRef<char>(
            discard, std::min<uint64_t>(sizeof discard, target - inflater.produced))))
      return err;
  return inflater.next(out);
}

namespace {

/// The header of a lazy .npy payload that starts at `start` of `file` and
/// holds `available` bytes: the array without data, pointing into the file.
Expected<NpyArray> lazyNpy(std::shared_ptr<NpyFile> file, uint64_t start,
                           uint64_t available, StringRef what) {
  std::string prefix(std::min<uint64_t>(available, 12), '\0');
  if (Error err = file->readAt(start, prefix, what))
    return std::move(err);
  Expected<uint64_t> end = npyHeaderEnd(prefix, what);
  if (!end)
    return end.takeError();
  if (*end > available)
    return fail(what, "truncated .npy header");
  std::string headerBytes(*end, '\0');
  if (Error err = file->readAt(start, headerBytes, what))
    return std::move(err);
  Expected<NpyHeader> header = parseNpyHeader(headerBytes, what);
  if (!header)
    return header.takeError();
  if (available - *end < header->dataBytes)
    return truncatedPayload(what, header->array, header->dataBytes,
                            available - *end);
  NpyArray array = std::move(header->array);
  array.file = std::move(file);
  array.fileOffset = start + *end;
  array.what = what.str();
  return array;
}

/// A deflated member: its header is inflated now (the first 64 KiB of the
/// stream), its payload when read.
Expected<NpyArray> lazyDeflatedNpy(std::shared_ptr<NpyFile> file,
                                   const ZipMember &member, StringRef what) {
  NpyArray array;
  array.file = file;
  array.deflated = true;
  array.deflatedOffset = member.dataStart;
  array.deflatedSize = member.compressedSize;
  array.what = what.str();
  NpyReadState state;
  state.inflater = std::make_unique<NpyReadState::Inflater>();
  if (Error err = state.inflater->start(array))
    return std::move(err);
  std::string prefix(std::min<uint64_t>(member.size, 1 << 16), '\0');
  if (Error err = state.inflater->next(MutableArrayRef<char>(prefix.data(), prefix.size())))
    return std::move(err);
  Expected<uint64_t> end = npyHeaderEnd(prefix, what);
  if (!end)
    return end.takeError();
  if (*end > member.size)
    return fail(what, "truncated .npy header");
  if (*end > prefix.size()) { // a header over 64 KiB: read the member whole
    std::string compressed(member.compressedSize, '\0');
    if (Error err = file->readAt(member.dataStart, compressed, what))
      return std::move(err);
    Expected<std::string> inflated = inflateRaw(compressed, member.size, what);
    if (!inflated)
      return inflated.takeError();
    return parseNpy(*inflated, what);
  }
  Expected<NpyHeader> header = parseNpyHeader(prefix, what);
  if (!header)
    return header.takeError();
  if (member.size - *end < header->dataBytes)
    return truncatedPayload(what, header->array, header->dataBytes,
                            member.size - *end);
  array.dtype = header->array.dtype;
  array.shape = std::move(header->array.shape);
  array.fileOffset = *end;
  return array;
}

Expected<std::map<std::string, NpyArray>> readLazily(StringRef path) {
  Expected<std::shared_ptr<NpyFile>> opened = NpyFile::open(path);
  if (!opened)
    return opened.takeError();
  std::shared_ptr<NpyFile> file = *opened;
  std::map<std::string, NpyArray> arrays;
  std::string magic(std::min<uint64_t>(file->size(), 6), '\0');
  if (Error err = file->readAt(0, magic, path))
    return std::move(err);
  if (StringRef(magic).starts_with("\x93NUMPY")) {
    Expected<NpyArray> array = lazyNpy(file, 0, file->size(), path);
    if (!array)
      return array.takeError();
    arrays[""] = std::move(*array);
    return arrays;
  }
  if (!StringRef(magic).starts_with("PK"))
    return fail(path, "not a NumPy file (.npy or .npz)");
  ByteSource source{file->size(),
                    [&](uint64_t offset, uint64_t n) -> Expected<std::string> {
                      std::string bytes(n, '\0');
                      if (Error err = file->readAt(offset, bytes, path))
                        return std::move(err);
                      return bytes;
                    }};
  Expected<std::vector<ZipMember>> members = readZipDirectory(source, path);
  if (!members)
    return members.takeError();
  for (const ZipMember &member : *members) {
    std::string what = (path + ":" + member.name).str();
    Expected<NpyArray> array =
        member.method == 0
            ? lazyNpy(file, member.dataStart, member.compressedSize, what)
            : lazyDeflatedNpy(file, member, what);
    if (!array)
      return array.takeError();
    arrays[memberKey(member.name).str()] = std::move(*array);
  }
  return arrays;
}

} // namespace

Expected<std::map<std::string, NpyArray>>
qopt::readNumPyFile(StringRef path, NpyRead mode) {
  if (mode == NpyRead::Lazy)
    return readLazily(path);
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError("cannot read '" + path +
                             "': " + file.getError().message());
  return readNumPyBuffer((*file)->getBuffer(), path);
}

Expected<std::map<std::string, NpyArray>>
qopt::readNumPyBuffer(StringRef bytes, StringRef path) {
  std::map<std::string, NpyArray> arrays;
  if (bytes.starts_with("\x93NUMPY")) {
    Expected<NpyArray> array = parseNpy(bytes, path);
    if (!array)
      return array.takeError();
    arrays[""] = std::move(*array);
    return arrays;
  }
  if (!bytes.starts_with("PK"))
    return fail(path, "not a NumPy file (.npy or .npz)");
  ByteSource source{bytes.size(), [&](uint64_t offset, uint64_t n) -> Expected<std::string> {
                      return bytes.substr(offset, n).str();
                    }};
  Expected<std::vector<ZipMember>> members = readZipDirectory(source, path);
  if (!members)
    return members.takeError();
  for (const ZipMember &member : *members) {
    std::string what = (path + ":" + member.name).str();
    StringRef raw = bytes.substr(member.dataStart, member.compressedSize);
    std::string inflated;
    if (member.method == 8) {
      Expected<std::string> out = inflateRaw(raw, member.size, what);
      if (!out)
        return out.takeError();
      inflated = std::move(*out);
      raw = inflated;
    }
    Expected<NpyArray> array = parseNpy(raw, what);
    if (!array)
      return array.takeError();
    arrays[memberKey(member.name).str()] = std::move(*array);
  }
  return arrays;
}

std::string qopt::serializeNpy(const NpyArray &array) {
  std::string shape = "(";
  for (int64_t d : array.shape)
    shape += std::to_string(d) + ",";
  if (array.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '" + dtypeDescriptor(array.dtype).str() +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that the data starts 64-byte aligned; end with \n.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out.push_back('\0');
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(array.data.begin(), array.data.end());
  return out;
}

std::string qopt::serializeNpz(const std::map<std::string, NpyArray> &arrays) {
  std::string out, directory;
  auto put16 = [](std::string &s, uint16_t v) {
    s.push_back(static_cast<char>(v & 0xFF));
    s.push_back(static_cast<char>(v >> 8));
  };
  auto put32 = [&](std::string &s, uint32_t v) {
    put16(s, v & 0xFFFF);
    put16(s, v >> 16);
  };
  for (const auto &[key, array] : arrays) {
    std::string name = key + ".npy";
    std::string data = serializeNpy(array);
    uint32_t crc = llvm::crc32(arrayRefFromStringRef(data));
    uint32_t offset = out.size();
    // Local header: version 2.0, no flags, stored, fixed 1980-01-01 time.
    put32(out, 0x04034b50);
    put16(out, 20), put16(out, 0), put16(out, 0), put16(out, 0), put16(out, 0x21);
    put32(out, crc), put32(out, data.size()), put32(out, data.size());
    put16(out, name.size()), put16(out, 0);
    out += name + data;
    put32(directory, 0x02014b50);
    put16(directory, 20), put16(directory, 20), put16(directory, 0);
    put16(directory, 0), put16(directory, 0), put16(directory, 0x21);
    put32(directory, crc), put32(directory, data.size());
    put32(directory, data.size());
    put16(directory, name.size()), put16(directory, 0), put16(directory, 0);
    put16(directory, 0), put16(directory, 0), put32(directory, 0);
    put32(directory, offset);
    directory += name;
  }
  uint32_t dirOffset = out.size();
  out += directory;
  put32(out, 0x06054b50);
  put16(out, 0), put16(out, 0), put16(out, arrays.size()), put16(out, arrays.size());
  put32(out, directory.size()), put32(out, dirOffset), put16(out, 0);
  return out;
}

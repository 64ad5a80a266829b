//===- NumPy.cpp - read and write .npy / .npz files -------------*- C++ -*-===//

#include "qopt/Support/NumPy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

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

Expected<NpyArray> qopt::parseNpy(StringRef bytes, StringRef name) {
  if (!bytes.starts_with("\x93NUMPY"))
    return fail(name, "not a NumPy .npy file (bad magic)");
  if (bytes.size() < 10)
    return fail(name, "truncated .npy header");
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = support::endian::read16le(bytes.data() + 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(name, "truncated .npy header");
    headerLen = support::endian::read32le(bytes.data() + 8);
    offset = 12;
  } else {
    return fail(name, "unsupported .npy format version " + Twine(major));
  }
  if (bytes.size() < offset + headerLen)
    return fail(name, "truncated .npy header");
  StringRef header = bytes.substr(offset, headerLen);

  NpyArray array;
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
  StringRef payload = bytes.drop_front(offset + headerLen);
  if (payload.size() < bytesNeeded)
    return fail(name, "truncated: shape " + array.shapeString() + " of " +
                          dtypeName(array.dtype) + " needs " +
                          Twine(bytesNeeded) + " bytes, the file has " +
                          Twine(payload.size()));
  array.data.assign(payload.begin(), payload.begin() + bytesNeeded);
  return array;
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

/// The members of a zip archive, with their data.
Expected<std::map<std::string, std::string>> readZip(StringRef bytes,
                                                     StringRef path) {
  using support::endian::read16le;
  using support::endian::read32le;
  using support::endian::read64le;
  // End of central directory: the last "PK\5\6" record.
  if (bytes.size() < 22)
    return fail(path, "not a .npz file (too short for a zip archive)");
  size_t eocd = StringRef::npos;
  for (size_t i = bytes.size() - 22 + 1; i-- > 0 && bytes.size() - i <= 22 + 65535;)
    if (read32le(bytes.data() + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == StringRef::npos)
    return fail(path, "not a .npz file (no zip directory; truncated?)");
  uint64_t entries = read16le(bytes.data() + eocd + 10);
  uint64_t dirOffset = read32le(bytes.data() + eocd + 16);
  // Zip64 end of central directory.
  if ((entries == 0xFFFF || dirOffset == 0xFFFFFFFF) && eocd >= 20 &&
      read32le(bytes.data() + eocd - 20) == 0x07064b50) {
    uint64_t z64 = read64le(bytes.data() + eocd - 20 + 8);
    if (z64 + 56 > bytes.size() || read32le(bytes.data() + z64) != 0x06064b50)
      return fail(path, "corrupt zip64 directory");
    entries = read64le(bytes.data() + z64 + 32);
    dirOffset = read64le(bytes.data() + z64 + 48);
  }
  std::map<std::string, std::string> members;
  // Every member's data must lie in the file, apart from the others' and
  // the directory: overlapping members are how zip bombs multiply.
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  uint64_t pos = dirOffset;
  // Each directory entry takes 46 bytes or more.
  if (entries > bytes.size() / 46)
    return fail(path, "corrupt zip directory (" + Twine(entries) +
                          " entries declared in a file of " +
                          Twine(bytes.size()) + " bytes)");
  for (uint64_t e = 0; e < entries; ++e) {
    if (pos > bytes.size() || bytes.size() - pos < 46 ||
        read32le(bytes.data() + pos) != 0x02014b50)
      return fail(path, "corrupt zip directory (truncated?)");
    const char *h = bytes.data() + pos;
    uint16_t method = read16le(h + 10);
    uint64_t compressedSize = read32le(h + 20);
    uint64_t size = read32le(h + 24);
    uint16_t nameLen = read16le(h + 28), extraLen = read16le(h + 30),
             commentLen = read16le(h + 32);
    uint64_t localOffset = read32le(h + 42);
    if (bytes.size() - pos - 46 < uint64_t(nameLen) + extraLen + commentLen)
      return fail(path, "corrupt zip directory (truncated?)");
    std::string memberName(h + 46, nameLen);
    // Zip64 sizes and offset live in extra field 0x0001, in this order,
    // for the fields that are 0xFFFFFFFF.
    for (uint64_t x = 0; x + 4 <= extraLen;) {
      const char *field = h + 46 + nameLen + x;
      uint16_t id = read16le(field), len = read16le(field + 2);
      if (id == 0x0001) {
        const char *v = field + 4;
        const char *end = v + len;
        if (size == 0xFFFFFFFF && v + 8 <= end)
          size = read64le(v), v += 8;
        if (compressedSize == 0xFFFFFFFF && v + 8 <= end)
          compressedSize = read64le(v), v += 8;
        if (localOffset == 0xFFFFFFFF && v + 8 <= end)
          localOffset = read64le(v), v += 8;
      }
      x += 4 + len;
    }
    if (localOffset > bytes.size() || bytes.size() - localOffset < 30 ||
        read32le(bytes.data() + localOffset) != 0x04034b50)
      return fail(path, "corrupt zip member '" + memberName + "'");
    uint64_t dataStart = localOffset + 30 + read16le(bytes.data() + localOffset + 26) +
                         read16le(bytes.data() + localOffset + 28);
    if (dataStart > bytes.size() || bytes.size() - dataStart < compressedSize)
      return fail(path, "truncated: member '" + memberName + "' needs " +
                            Twine(compressedSize) + " bytes");
    extents.push_back({localOffset, dataStart + compressedSize});
    StringRef raw = bytes.substr(dataStart, compressedSize);
    std::string member = (path + ":" + memberName).str();
    // What a member declares must fit what it holds before anything is
    // allocated: deflate expands at most 1032:1.
    if ((method == 0 && size != compressedSize) ||
        (method == 8 && size / kMaxDeflateRatio > compressedSize))
      return fail(member, "declares " + Twine(size) + " bytes but holds " +
                              Twine(compressedSize) +
                              (method == 8 ? " compressed bytes, which inflate to "
                                             "at most " +
                                                 Twine(compressedSize * kMaxDeflateRatio)
                                           : Twine(" bytes")));
    if (method == 0) {
      members[memberName] = raw.str();
    } else if (method == 8) {
      Expected<std::string> inflated = inflateRaw(raw, size, member);
      if (!inflated)
        return inflated.takeError();
      members[memberName] = std::move(*inflated);
    } else {
      return fail(member, "unsupported zip compression method " + Twine(method));
    }
    pos += 46 + nameLen + extraLen + commentLen;
  }
  extents.push_back({dirOffset, pos});
  llvm::sort(extents);
  for (size_t i = 1; i < extents.size(); ++i)
    if (extents[i].first < extents[i - 1].second)
      return fail(path, "zip members overlap each other or the directory "
                        "(a zip bomb?)");
  return members;
}

} // namespace

Expected<std::map<std::string, NpyArray>>
qopt::readNumPyFile(StringRef path) {
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
  Expected<std::map<std::string, std::string>> members = readZip(bytes, path);
  if (!members)
    return members.takeError();
  for (auto &[memberName, contents] : *members) {
    StringRef key = memberName;
    key.consume_back(".npy");
    Expected<NpyArray> array = parseNpy(contents, (path + ":" + memberName).str());
    if (!array)
      return array.takeError();
    arrays[key.str()] = std::move(*array);
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

//===- NumPyTest.cpp - .npy / .npz reading and writing ----------*- C++ -*-===//
//
// Fixtures in Inputs/ were written by NumPy itself (numpy.save, savez with
// its zip64 local headers, savez_compressed with deflate).
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/NumPy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace qopt;

namespace {

std::string input(const char *name) {
  return std::string(QOPT_UNITTEST_INPUTS) + "/" + name;
}

std::string errorOf(llvm::StringRef path, NpyRead mode = NpyRead::Eager) {
  auto arrays = readNumPyFile(path, mode);
  if (arrays)
    return "";
  return llvm::toString(arrays.takeError());
}

void expectFixture(const std::map<std::string, NpyArray> &arrays) {
  ASSERT_EQ(arrays.size(), 2u);
  const NpyArray &x = arrays.at("x");
  EXPECT_EQ(x.dtype, DType::F32);
  EXPECT_EQ(x.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(x.as<float>()[5], 1.25f);
  const NpyArray &labels = arrays.at("labels");
  EXPECT_EQ(labels.dtype, DType::I8);
  EXPECT_EQ(labels.as<int8_t>()[0], -128);
  EXPECT_EQ(labels.as<int8_t>()[2], 127);
}

TEST(NumPyTest, ReadsNumpySavez) {
  auto arrays = readNumPyFile(input("plain.npz"));
  ASSERT_TRUE(bool(arrays)) << llvm::toString(arrays.takeError());
  expectFixture(*arrays);
}

TEST(NumPyTest, ReadsNumpySavezCompressed) {
  auto arrays = readNumPyFile(input("compressed.npz"));
  ASSERT_TRUE(bool(arrays)) << llvm::toString(arrays.takeError());
  expectFixture(*arrays);
}

TEST(NumPyTest, ReadsNpy) {
  auto arrays = readNumPyFile(input("single.npy"));
  ASSERT_TRUE(bool(arrays)) << llvm::toString(arrays.takeError());
  EXPECT_EQ(arrays->at("").shapeString(), "[2, 3]");
}

TEST(NumPyTest, RoundTripsNpz) {
  NpyArray a;
  a.dtype = DType::I32;
  a.shape = {3};
  a.data.resize(12);
  a.as<int32_t>()[0] = -7;
  a.as<int32_t>()[2] = 1 << 30;
  NpyArray b;
  b.dtype = DType::F32;
  b.shape = {};
  b.data.resize(4);
  b.as<float>()[0] = 0.5f;
  std::string npz = serializeNpz({{"a", a}, {"scalar", b}});
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("qopt-npz", "npz", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << npz;
  }
  auto arrays = readNumPyFile(path);
  llvm::sys::fs::remove(path);
  ASSERT_TRUE(bool(arrays)) << llvm::toString(arrays.takeError());
  EXPECT_EQ(arrays->at("a").as<int32_t>()[0], -7);
  EXPECT_EQ(arrays->at("a").as<int32_t>()[2], 1 << 30);
  EXPECT_EQ(arrays->at("scalar").shape.size(), 0u);
  EXPECT_EQ(arrays->at("scalar").as<float>()[0], 0.5f);
}

TEST(NumPyTest, RejectsBadFiles) {
  EXPECT_NE(errorOf(input("fortran.npy")).find("Fortran-ordered"),
            std::string::npos);
  EXPECT_NE(errorOf(input("float16.npy")).find("unsupported dtype '<f2'"),
            std::string::npos);
  EXPECT_NE(errorOf(input("missing.npz")).find("cannot read"),
            std::string::npos);
  // Not NumPy at all: this source file.
  EXPECT_NE(errorOf(__FILE__).find("not a NumPy file"), std::string::npos);
}

TEST(NumPyTest, RejectsTruncatedFiles) {
  for (const char *name : {"plain.npz", "compressed.npz", "single.npy"}) {
    auto buffer = llvm::MemoryBuffer::getFile(input(name));
    ASSERT_TRUE(bool(buffer));
    llvm::StringRef bytes = (*buffer)->getBuffer();
    // Every prefix must fail cleanly (no crash, an error).
    for (size_t len = 0; len < bytes.size(); len += 7) {
      llvm::SmallString<128> path;
      ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("qopt-trunc", "bin", path));
      {
        std::error_code ec;
        llvm::raw_fd_ostream os(path, ec);
        os << bytes.take_front(len);
      }
      EXPECT_NE(errorOf(path), "") << name << " cut at " << len;
      EXPECT_NE(errorOf(path, NpyRead::Lazy), "") << name << " cut at " << len;
      llvm::sys::fs::remove(path);
    }
  }
}

/// `bytes` written to a temporary file; the error reading it.
std::string errorOfBytes(llvm::StringRef bytes) {
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("qopt-npz", "npz", path))
    return "cannot create a temporary file";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << bytes;
  }
  std::string error = errorOf(path);
  llvm::sys::fs::remove(path);
  return error;
}

std::string fixtureBytes(const char *name) {
  auto buffer = llvm::MemoryBuffer::getFile(input(name));
  return buffer ? (*buffer)->getBuffer().str() : "";
}

uint32_t read32(const std::string &s, size_t at) {
  return uint32_t(uint8_t(s[at])) | uint32_t(uint8_t(s[at + 1])) << 8 |
         uint32_t(uint8_t(s[at + 2])) << 16 | uint32_t(uint8_t(s[at + 3])) << 24;
}
void write32(std::string &s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    s[at + i] = char(v >> (8 * i));
}
void write16(std::string &s, size_t at, uint16_t v) {
  s[at] = char(v), s[at + 1] = char(v >> 8);
}

TEST(NumPyTest, RejectsSizesTheDataCannotHold) {
  // The first member of a deflated archive declares 4 GB: refused before
  // anything is allocated, since 1032:1 is deflate's largest expansion.
  std::string bytes = fixtureBytes("compressed.npz");
  ASSERT_FALSE(bytes.empty());
  size_t eocd = bytes.rfind("PK\5\6");
  size_t dir = read32(bytes, eocd + 16);
  write32(bytes, dir + 24, 0xF0000000u);
  EXPECT_NE(errorOfBytes(bytes).find("declares 4026531840 bytes but holds"),
            std::string::npos)
      << errorOfBytes(bytes);
  // A stored member must declare exactly what it holds.
  bytes = fixtureBytes("plain.npz");
  eocd = bytes.rfind("PK\5\6");
  dir = read32(bytes, eocd + 16);
  write32(bytes, dir + 24, read32(bytes, dir + 24) + 1);
  EXPECT_NE(errorOfBytes(bytes).find("declares"), std::string::npos)
      << errorOfBytes(bytes);
  // An absurd entry count.
  bytes = fixtureBytes("plain.npz");
  eocd = bytes.rfind("PK\5\6");
  write16(bytes, eocd + 10, 0xFFFE);
  EXPECT_NE(errorOfBytes(bytes).find("entries declared"), std::string::npos)
      << errorOfBytes(bytes);
}

TEST(NumPyTest, RejectsOverlappingMembers) {
  // Two directory entries naming the same data (how zip bombs multiply):
  // the archive's directory gets a copy of its first entry, renamed.
  std::string bytes = fixtureBytes("compressed.npz");
  ASSERT_FALSE(bytes.empty());
  size_t eocd = bytes.rfind("PK\5\6");
  size_t dir = read32(bytes, eocd + 16), dirSize = read32(bytes, eocd + 12);
  size_t firstLen = 46 + uint8_t(bytes[dir + 28]) + (uint8_t(bytes[dir + 29]) << 8) +
                    uint8_t(bytes[dir + 30]) + (uint8_t(bytes[dir + 31]) << 8) +
                    uint8_t(bytes[dir + 32]) + (uint8_t(bytes[dir + 33]) << 8);
  std::string copy = bytes.substr(dir, firstLen);
  copy[46] = 'z'; // another member name
  std::string end = bytes.substr(eocd);
  write16(end, 8, uint8_t(end[8]) + 1);
  write16(end, 10, uint8_t(end[10]) + 1);
  write32(end, 12, dirSize + firstLen);
  std::string bomb = bytes.substr(0, dir + dirSize) + copy + end;
  EXPECT_NE(errorOfBytes(bomb).find("overlap"), std::string::npos)
      << errorOfBytes(bomb);
}

} // namespace

/// Lazy arrays read the same bytes as eager ones, in any order and slice;
/// a file that changes after it was opened is an error at the next read.
TEST(NumPyTest, LazyReadsSlicesAndNoticesChanges) {
  for (const char *name : {"plain.npz", "compressed.npz", "single.npy"}) {
    auto eager = readNumPyFile(input(name));
    auto lazy = readNumPyFile(input(name), NpyRead::Lazy);
    ASSERT_TRUE(bool(eager)) << llvm::toString(eager.takeError());
    ASSERT_TRUE(bool(lazy)) << llvm::toString(lazy.takeError());
    ASSERT_EQ(eager->size(), lazy->size());
    for (const auto &[key, array] : *eager) {
      const NpyArray &l = lazy->at(key);
      EXPECT_TRUE(l.isLazy());
      EXPECT_TRUE(l.data.empty());
      EXPECT_EQ(l.dtype, array.dtype);
      EXPECT_EQ(l.shape, array.shape);
      ASSERT_EQ(l.numBytes(), array.data.size());
      NpyReadState state;
      size_t n = array.data.size(), half = n / 2;
      std::vector<char> back(n - half), front(half);
      // The second half first: a deflated member restarts to go back.
      ASSERT_FALSE(bool(l.read(half, back, state)));
      ASSERT_FALSE(bool(l.read(0, front, state)));
      front.insert(front.end(), back.begin(), back.end());
      EXPECT_EQ(front, array.data) << name << ":" << key;
    }
  }

  NpyArray big;
  big.dtype = DType::F32;
  big.shape = {64, 256};
  big.data.resize(big.numBytes());
  for (size_t i = 0; i < big.data.size(); ++i)
    big.data[i] = static_cast<char>(i * 7);
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("qopt-lazy", "npz", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << serializeNpz({{"x", big}});
  }
  auto lazy = readNumPyFile(path, NpyRead::Lazy);
  ASSERT_TRUE(bool(lazy)) << llvm::toString(lazy.takeError());
  const NpyArray &x = lazy->at("x");
  NpyReadState state;
  std::vector<char> sample(1024);
  ASSERT_FALSE(bool(x.read(5 * 1024, sample, state)));
  EXPECT_TRUE(std::equal(sample.begin(), sample.end(), big.data.begin() + 5 * 1024));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
    os << "more";
  }
  llvm::Error err = x.read(6 * 1024, sample, state);
  ASSERT_TRUE(bool(err));
  EXPECT_NE(llvm::toString(std::move(err)).find("changed while it was being read"),
            std::string::npos);
  llvm::sys::fs::remove(path);
}

//===- OutputFilesTest.cpp - atomic output files ----------------*- C++ -*-===//

#include "qopt/Support/OutputFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

using namespace llvm;

namespace {

class OutputFilesTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("qopt-output-files", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }

  std::string path(StringRef name) {
    SmallString<128> p(dir);
    sys::path::append(p, name);
    return std::string(p);
  }
  std::string read(StringRef name) {
    auto buffer = MemoryBuffer::getFile(path(name));
    return buffer ? (*buffer)->getBuffer().str() : "<missing>";
  }
  /// Entries of the directory, to see that no temporary is left behind.
  unsigned countEntries() {
    std::error_code ec;
    unsigned n = 0;
    for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      ++n;
    return n;
  }

  SmallString<128> dir;
};

TEST_F(OutputFilesTest, WritesEveryFile) {
  ASSERT_FALSE(errorToBool(qopt::writeOutputFiles(
      {{path("model.o"), "object"}, {path("model.h"), "header"}})));
  EXPECT_EQ(read("model.o"), "object");
  EXPECT_EQ(read("model.h"), "header");
  EXPECT_EQ(countEntries(), 2u);
}

TEST_F(OutputFilesTest, ReplacesAnExistingFile) {
  ASSERT_FALSE(errorToBool(qopt::writeOutputFiles({{path("out"), "old"}})));
  ASSERT_FALSE(errorToBool(qopt::writeOutputFiles({{path("out"), "new"}})));
  EXPECT_EQ(read("out"), "new");
  EXPECT_EQ(countEntries(), 1u);
}

TEST_F(OutputFilesTest, FailureWritesNothing) {
  ASSERT_FALSE(errorToBool(qopt::writeOutputFiles({{path("keep.o"), "old"}})));
  // The second destination's directory does not exist: neither file may
  // change, and no temporary may stay behind.
  Error err = qopt::writeOutputFiles(
      {{path("keep.o"), "new"}, {path("missing/dir/keep.h"), "header"}});
  ASSERT_TRUE(bool(err));
  std::string message = toString(std::move(err));
  EXPECT_NE(message.find("cannot write '"), std::string::npos) << message;
  EXPECT_NE(message.find("missing/dir/keep.h"), std::string::npos) << message;
  EXPECT_EQ(read("keep.o"), "old");
  EXPECT_EQ(countEntries(), 1u);
}

} // namespace

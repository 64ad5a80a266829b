//===- TargetMachineTest.cpp - target selection -----------------*- C++ -*-===//

#include "qopt/Target/ObjectEmitter.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

namespace {

std::string errorOf(const qopt::TargetSpec &spec) {
  auto tm = qopt::createTargetMachine(spec);
  if (tm)
    return "";
  return llvm::toString(tm.takeError());
}

TEST(TargetMachineTest, HostByDefault) {
  auto tm = qopt::createTargetMachine({});
  ASSERT_TRUE(bool(tm)) << llvm::toString(tm.takeError());
  EXPECT_TRUE((*tm)->isPositionIndependent());
}

TEST(TargetMachineTest, AArch64WithFeatures) {
  auto tm = qopt::createTargetMachine(
      {"aarch64-linux-gnu", "cortex-a76", "+dotprod,+i8mm"});
  ASSERT_TRUE(bool(tm)) << llvm::toString(tm.takeError());
  EXPECT_EQ((*tm)->getTargetTriple().getArchName(), "aarch64");
  EXPECT_EQ((*tm)->getTargetCPU(), "cortex-a76");
}

TEST(TargetMachineTest, RejectsUnknownNames) {
  EXPECT_NE(errorOf({"nosuch-unknown-linux", "", ""}).find("unknown target triple"),
            std::string::npos);
  EXPECT_NE(errorOf({"x86_64-linux-gnu", "znver99", ""}).find("unknown CPU 'znver99'"),
            std::string::npos);
  EXPECT_NE(errorOf({"aarch64-linux-gnu", "", "+avx512vnni"})
                .find("unknown feature 'avx512vnni'"),
            std::string::npos);
  EXPECT_NE(errorOf({"x86_64-linux-gnu", "", "avx2"}).find("must start with '+'"),
            std::string::npos);
}

} // namespace

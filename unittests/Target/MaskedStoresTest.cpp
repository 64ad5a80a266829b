//===- MaskedStoresTest.cpp - one-lane masked stores ------------*- C++ -*-===//

#include "qopt/Target/MaskedStores.h"
#include "qopt/Target/ObjectEmitter.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <gtest/gtest.h>

namespace {

// What a vector kernel's last column writes when N = 16k + 1: int32 lanes
// truncated to int8, one lane stored. Lane 2 of an i16 vector, and a mask
// of two lanes, which must stay a masked store.
constexpr const char *kIR = R"(
define void @byte(<16 x i32> %v, ptr %p) {
  %t = trunc <16 x i32> %v to <16 x i8>
  call void @llvm.masked.store.v16i8.p0(<16 x i8> %t, ptr align 16 %p, <16 x i1> <i1 true, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false>)
  ret void
}
define void @half(<16 x i32> %v, ptr %p) {
  %t = trunc <16 x i32> %v to <16 x i16>
  call void @llvm.masked.store.v16i16.p0(<16 x i16> %t, ptr align 32 %p, <16 x i1> <i1 false, i1 false, i1 true, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false, i1 false>)
  ret void
}
define void @two(<4 x i32> %v, ptr %p) {
  %t = trunc <4 x i32> %v to <4 x i8>
  call void @llvm.masked.store.v4i8.p0(<4 x i8> %t, ptr align 1 %p, <4 x i1> <i1 true, i1 true, i1 false, i1 false>)
  ret void
}
)";

std::string print(const llvm::Function &fn) {
  std::string s;
  llvm::raw_string_ostream os(s);
  fn.print(os);
  return s;
}

TEST(MaskedStoresTest, OneLaneBecomesAScalarStoreOfItsWidth) {
  llvm::LLVMContext context;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(kIR, error, context);
  ASSERT_TRUE(module) << error.getMessage().str();
  EXPECT_EQ(qopt::scalarizeOneLaneMaskedStores(*module), 2u);

  std::string byte = print(*module->getFunction("byte"));
  EXPECT_EQ(byte.find("masked.store"), std::string::npos) << byte;
  EXPECT_NE(byte.find("extractelement <16 x i8> %t, i64 0"), std::string::npos) << byte;
  EXPECT_NE(byte.find("store i8 %1, ptr %p, align 16"), std::string::npos) << byte;

  std::string half = print(*module->getFunction("half"));
  EXPECT_NE(half.find("getelementptr inbounds i16, ptr %p, i64 2"), std::string::npos) << half;
  EXPECT_NE(half.find("store i16 %2, ptr %1, align 4"), std::string::npos) << half;

  EXPECT_NE(print(*module->getFunction("two")).find("masked.store"), std::string::npos);
}

// With AVX-512, LLVM 22 stores the untruncated 32-bit lane of the masked
// store (4 bytes for 1); after the rewrite, one byte is stored.
TEST(MaskedStoresTest, Avx512StoresOneByte) {
  auto tm = qopt::createTargetMachine(
      {"x86_64-linux-gnu", "x86-64-v4", ""});
  ASSERT_TRUE(bool(tm)) << llvm::toString(tm.takeError());
  llvm::LLVMContext context;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(kIR, error, context);
  ASSERT_TRUE(module) << error.getMessage().str();
  module->setDataLayout((*tm)->createDataLayout());
  qopt::scalarizeOneLaneMaskedStores(*module);
  module->getFunction("half")->eraseFromParent();
  module->getFunction("two")->eraseFromParent();
  llvm::SmallString<1024> assembly;
  llvm::raw_svector_ostream os(assembly);
  ASSERT_TRUE(mlir::succeeded(qopt::emitCode(*module, **tm, qopt::EmitKind::Asm, os)));
  std::string text(assembly.str());
  EXPECT_NE(text.find("movb"), std::string::npos) << text;
  EXPECT_EQ(text.find("vmovss"), std::string::npos) << text;
  EXPECT_EQ(text.find("vmovd\t%xmm0, (%rdi)"), std::string::npos) << text;
}

} // namespace

//===- CHeaderTest.cpp - the generated C header -----------------*- C++ -*-===//

#include "qopt/InitAll.h"
#include "qopt/Target/ObjectEmitter.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class CHeaderTest : public ::testing::Test {
protected:
  CHeaderTest() {
    qopt::registerAllDialects(registry);
    context = std::make_unique<MLIRContext>(registry);
    context->getDiagEngine().registerHandler([this](Diagnostic &d) {
      diagnostics += d.str() + "\n";
    });
  }
  std::string header(StringRef entries, StringRef prefix = "net") {
    std::string text =
        ("module attributes {qt.entry_points = " + entries + "} {}").str();
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, context.get());
    EXPECT_TRUE(module);
    std::string out;
    llvm::raw_string_ostream os(out);
    if (failed(qopt::writeCHeader(*module, prefix, "net.mlir", os)))
      return "<failed>";
    return out;
  }

  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::string diagnostics;
};

TEST_F(CHeaderTest, DeclaresEachEntryPoint) {
  std::string h = header(R"([{name = "main", inputs = [tensor<1x64xf32>, tensor<3xi8>],
                              outputs = [tensor<1x10xf32>, tensor<2x2xi32>]},
                             {name = "aux", inputs = [tensor<4xui8>], outputs = [tensor<4xf64>]}])");
  EXPECT_NE(h.find("#ifndef NET_H"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_main(const float *input0, const int8_t *input1, "
                   "float *output0, int32_t *output1);"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("int net_aux(const uint8_t *input0, double *output0);"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("#define NET_MAIN_INPUT0_SIZE 64"), std::string::npos);
  EXPECT_NE(h.find("#define NET_MAIN_OUTPUT1_SIZE 4"), std::string::npos);
  EXPECT_NE(h.find("input0: float[1x64] (64 elements)"), std::string::npos);
  EXPECT_NE(h.find("extern \"C\""), std::string::npos);
}

TEST_F(CHeaderTest, RejectsAModuleWithoutEntryPoints) {
  EXPECT_EQ(header("[]"), "<failed>");
  EXPECT_NE(diagnostics.find("no entry points"), std::string::npos)
      << diagnostics;
}

TEST_F(CHeaderTest, RejectsTypesWithoutACEquivalent) {
  EXPECT_EQ(header(R"([{name = "main", inputs = [tensor<4xi4>], outputs = []}])"),
            "<failed>");
  EXPECT_NE(diagnostics.find("no C equivalent"), std::string::npos)
      << diagnostics;
}

TEST(CIdentifierTest, MakesValidIdentifiers) {
  EXPECT_EQ(qopt::toCIdentifier("my-model.v2"), "my_model_v2");
  EXPECT_EQ(qopt::toCIdentifier("3net"), "_3net");
  EXPECT_EQ(qopt::toCIdentifier(""), "_");
  EXPECT_EQ(qopt::toCIdentifier("mlp"), "mlp");
}

} // namespace

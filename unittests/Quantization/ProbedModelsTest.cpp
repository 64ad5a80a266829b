//===- ProbedModelsTest.cpp - compiled probed models, shared ----*- C++ -*-===//

#include "qopt/Quantization/ProbedModels.h"
#include "qopt/Dialect/QT/IR/QTAttributes.h"
#include "qopt/Execution/ModelRunner.h"
#include "qopt/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>
#include <map>

using namespace mlir;
using namespace qopt;

namespace {

constexpr const char *kModel = R"mlir(
  func.func @main(%x: tensor<4xf32> {qt.name = "x"}) -> tensor<4xf32> {
    %a = tosa.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %b = tosa.add %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %c = tosa.sub %b, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %c : tensor<4xf32>
  }
)mlir";

struct Recorder : ProbeSink {
  std::map<int64_t, std::vector<float>> seen;
  void observe(int64_t id, const float *data, int64_t count) override {
    seen[id].assign(data, data + count);
  }
};

class ProbedModelsTest : public ::testing::Test {
protected:
  ProbedModelsTest() {
    registerAllDialects(registry);
    registerAllToLLVMIRTranslations(registry);
    context = std::make_unique<MLIRContext>(registry);
    context->loadAllAvailableDialects();
    registerModelJIT();
  }
  OwningOpRef<ModuleOp> parse(StringRef text) {
    OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(text, context.get());
    EXPECT_TRUE(m);
    return m;
  }
  /// The results of the function's ops, in order (a, b, c).
  static std::vector<Value> results(ModuleOp m) {
    std::vector<Value> values;
    m.walk([&](Operation *op) {
      if (op->getNumResults() == 1 && !isa<func::FuncOp>(op))
        values.push_back(op->getResult(0));
    });
    return values;
  }

  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
};

// One compilation serves requests for any subset of its probes, on the module
// and on a copy that has since gained the attributes calibration and
// quantization write (qt.range on ops and arguments, qt.keep_float,
// qt.calibration); the probes report through the installed sink.
TEST_F(ProbedModelsTest, OneModelServesSubsetsAndCalibratedCopies) {
  OwningOpRef<ModuleOp> m = parse(kModel);
  std::vector<Value> v = results(*m);
  ASSERT_EQ(v.size(), 3u);
  CompiledModelCache cache;
  auto all = cache.get(*m, {v[0], v[1]});
  ASSERT_TRUE(bool(all)) << llvm::toString(all.takeError());
  EXPECT_EQ(cache.compilations(), 1);
  EXPECT_EQ(all->probeOf, (std::vector<int64_t>{0, 1}));

  auto second = cache.get(*m, {v[1]});
  ASSERT_TRUE(bool(second));
  EXPECT_EQ(cache.compilations(), 1);
  EXPECT_EQ(second->runner, all->runner);
  EXPECT_EQ(second->probeOf, (std::vector<int64_t>{1}));

  IRMapping mapping;
  OwningOpRef<ModuleOp> calibrated(cast<ModuleOp>((*m)->clone(mapping)));
  Builder b(context.get());
  std::vector<Value> cv = results(*calibrated);
  cv[0].getDefiningOp()->setAttr(kRangeAttrName, b.getDenseF32ArrayAttr({0, 2}));
  cv[1].getDefiningOp()->setAttr(kKeepFloatAttrName, b.getUnitAttr());
  (*calibrated)->setAttr(kCalibrationAttrName, b.getDictionaryAttr({}));
  auto func = *calibrated->getOps<func::FuncOp>().begin();
  func.setArgAttr(0, kRangeAttrName, b.getDenseF32ArrayAttr({-1, 1}));
  auto copy = cache.get(*calibrated, {cv[1], cv[0]});
  ASSERT_TRUE(bool(copy));
  EXPECT_EQ(cache.compilations(), 1);
  EXPECT_EQ(copy->probeOf, (std::vector<int64_t>{1, 0}));

  Recorder recorder;
  {
    ScopedProbeSink installed(&recorder);
    const EntryPoint &entry = copy->runner->entryPoints().front();
    float x[4] = {1, -2, 0.5f, 3}, out[4];
    const void *in[] = {x};
    void *outs[] = {out};
    ASSERT_FALSE(bool(copy->runner->run(entry, in, outs)));
    EXPECT_EQ(out[3], 9.0f); // 4x - x
  }
  EXPECT_EQ(recorder.seen[0], (std::vector<float>{2, -4, 1, 6}));
  EXPECT_EQ(recorder.seen[1], (std::vector<float>{4, -8, 2, 12}));
}

// What changes the computation, or a value the model does not probe, gets a
// model of its own.
TEST_F(ProbedModelsTest, OtherModelsAndOtherValuesCompileAgain) {
  OwningOpRef<ModuleOp> m = parse(kModel);
  CompiledModelCache cache;
  std::vector<Value> v = results(*m);
  ASSERT_TRUE(bool(cache.get(*m, {v[0]})));
  auto unprobed = cache.get(*m, {v[2]});
  ASSERT_TRUE(bool(unprobed));
  EXPECT_EQ(cache.compilations(), 2);
  EXPECT_EQ(unprobed->probeOf, (std::vector<int64_t>{0}));

  std::string changed = kModel;
  changed.replace(changed.find("tosa.sub %b, %x"), 15, "tosa.sub %x, %b");
  OwningOpRef<ModuleOp> other = parse(changed);
  ASSERT_TRUE(bool(cache.get(*other, {results(*other)[0]})));
  EXPECT_EQ(cache.compilations(), 3);

  // A renamed input is another entry point: not the same model either.
  std::string renamed = kModel;
  renamed.replace(renamed.find("\"x\""), 3, "\"y\"");
  OwningOpRef<ModuleOp> third = parse(renamed);
  ASSERT_TRUE(bool(cache.get(*third, {results(*third)[0]})));
  EXPECT_EQ(cache.compilations(), 4);
}

} // namespace

// Uses the installed qopt libraries: registers qopt's dialects, parses a
// qt op, verifies it, and runs qopt's --lower-to-llvm pipeline from C++.
#include "qopt/InitAll.h"
#include "qopt/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

static const char *kModel = R"mlir(
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qt.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %y = tosa.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kModel, &context);
  if (!module)
    return 1;
  llvm::outs() << "parsed qt ops: "
               << (module->lookupSymbol("main") ? "yes" : "no") << "\n";
  mlir::PassManager pm(&context);
  qopt::buildLowerToLLVMPipeline(pm, qopt::LowerToLLVMOptions());
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}

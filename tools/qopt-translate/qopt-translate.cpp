//===- qopt-translate.cpp - models in and out of MLIR ------------*- C++ -*-===//
//
//   qopt-translate --import-onnx model.onnx [--input-shape=name:1x3x48x192]
//                  -o model.mlir
//   qopt-translate --list-onnx-ops     (the importer's op registry)
//
// Writes TOSA MLIR atomically: on any error the output file is not created
// and the exit code is 1.
//
//===----------------------------------------------------------------------===//

#include "qopt/Import/ModelFile.h"
#include "qopt/Support/OutputFiles.h"
#include "qopt/Support/ToolOptions.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Diagnostics.h"

using namespace llvm;

static cl::OptionCategory translateCategory("qopt-translate options");

static cl::opt<bool> importOnnx("import-onnx",
                                cl::desc("Import an ONNX model as TOSA MLIR"), cl::cat(translateCategory));
static cl::opt<bool> listOnnxOps(
    "list-onnx-ops",
    cl::desc("List the ONNX op types the importer knows: op, first and last opset, family"),
    cl::cat(translateCategory));
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input>"),
                                      cl::cat(translateCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"), cl::cat(translateCategory));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of a graph input: name:1x3x48x192"), cl::cat(translateCategory));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  qopt::setVersionPrinter("qopt-translate");
  qopt::hideOtherOptions(translateCategory);
  cl::ParseCommandLineOptions(argc, argv, "qopt-translate: models in and out of MLIR\n");
  auto fail = [](const Twine &message) {
    errs() << "qopt-translate: error: " << message << "\n";
    return 1;
  };
  if (listOnnxOps) {
    for (const qopt::ONNXOpSupport &op : qopt::supportedONNXOps())
      outs() << op.opType << " " << op.minOpset << " " << op.maxOpset << " " << op.family << "\n";
    return 0;
  }
  if (!importOnnx)
    return fail("say what to translate (--import-onnx)");
  if (inputFile.empty())
    return fail("no input file");
  qopt::ONNXImportOptions options;
  for (StringRef spec : inputShapes)
    if (Error err = qopt::parseInputShape(spec, options))
      return fail(toString(std::move(err)));
  mlir::MLIRContext context;
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      qopt::importONNX(inputFile, &context, options);
  if (!module)
    return 1;
  std::string text;
  raw_string_ostream os(text);
  module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
  if (Error err = qopt::writeOutputFiles({{outputFile, text}}))
    return fail(toString(std::move(err)));
  return 0;
}

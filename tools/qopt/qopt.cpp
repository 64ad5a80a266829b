//===- qopt.cpp - the qopt driver -------------------------------*- C++ -*-===//
//
// An mlir-opt-compatible driver that can also write LLVM IR, assembly or an
// object file (plus its C header) from the LLVM dialect. Outputs are written
// atomically: on any error nothing is created and existing files are kept.
//
//===----------------------------------------------------------------------===//

#include "qopt/Import/ModelFile.h"
#include "qopt/InitAll.h"
#include "qopt/Support/OutputFiles.h"
#include "qopt/Support/ToolOptions.h"
#include "qopt/Target/ObjectEmitter.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "qopt/Support/InputLimits.h"
#include "qopt/Support/Threads.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory qoptCategory("qopt code generation options");

static cl::opt<std::string> emitOption(
    "emit",
    cl::desc("What to write: mlir, llvm (IR), asm or obj. Default: from the "
             "-o suffix (.o obj, .s asm, .ll llvm, otherwise mlir)"),
    cl::value_desc("mlir|llvm|asm|obj"), cl::cat(qoptCategory));
static cl::opt<std::string>
    targetOption("target",
                 cl::desc("Target triple for llvm/asm/obj output (default: the "
                          "host), e.g. aarch64-linux-gnu"),
                 cl::value_desc("triple"), cl::cat(qoptCategory));
static cl::opt<std::string>
    mcpuOption("mcpu",
               cl::desc("Target CPU (default: the host CPU for host targets, "
                        "generic otherwise)"),
               cl::cat(qoptCategory));
static cl::opt<std::string>
    mattrOption("mattr",
                cl::desc("Target features, e.g. +avx512vnni or +dotprod,+i8mm"),
                cl::cat(qoptCategory));

static cl::opt<unsigned> numThreadsOption(
    "num-threads",
    cl::desc("Threads running samples on the host (calibration; default: "
             "QOPT_NUM_THREADS, else the CPUs this process may run on); "
             "results do not depend on it"),
    cl::cat(qoptCategory), cl::init(0));

static cl::list<std::string> inputShapeOption(
    "input-shape",
    cl::desc("ONNX input: the static shape of a graph input whose dimensions "
             "the file leaves open, e.g. x:1x3x48x192"),
    cl::value_desc("name:shape"), cl::cat(qoptCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "qopt") << message << "\n";
  return 1;
}

static FailureOr<qopt::EmitKind> chooseEmitKind(StringRef outputFilename) {
  if (!emitOption.empty()) {
    if (emitOption == "mlir")
      return qopt::EmitKind::MLIR;
    if (emitOption == "llvm")
      return qopt::EmitKind::LLVM;
    if (emitOption == "asm")
      return qopt::EmitKind::Asm;
    if (emitOption == "obj")
      return qopt::EmitKind::Obj;
    return failure();
  }
  StringRef ext = llvm::sys::path::extension(outputFilename);
  if (ext == ".o" || ext == ".obj")
    return qopt::EmitKind::Obj;
  if (ext == ".s" || ext == ".S")
    return qopt::EmitKind::Asm;
  if (ext == ".ll")
    return qopt::EmitKind::LLVM;
  return qopt::EmitKind::MLIR;
}

/// Turns the LLVM-dialect module MlirOptMain produced (as bytecode) into the
/// requested native output, plus a C header for objects.
static int emitNative(DialectRegistry &registry, StringRef bytecode,
                      StringRef inputFilename, StringRef outputFilename,
                      qopt::EmitKind kind, llvm::TargetMachine &tm) {
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(bytecode, inputFilename,
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return 1;

  std::string stem = llvm::sys::path::stem(outputFilename).str();
  if (outputFilename == "-")
    stem = llvm::sys::path::stem(inputFilename).str();
  std::string prefix = qopt::toCIdentifier(stem);

  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      qopt::translateAndOptimize(*module, llvmContext, tm, prefix, mattrOption);
  if (failed(llvmModule))
    return 1;

  llvm::SmallString<0> code;
  llvm::raw_svector_ostream codeStream(code);
  if (failed(qopt::emitCode(**llvmModule, tm, kind, codeStream)))
    return fail("the target cannot emit this kind of file");

  std::vector<qopt::OutputFile> outputs;
  outputs.push_back({outputFilename.str(), code.str().str()});
  if (kind == qopt::EmitKind::Obj && outputFilename != "-") {
    std::string header;
    llvm::raw_string_ostream headerStream(header);
    if (failed(qopt::writeCHeader(*module, prefix,
                                  llvm::sys::path::filename(inputFilename),
                                  headerStream)))
      return 1;
    llvm::SmallString<256> headerPath(outputFilename);
    llvm::sys::path::replace_extension(headerPath, ".h");
    outputs.push_back({headerPath.str().str(), header});
  }
  if (llvm::Error err = qopt::writeOutputFiles(outputs))
    return fail(llvm::toString(std::move(err)));
  return 0;
}

/// `qopt --help`: the driver's own options and qopt's passes, grouped, one
/// line each (descriptions from the pass registry). Everything mlir-opt and
/// LLVM offer stays behind --help-hidden.
static void printHelp(llvm::raw_ostream &os) {
  auto line = [&](llvm::StringRef flag, llvm::StringRef text) {
    os << "  " << flag;
    os.indent(flag.size() < 30 ? 30 - flag.size() : 1) << text << "\n";
  };
  auto pass = [&](llvm::StringRef name, llvm::StringRef options = "") {
    llvm::StringRef text = "(not registered)";
    if (const PassPipelineInfo *info = PassPipelineInfo::lookup(name))
      text = info->getPassDescription();
    else if (const PassInfo *info = PassInfo::lookup(name))
      text = info->getPassDescription();
    line(("--" + name + options).str(), text);
  };
  os << "OVERVIEW: qopt " << qopt::version()
     << ", a quantizing neural-network compiler (an mlir-opt that also\n"
        "writes objects)\n\n"
        "USAGE: qopt [passes and options] <model.mlir|model.onnx> [-o <output>]\n"
        "  e.g. qopt --quantize-int8=data=calib.npz --lower-to-llvm model.mlir -o model.o\n\n"
        "QUANTIZATION (pipelines; each pass's options: --help-hidden)\n";
  pass("quantize-int8", "=\"data=F ...\"");
  pass("quantize-dynamic");
  pass("quantize-f16");
  pass("quantize-bf16");
  os << "\nQUANTIZATION (the pipelines' steps)\n";
  for (llvm::StringRef name :
       {"qt-raise-linalg-contractions", "qt-calibrate", "qt-select-float-layers", "qt-quantize-int8",
        "qt-remove-float-islands", "qt-quantize-dynamic",
        "qt-convert-float-precision", "qt-observe-to-callback"})
    pass(name);
  os << "\nPRUNING\n";
  pass("qt-prune", "=\"sparsity=S ...\"");
  os << "\nLOWERING AND TARGETS\n";
  pass("lower-to-llvm", "[=kernels=...]");
  line("--target=<triple>", "Target triple (default: the host), e.g. aarch64-linux-gnu");
  line("--mcpu=<cpu>", "Target CPU (default: the host's for host targets)");
  line("--mattr=<features>", "Target features, e.g. +avx512vnni or +dotprod,+i8mm");
  line("--num-threads=<n>", "Threads running calibration samples (results do not depend on it)");
  os << "\nLOWERING STEPS (run by --lower-to-llvm; for pass developers)\n";
  for (llvm::StringRef name :
       {"convert-tosa-int8-to-packed-kernels", "convert-tosa-float-to-kernels",
        "convert-qt-to-packed-kernels", "convert-qt-to-linalg",
        "qt-prepare-contractions", "qt-fuse-multiply-add", "qt-fuse-elementwise",
        "qt-mark-entry-points", "qt-entry-points-return-status",
        "qt-static-workspace", "qt-thread-local-workspace",
        "qt-memref-copy-to-linalg", "qt-expand-exp", "qt-expand-bf16",
        "qt-bf16-memory-as-integer", "qt-outline-parallel-loops",
        "qt-lower-parallel-launches", "qt-lower-kernel-intrinsics",
        "qt-lower-amx-stream-loads"})
    pass(name);
  os << "\nINPUT AND OUTPUT\n";
  line("<model.mlir|model.onnx>", "MLIR (TOSA or linalg), or ONNX, told by content");
  line("--input-shape=<name:1x3x32x32>", "ONNX: the shape of an input the file leaves open");
  line("-o <file>", "Output (default: stdout); written only if everything succeeds");
  line("--emit=<mlir|llvm|asm|obj>", "What to write (default: from the -o suffix: .o .s .ll, else mlir)");
  line("", "An object comes with its C header (<stem>.h next to it)");
  os << "\nMORE\n";
  line("--help-hidden", "Every option: mlir-opt's (all upstream passes, --mlir-timing,");
  line("", "--verify-diagnostics, ...) and LLVM's");
  line("--version", "qopt's and LLVM's versions and the default target");
  os << "\nDocs: README.md, docs/driver.md, docs/generated/ (every pass) in the source tree.\n";
}

/// The value of `--name=value` or `--name value` (one or two dashes) in
/// argv, read before option parsing.
static std::string peekOption(llvm::ArrayRef<const char *> args,
                              llvm::StringRef name) {
  for (size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef a = args[i];
    if (!a.consume_front("--") && !a.consume_front("-"))
      continue;
    if (a.consume_front(name)) {
      if (a.consume_front("="))
        return a.str();
      if (a.empty() && i + 1 < args.size())
        return args[i + 1];
    }
  }
  return "";
}

/// `--lower-to-llvm` picks its kernel variant from the target: the option of
/// the pipeline is set here from --target / --mcpu / --mattr (read ahead of
/// option parsing, which builds the pipeline). An explicit kernels= is
/// checked against the target's architecture and left as written, and so is
/// a --pass-pipeline.
static llvm::Expected<std::vector<std::string>> targetAwareArgs(int argc,
                                                               char **argv) {
  std::vector<std::string> out(argv, argv + argc);
  llvm::ArrayRef<const char *> args(const_cast<const char **>(argv), argc);
  auto tm = qopt::createTargetMachine({peekOption(args, "target"),
                                       peekOption(args, "mcpu"),
                                       peekOption(args, "mattr")});
  if (!tm) {
    llvm::consumeError(tm.takeError()); // reported after parsing
    return out;
  }
  qopt::KernelVariant best = qopt::bestKernelVariant(**tm);
  std::string kernels = qopt::kernelVariantName(best).str();
  // A variant that needs the operating system's permission at run time
  // (amx) brings the next one down, so that a refusal falls back instead of
  // failing (docs/driver.md).
  if (std::optional<qopt::KernelVariant> fallback = qopt::permissionFallback(best))
    kernels = qopt::kernelVariantName(*fallback).str() + "," + kernels;
  for (std::string &a : out) {
    llvm::StringRef arg(a);
    std::string dashes = arg.starts_with("--") ? "--" : "-";
    if (!arg.consume_front(dashes) || !arg.consume_front("lower-to-llvm"))
      continue;
    if (arg.empty()) {
      a = dashes + "lower-to-llvm=kernels=" + kernels;
      continue;
    }
    if (!arg.consume_front("="))
      continue;
    // An explicit list is checked for the target and `all` expanded to the
    // target's variants (the pipeline alone cannot know the target).
    llvm::SmallVector<llvm::StringRef> split;
    arg.trim("\"{} ").split(split, ' ', -1, /*KeepEmpty=*/false);
    std::vector<std::string> options(split.begin(), split.end());
    bool explicitKernels = false;
    for (std::string &option : options) {
      llvm::StringRef value(option);
      if (!value.consume_front("kernels="))
        continue;
      explicitKernels = true;
      auto list = qopt::parseKernelVariantList(value);
      if (!list)
        return list.takeError();
      auto resolved =
          qopt::resolveKernelVariants(*list, (*tm)->getTargetTriple().getArch());
      if (!resolved)
        return resolved.takeError();
      option = "kernels=" + llvm::join(llvm::map_range(*resolved, [](auto v) {
                                         return qopt::kernelVariantName(v);
                                       }),
                                       ",");
    }
    if (!explicitKernels)
      options.push_back("kernels=" + kernels);
    a = dashes + "lower-to-llvm=" + llvm::join(options, " ");
  }
  return out;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  DialectRegistry registry;
  qopt::registerAllDialects(registry);
  qopt::registerAllToLLVMIRTranslations(registry);
  qopt::registerAllPasses();
  qopt::setVersionPrinter("qopt");
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h" || arg == "--h") {
      printHelp(llvm::outs());
      return 0;
    }
  }

  auto targetArgs = targetAwareArgs(argc, argv);
  if (!targetArgs)
    return fail(llvm::toString(targetArgs.takeError()));
  std::vector<std::string> args = std::move(*targetArgs);
  std::vector<char *> argPointers;
  for (std::string &a : args)
    argPointers.push_back(a.data());
  argPointers.push_back(nullptr);
  argc = static_cast<int>(args.size());
  argv = argPointers.data();

  auto [inputFilename, outputFilename] = registerAndParseCLIOptions(
      argc, argv, "qopt: quantizing neural-network compiler driver\n", registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  qopt::setHostThreadCount(numThreadsOption);

  // Listing flags write nothing: let upstream handle them.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return asMainReturnCode(MlirOptMain(argc, argv, inputFilename, "-", registry));

  FailureOr<qopt::EmitKind> kind = chooseEmitKind(outputFilename);
  if (failed(kind))
    return fail("unknown --emit value '" + emitOption +
                "' (expected mlir, llvm, asm or obj)");
  bool native = *kind != qopt::EmitKind::MLIR;
  if (native && !config.inputSplitMarker().empty())
    return fail("--split-input-file writes MLIR only; drop it or use "
                "--emit=mlir");

  // Reject a bad target before spending time on passes.
  std::unique_ptr<llvm::TargetMachine> tm;
  if (native || !targetOption.empty() || !mcpuOption.empty() ||
      !mattrOption.empty()) {
    auto created = qopt::createTargetMachine(
        {targetOption, mcpuOption, mattrOption});
    if (!created)
      return fail(llvm::toString(created.takeError()));
    tm = std::move(*created);
  }

  if (config.shouldVerifyDiagnostics() && inputFilename == "-")
    return fail("--verify-diagnostics needs an input file, not stdin");
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input)
    return fail(errorMessage);
  // An ONNX model is imported first (as `qopt-translate --import-onnx`).
  qopt::ModelFormat format =
      qopt::detectModelFormat(inputFilename, input->getBuffer());
  if (format == qopt::ModelFormat::Unknown)
    return fail(qopt::unknownModelFormat(inputFilename));
  if (format == qopt::ModelFormat::ONNX) {
    if (inputFilename == "-")
      return fail("an ONNX model is read from a file, not from stdin");
    qopt::ONNXImportOptions importOptions;
    for (llvm::StringRef spec : inputShapeOption)
      if (llvm::Error err = qopt::parseInputShape(spec, importOptions))
        return fail(llvm::toString(std::move(err)));
    std::optional<std::string> text =
        qopt::importONNXAsText(inputFilename, importOptions);
    if (!text)
      return 1;
    input = llvm::MemoryBuffer::getMemBufferCopy(*text, inputFilename);
  } else if (!inputShapeOption.empty()) {
    return fail("--input-shape applies to ONNX models; '" + inputFilename +
                "' is MLIR");
  }
  {
    llvm::SourceMgr scan;
    scan.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer(
                                input->getBuffer(), input->getBufferIdentifier()),
                            llvm::SMLoc());
    if (failed(qopt::checkNestingDepth(scan)))
      return 1;
  }

  // MLIR goes to a buffer, never straight to the output file, so that a
  // failing pass leaves the output untouched. Native output travels as
  // bytecode, which keeps locations and reparses quickly.
  if (native)
    config.emitBytecode(true);
  std::string result;
  llvm::raw_string_ostream resultStream(result);
  if (failed(MlirOptMain(resultStream, std::move(input), registry, config)))
    return 1;

  if (!native) {
    if (llvm::Error err = qopt::writeOutputFiles({{outputFilename, result}}))
      return fail(llvm::toString(std::move(err)));
    return 0;
  }
  return emitNative(registry, result, inputFilename, outputFilename, *kind, *tm);
}

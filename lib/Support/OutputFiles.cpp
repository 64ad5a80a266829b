//===- OutputFiles.cpp - atomic output files --------------------*- C++ -*-===//

#include "qopt/Support/OutputFiles.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <vector>

using namespace llvm;

Error qopt::writeOutputFiles(ArrayRef<OutputFile> files) {
  std::vector<sys::fs::TempFile> temps;
  std::vector<StringRef> destinations;
  auto discardAll = [&] {
    for (sys::fs::TempFile &t : temps)
      consumeError(t.discard());
  };
  std::optional<std::string> toStdout;
  for (const OutputFile &file : files) {
    if (file.path == "-") {
      toStdout = file.contents;
      continue;
    }
    Expected<sys::fs::TempFile> temp =
        sys::fs::TempFile::create(file.path + ".tmp-%%%%%%");
    if (!temp) {
      discardAll();
      return createStringError("cannot write '" + file.path +
                               "': " + toString(temp.takeError()));
    }
    temps.push_back(std::move(*temp));
    destinations.push_back(file.path);
    raw_fd_ostream os(temps.back().FD, /*shouldClose=*/false);
    os << file.contents;
    os.flush();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      discardAll();
      return createStringError("cannot write '" + file.path + "': " + message);
    }
  }
  // The temporaries are complete; renaming is what makes them visible.
  for (auto [i, temp] : llvm::enumerate(temps)) {
    StringRef path = destinations[i];
    if (Error err = temp.keep(path)) {
      for (sys::fs::TempFile &rest : llvm::drop_begin(temps, i + 1))
        consumeError(rest.discard());
      return createStringError("cannot write '" + path.str() +
                               "': " + toString(std::move(err)));
    }
  }
  if (toStdout) {
    outs() << *toStdout;
    outs().flush();
  }
  return Error::success();
}

llvm::Error qopt::writeJSONReport(llvm::StringRef path, llvm::json::Value report) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", report);
  return writeOutputFiles({{path.str(), text}});
}

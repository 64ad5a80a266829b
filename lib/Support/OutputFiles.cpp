//===- OutputFiles.cpp - atomic output files --------------------*- C++ -*-===//

#include "qopt/Support/OutputFiles.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <vector>

using namespace llvm;

namespace {

/// Where a file's bytes go: a regular file replaced by renaming a temporary,
/// or a device / FIFO written in place (it cannot be replaced atomically,
/// and replacing it would replace the device).
struct Destination {
  std::string path; // symlinks resolved
  bool inPlace = false;
};

Expected<Destination> resolve(StringRef path) {
  Destination d{path.str()};
  sys::fs::file_status link;
  if (!sys::fs::status(path, link, /*Follow=*/false) &&
      link.type() == sys::fs::file_type::symlink_file) {
    // A symlink stays: its target is what gets written.
    SmallString<256> target;
    if (std::error_code ec = sys::fs::real_path(path, target))
      return createStringError("cannot write '" + path +
                               "': it is a symlink to a missing file (" +
                               ec.message() + ")");
    d.path = std::string(target);
  }
  sys::fs::file_status status;
  if (sys::fs::status(d.path, status))
    return d; // does not exist yet
  switch (status.type()) {
  case sys::fs::file_type::regular_file:
    return d;
  case sys::fs::file_type::directory_file:
    return createStringError("cannot write '" + path + "': it is a directory");
  case sys::fs::file_type::character_file:
  case sys::fs::file_type::block_file:
  case sys::fs::file_type::fifo_file:
    d.inPlace = true;
    return d;
  default:
    return createStringError("cannot write '" + path +
                             "': it is neither a regular file, a device nor a FIFO");
  }
}

Error writeInPlace(const Destination &d, StringRef shownPath, StringRef contents) {
  int fd;
  if (std::error_code ec = sys::fs::openFileForWrite(d.path, fd, sys::fs::CD_OpenExisting,
                                                     sys::fs::OF_None))
    return createStringError("cannot write '" + shownPath + "': " + ec.message());
  raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << contents;
  os.flush();
  if (os.has_error()) {
    std::string message = os.error().message();
    os.clear_error();
    return createStringError("cannot write '" + shownPath + "': " + message);
  }
  return Error::success();
}

} // namespace

Error qopt::writeOutputFiles(ArrayRef<OutputFile> files) {
  std::vector<sys::fs::TempFile> temps;
  std::vector<std::string> destinations, shown;
  std::vector<std::pair<Destination, const OutputFile *>> inPlace;
  auto discardAll = [&] {
    for (sys::fs::TempFile &t : temps)
      consumeError(t.discard());
  };
  std::optional<std::string> toStdout;
  std::vector<std::string> seen;
  for (const OutputFile &file : files) {
    if (file.path == "-") {
      toStdout = file.contents;
      continue;
    }
    Expected<Destination> d = resolve(file.path);
    if (!d) {
      discardAll();
      return d.takeError();
    }
    // Two outputs to one file (e.g. --emit=obj -o model.h and its header):
    // the second would silently replace the first.
    SmallString<256> absolute(d->path);
    sys::fs::make_absolute(absolute);
    sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
    if (llvm::is_contained(seen, std::string(absolute))) {
      discardAll();
      return createStringError("cannot write '" + file.path +
                               "' twice: two outputs of this command go to that file");
    }
    seen.push_back(std::string(absolute));
    if (d->inPlace) {
      inPlace.push_back({*d, &file});
      continue;
    }
    Expected<sys::fs::TempFile> temp =
        sys::fs::TempFile::create(d->path + ".tmp-%%%%%%");
    if (!temp) {
      discardAll();
      return createStringError("cannot write '" + file.path +
                               "': " + toString(temp.takeError()));
    }
    temps.push_back(std::move(*temp));
    destinations.push_back(d->path);
    shown.push_back(file.path);
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
  for (auto &[d, file] : inPlace)
    if (Error err = writeInPlace(d, file->path, file->contents)) {
      discardAll();
      return err;
    }
  // The temporaries are complete; renaming is what makes them visible. The
  // files are one unit (an object and its header): a rename that fails puts
  // back what the earlier ones replaced (kept through hard links meanwhile).
  std::vector<std::string> backups(temps.size());
  auto dropBackups = [&] {
    for (const std::string &b : backups)
      if (!b.empty())
        sys::fs::remove(b);
  };
  for (auto [i, temp] : llvm::enumerate(temps)) {
    const std::string &path = destinations[i];
    if (sys::fs::exists(path)) {
      SmallString<256> backup;
      sys::fs::createUniquePath(path + ".old-%%%%%%", backup, /*MakeAbsolute=*/false);
      if (!sys::fs::create_hard_link(path, backup))
        backups[i] = std::string(backup);
    }
    if (Error err = temp.keep(path)) {
      for (sys::fs::TempFile &rest : llvm::drop_begin(temps, i + 1))
        consumeError(rest.discard());
      for (size_t j = 0; j < i; ++j) {
        if (!backups[j].empty())
          sys::fs::rename(backups[j], destinations[j]);
        else
          sys::fs::remove(destinations[j]);
        backups[j].clear();
      }
      dropBackups();
      return createStringError("cannot write '" + shown[i] +
                               "': " + toString(std::move(err)));
    }
  }
  dropBackups();
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

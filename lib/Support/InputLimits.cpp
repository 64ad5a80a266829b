//===- InputLimits.cpp - limits on what qopt reads ------------------------===//

#include "qopt/Support/InputLimits.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

LogicalResult qopt::checkNestingDepth(SourceMgr &sourceMgr, unsigned id,
                                      unsigned limit) {
  StringRef text = sourceMgr.getMemoryBuffer(id)->getBuffer();
  if (text.starts_with("ML\xef\x52")) // bytecode
    return success();
  unsigned depth = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    char next = i + 1 < e ? text[i + 1] : '\0';
    if (c == '"') {
      for (++i; i < e && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && next == '/') {
      i = text.find('\n', i);
      if (i == StringRef::npos)
        break;
    } else if (c == '{' || c == '[' || c == '(' || (c == '<' && next != '=')) {
      if (++depth > limit) {
        // Without the source line: it may be megabytes long.
        auto [line, column] = sourceMgr.getLineAndColumn(
            SMLoc::getFromPointer(text.data() + i), id);
        std::string where = (sourceMgr.getMemoryBuffer(id)->getBufferIdentifier() +
                             ":" + Twine(line) + ":" + Twine(column))
                                .str();
        WithColor::error(errs(), where)
            << "brackets or regions nested deeper than " << limit
            << " levels (qopt's limit)\n";
        return failure();
      }
    } else if (c == '}' || c == ']' || c == ')' ||
               (c == '>' && next != '=' && (i == 0 || text[i - 1] != '-'))) {
      if (depth)
        --depth;
    }
  }
  return success();
}

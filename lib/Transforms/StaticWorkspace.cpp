//===- StaticWorkspace.cpp - temporaries in static storage ------*- C++ -*-===//
//
// Statically shaped temporaries of a function body move to static storage,
// and temporaries whose lifetimes do not overlap share it: each function
// gets one arena global, every temporary a byte range of it (a view).
//
//===----------------------------------------------------------------------===//

#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace qopt {
#define GEN_PASS_DEF_QTSTATICWORKSPACE
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// A temporary: its allocation, bytes, alignment, the span of the function
/// body's operations it is live in, and its place in the arena.
struct Temporary {
  memref::AllocOp alloc;
  int64_t bytes, alignment;
  int64_t first, last; // indices of operations of the function body
  int64_t offset = -1;
};

/// Bytes of a static memref whose elements are whole bytes; nullopt when
/// the element is not (i1, vectors, index: they keep a global of their own).
std::optional<int64_t> byteSize(MemRefType type) {
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
}

/// The index of the last operation of `body` that reads or writes the
/// buffer `root` (directly, through any memref derived from it, or inside
/// its regions); INT64_MAX when a use is outside `body`'s operations.
/// Conservative: every memref result of an operation that uses the buffer
/// (or of one around such a use) is taken to alias it.
int64_t lastUse(Value root, Block &body, const DenseMap<Operation *, int64_t> &position) {
  int64_t last = position.lookup(root.getDefiningOp());
  SmallVector<Value> worklist{root};
  DenseSet<Value> seen{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        return INT64_MAX;
      last = std::max(last, position.lookup(top));
      for (Operation *op = user;; op = op->getParentOp()) {
        for (Value result : op->getResults())
          if (isa<BaseMemRefType>(result.getType()) && seen.insert(result).second)
            worklist.push_back(result);
        if (op == top)
          break;
      }
    }
  }
  return last;
}

/// Places each temporary at the lowest aligned offset where it overlaps no
/// temporary live at the same time (largest first); returns the arena size.
int64_t place(MutableArrayRef<Temporary> temps) {
  SmallVector<Temporary *> order;
  for (Temporary &t : temps)
    order.push_back(&t);
  llvm::sort(order, [](Temporary *a, Temporary *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
  });
  int64_t total = 0;
  SmallVector<Temporary *> placed;
  for (Temporary *t : order) {
    SmallVector<std::pair<int64_t, int64_t>> taken; // [begin, end) of live neighbours
    for (Temporary *p : placed)
      if (p->first <= t->last && t->first <= p->last)
        taken.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [begin, end] : taken) {
      if (offset + t->bytes <= begin)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(end, t->alignment));
    }
    t->offset = offset;
    total = std::max(total, offset + t->bytes);
    placed.push_back(t);
  }
  return total;
}

struct QTStaticWorkspace
    : qopt::impl::QTStaticWorkspaceBase<QTStaticWorkspace> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      Block &body = func.getBody().front();
      DenseMap<Operation *, int64_t> position;
      for (auto [i, op] : llvm::enumerate(body))
        position[&op] = i;
      // Only allocations of the function body proper: one per call.
      SmallVector<memref::AllocOp> allocs;
      for (Operation &op : body)
        if (auto alloc = dyn_cast<memref::AllocOp>(op))
          if (alloc.getType().hasStaticShape() &&
              alloc.getType().getLayout().isIdentity() &&
              alloc.getDynamicSizes().empty() && alloc.getSymbolOperands().empty())
            allocs.push_back(alloc);

      auto global = [&](Location loc, StringRef name, MemRefType type, int64_t alignment) {
        OpBuilder b(module.getBodyRegion());
        b.setInsertionPointToStart(module.getBody());
        auto op = memref::GlobalOp::create(b, loc, name, b.getStringAttr("private"), type,
                                           b.getUnitAttr(), /*constant=*/false,
                                           b.getI64IntegerAttr(alignment));
        symbols.insert(op);
        return op;
      };
      SmallVector<Temporary> temps;
      int64_t own = 0;
      for (memref::AllocOp alloc : allocs) {
        int64_t alignment = std::max<int64_t>(64, alloc.getAlignment().value_or(0));
        if (std::optional<int64_t> bytes = byteSize(alloc.getType())) {
          int64_t first = position.lookup(alloc);
          temps.push_back({alloc, std::max<int64_t>(*bytes, 1), alignment, first,
                           lastUse(alloc, body, position)});
          continue;
        }
        // Pattern: %t = memref.alloc() : T (elements of no whole byte)
        //   -> memref.global "private" @__qt_workspace_f_n : T (uninitialized)
        //      %t = memref.get_global @__qt_workspace_f_n : T
        std::string name = ("__qt_workspace_" + func.getSymName() + "_" + Twine(own++)).str();
        auto g = global(alloc.getLoc(), name, alloc.getType(), alignment);
        OpBuilder b(alloc);
        alloc.replaceAllUsesWith(
            memref::GetGlobalOp::create(b, alloc.getLoc(), alloc.getType(), g.getSymName())
                .getResult());
        alloc.erase();
      }
      if (temps.empty())
        continue;

      // Pattern: %t = memref.alloc() : T, live while no other %u is
      //   -> memref.global "private" @__qt_workspace_f : memref<Nxi8>
      //      %arena = memref.get_global @__qt_workspace_f
      //      %t = memref.view %arena[%offset][] : memref<Nxi8> to T
      // (%u gets the same bytes when their lifetimes do not overlap).
      int64_t size = place(temps);
      int64_t alignment = 64;
      for (const Temporary &t : temps)
        alignment = std::max(alignment, t.alignment);
      auto arenaType = MemRefType::get({size}, IntegerType::get(&getContext(), 8));
      auto arena = global(func.getLoc(), ("__qt_workspace_" + func.getSymName()).str(),
                          arenaType, alignment);
      OpBuilder b = OpBuilder::atBlockBegin(&body);
      Value base = memref::GetGlobalOp::create(b, func.getLoc(), arenaType, arena.getSymName());
      for (Temporary &t : temps) {
        b.setInsertionPoint(t.alloc);
        Value offset = arith::ConstantIndexOp::create(b, t.alloc.getLoc(), t.offset);
        Value view = memref::ViewOp::create(b, t.alloc.getLoc(), t.alloc.getType(), base, offset,
                                            ValueRange{});
        t.alloc.replaceAllUsesWith(view);
        t.alloc.erase();
      }
    }
  }
};

} // namespace

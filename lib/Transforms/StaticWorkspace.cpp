//===- StaticWorkspace.cpp - temporaries in static storage ------*- C++ -*-===//
//
// Statically shaped temporaries of a function body move to static storage,
// and temporaries whose lifetimes do not overlap share it: each temporary
// is a view of one of the function's workspace globals (slots), which it
// shares only with temporaries never live at the same time.
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
/// body's operations it is live in, and its slot.
struct Temporary {
  memref::AllocOp alloc;
  int64_t bytes, alignment;
  int64_t first, last; // indices of operations of the function body
  int64_t slot = -1;   // assignSlots
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

/// Assigns each temporary a slot: temporaries of one slot are never live
/// at the same time, so each slot can be one global as large as its largest
/// member. Temporaries live together get different globals, which keeps
/// LLVM's alias analysis able to tell them apart (offsets into one shared
/// arena cost the vectorizer loops: "unknown data dependence"). In order of
/// first use, each temporary takes the smallest free slot that holds it,
/// else the largest free one (grown), else a new one. Returns the slots'
/// sizes and alignments.
SmallVector<std::pair<int64_t, int64_t>> assignSlots(MutableArrayRef<Temporary> temps) {
  SmallVector<Temporary *> order;
  for (Temporary &t : temps)
    order.push_back(&t);
  llvm::sort(order, [](Temporary *a, Temporary *b) { return a->first < b->first; });
  struct Slot {
    int64_t bytes = 0, alignment = 1, last = -1;
  };
  SmallVector<Slot> slots;
  for (Temporary *t : order) {
    int64_t best = -1;
    for (auto [k, slot] : llvm::enumerate(slots)) {
      if (slot.last >= t->first)
        continue;
      if (best < 0) {
        best = k;
        continue;
      }
      const Slot &b = slots[best];
      bool fits = slot.bytes >= t->bytes, bestFits = b.bytes >= t->bytes;
      if (fits != bestFits ? fits : fits ? slot.bytes < b.bytes : slot.bytes > b.bytes)
        best = k;
    }
    if (best < 0) {
      best = slots.size();
      slots.emplace_back();
    }
    Slot &slot = slots[best];
    slot.bytes = std::max(slot.bytes, t->bytes);
    slot.alignment = std::max(slot.alignment, t->alignment);
    slot.last = t->last;
    t->slot = best;
  }
  SmallVector<std::pair<int64_t, int64_t>> result;
  for (const Slot &slot : slots)
    result.push_back({slot.bytes, slot.alignment});
  return result;
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
      // Pattern: %t = memref.alloc() : T, %u = memref.alloc() : U, never
      //          live at the same time
      //   -> memref.global "private" @__qt_workspace_f_k : memref<Nxi8>
      //      %t = memref.view (memref.get_global @__qt_workspace_f_k)[0][] to T
      //      %u = memref.view (memref.get_global @__qt_workspace_f_k)[0][] to U
      SmallVector<Value> slotRefs;
      OpBuilder b = OpBuilder::atBlockBegin(&body);
      for (auto [bytes, alignment] : assignSlots(temps)) {
        auto type = MemRefType::get({bytes}, IntegerType::get(&getContext(), 8));
        std::string name = ("__qt_workspace_" + func.getSymName() + "_" + Twine(own++)).str();
        auto g = global(func.getLoc(), name, type, alignment);
        slotRefs.push_back(
            memref::GetGlobalOp::create(b, func.getLoc(), type, g.getSymName()).getResult());
      }
      Value zero = arith::ConstantIndexOp::create(b, func.getLoc(), 0);
      for (Temporary &t : temps) {
        b.setInsertionPoint(t.alloc);
        Value view = memref::ViewOp::create(b, t.alloc.getLoc(), t.alloc.getType(),
                                            slotRefs[t.slot], zero, ValueRange{});
        t.alloc.replaceAllUsesWith(view);
        t.alloc.erase();
      }
    }
  }
};

} // namespace

//===- OutlineParallelLoops.cpp - large parallel loops to threads -*- C++ -*-===//
//
// A loop nest whose iterations are independent becomes a function over a
// range of iterations plus a launch that qt-lower-parallel-launches turns
// into a call of the object's thread pool (docs/design.md, "Threads").
//
//===----------------------------------------------------------------------===//

#include "qopt/Transforms/ParallelLoops.h"
#include "qopt/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace qopt {
#define GEN_PASS_DEF_QTOUTLINEPARALLELLOOPS
#include "qopt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;

namespace {

/// The split dimension of a loop: bounds and static trip count (if known).
struct Dim {
  Value lb, ub, step;
  std::optional<int64_t> trip;
};

std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                         s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u <= *l ? 0 : (*u - *l + *s - 1) / *s;
}

bool isCandidate(Operation *op) {
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return loop->hasAttr(qopt::kParallelLoopAttrName) && loop.getNumResults() == 0;
  if (auto loop = dyn_cast<scf::ParallelOp>(op))
    return loop.getInitVals().empty();
  return false;
}

/// The dimension of a candidate to split: the first one that can have more
/// than one iteration.
std::optional<std::pair<unsigned, Dim>> splitDim(Operation *op) {
  if (auto loop = dyn_cast<scf::ForOp>(op)) {
    Dim d{loop.getLowerBound(), loop.getUpperBound(), loop.getStep(), {}};
    d.trip = tripCount(d.lb, d.ub, d.step);
    return std::make_pair(0u, d);
  }
  auto loop = cast<scf::ParallelOp>(op);
  for (unsigned i = 0; i < loop.getNumLoops(); ++i) {
    Dim d{loop.getLowerBound()[i], loop.getUpperBound()[i], loop.getStep()[i], {}};
    d.trip = tripCount(d.lb, d.ub, d.step);
    if (d.trip && *d.trip <= 1)
      continue; // runs once: its index is the lower bound
    return std::make_pair(i, d);
  }
  return std::nullopt;
}

/// An AMX tile operation counts as this many operations: a tile multiply
/// keeps the unit busy 16 cycles (16,384 products), a tile load or store
/// about as long as 16 vector loads, where the count's other operations
/// take a cycle or less. Counted as one, an AMX layer of 6400 x 24 x 864
/// (300 us) looked smaller than the threshold and ran on one thread; with
/// 16 it still did; with 32 it splits (1.97x at 2 threads) and PP-OCRv4
/// det int8 at 2 threads went 5.1-5.2 -> 4.6 ms (cls unchanged).
constexpr double kTileOpWork = 32;

/// A vector load or store counts one operation per 16 bytes it moves: copies
/// cost what their bytes cost. Counted as one op per vector, im2col's copy of
/// PP-OCRv4 det's 80 x 80 x 96 map into 5.5 MB of rows (9 taps of 96
/// channels per row: 64 + 32 bytes each) looked like 320,000 operations and
/// ran on one thread: 29% of the layer's time at 2 threads.
double vectorAccessWork(Operation *op) {
  if (!isa<vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
           vector::StoreOp, vector::MaskedLoadOp, vector::MaskedStoreOp>(op))
    return 1;
  // The data vector is the widest of the op's vector types (a mask is i1).
  double bytes = 0;
  for (Type type : llvm::concat<const Type>(op->getResultTypes(), op->getOperandTypes()))
    if (auto vec = dyn_cast<VectorType>(type);
        vec && !vec.isScalable() && vec.getElementType().isIntOrFloat())
      bytes = std::max(bytes, double(vec.getNumElements()) *
                                  vec.getElementType().getIntOrFloatBitWidth() / 8);
  return std::max(1.0, bytes / 16);
}

/// Operations one execution of `op` runs, counting each loop's body once per
/// iteration (unknown trip counts count once).
double work(Operation *op) {
  double body = 0;
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (Operation &nested : block)
        body += work(&nested);
  double times = 1;
  if (auto loop = dyn_cast<scf::ForOp>(op))
    times = tripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()).value_or(1);
  if (auto loop = dyn_cast<scf::ParallelOp>(op))
    for (unsigned i = 0; i < loop.getNumLoops(); ++i)
      times *= tripCount(loop.getLowerBound()[i], loop.getUpperBound()[i], loop.getStep()[i])
                   .value_or(1);
  Dialect *dialect = op->getDialect();
  double self =
      dialect && dialect->getNamespace() == "amx" ? kTileOpWork : vectorAccessWork(op);
  return self + times * body;
}

/// Whether a loop nested in `op` is large enough to be split by itself.
bool hasLargeNestedCandidate(Operation *op, double minWork) {
  return op
      ->walk([&](Operation *nested) {
        return nested != op && isCandidate(nested) && splitDim(nested) &&
                       work(nested) >= minWork
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

struct QTOutlineParallelLoops
    : qopt::impl::QTOutlineParallelLoopsBase<QTOutlineParallelLoops> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal())
        continue;
      SmallVector<Operation *> chosen;
      for (Block &block : func.getBody())
        for (Operation &op : block)
          choose(&op, chosen);
      for (auto [k, loop] : llvm::enumerate(chosen))
        outline(loop, func, symbols, k);
    }
  }

  /// Collects in `chosen` the loops of `op`'s nest to split.
  void choose(Operation *op, SmallVectorImpl<Operation *> &chosen) {
    if (isCandidate(op)) {
      auto dim = splitDim(op);
      if (!dim || work(op) < minWork)
        return; // too small (its inner loops are smaller still)
      // Few iterations (e.g. a GEMM's 6 column groups at N = 384): split an
      // inner loop instead if one is large enough by itself, else this one
      // (its rows, one group's share, each looked small: PP-OCRv4 det's
      // 10 x 10 x 384 layers ran on one thread).
      bool fewIterations = dim->second.trip && *dim->second.trip < minTrip;
      if (!fewIterations || !hasLargeNestedCandidate(op, minWork)) {
        chosen.push_back(op);
        return;
      }
    }
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (Operation &nested : block)
          choose(&nested, chosen);
  }

  /// Whether `value` can be recomputed inside the outlined function instead
  /// of being passed to it: constants and pure ops on such values, and
  /// constant globals (a workspace must be passed: it is thread-local).
  bool rematerializable(Value value, SymbolTable &symbols, int depth = 0) {
    Operation *def = value.getDefiningOp();
    if (!def || depth > 8 || def->getNumRegions() != 0)
      return false;
    if (auto get = dyn_cast<memref::GetGlobalOp>(def)) {
      auto global = symbols.lookup<memref::GlobalOp>(get.getName());
      return global && global.getConstant();
    }
    if (!isPure(def))
      return false;
    return llvm::all_of(def->getOperands(), [&](Value operand) {
      return rematerializable(operand, symbols, depth + 1) || passable(operand.getType());
    });
  }

  /// Types an outlined function can take (bare-pointer convention).
  static bool passable(Type type) {
    if (auto memref = dyn_cast<MemRefType>(type))
      return memref.hasStaticShape() && memref.getLayout().isIdentity();
    return type.isIntOrIndexOrFloat() || isa<VectorType>(type);
  }

  void outline(Operation *loop, func::FuncOp parent, SymbolTable &symbols, size_t k) {
    auto [splitIndex, dim] = *splitDim(loop);
    MLIRContext *context = loop->getContext();
    Location loc = loop->getLoc();

    // Values from above: recomputed inside, or passed.
    SetVector<Value> above;
    getUsedValuesDefinedAbove(loop->getRegions(), above);
    for (Value operand : loop->getOperands())
      above.insert(operand);
    SetVector<Value> passed;
    SmallVector<Operation *> recompute;
    DenseSet<Operation *> seen;
    std::function<bool(Value)> collect = [&](Value v) -> bool {
      if (rematerializable(v, symbols)) {
        Operation *def = v.getDefiningOp();
        if (!seen.insert(def).second)
          return true;
        for (Value operand : def->getOperands())
          if (!collect(operand))
            return false;
        recompute.push_back(def); // after its operands: a valid order
        return true;
      }
      if (!passable(v.getType()))
        return false;
      passed.insert(v);
      return true;
    };
    for (Value v : above)
      if (!collect(v))
        return; // stays serial

    // func.func private @<parent>.parallel<k>(%begin, %end, %passed...)
    OpBuilder b(context);
    b.setInsertionPointAfter(parent);
    Type index = b.getIndexType();
    SmallVector<Type> argTypes{index, index};
    for (Value v : passed)
      argTypes.push_back(v.getType());
    std::string bodyName = (parent.getSymName() + ".parallel" + Twine(k)).str();
    auto body = func::FuncOp::create(b, loc, bodyName, b.getFunctionType(argTypes, {}));
    body.setPrivate();
    symbols.insert(body);
    bodyName = body.getSymName().str();
    Block *entry = body.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    for (auto [i, v] : llvm::enumerate(passed))
      map.map(v, entry->getArgument(i + 2));
    for (Operation *op : recompute)
      b.clone(*op, map);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto rangeLoop = scf::ForOp::create(b, loc, entry->getArgument(0),
                                        entry->getArgument(1), one);
    func::ReturnOp::create(b, loc);

    // Iteration j of the split dimension: lb + j * step.
    b.setInsertionPointToStart(rangeLoop.getBody());
    Value iv = arith::AddIOp::create(
        b, loc, map.lookupOrDefault(dim.lb),
        arith::MulIOp::create(b, loc, rangeLoop.getInductionVar(),
                              map.lookupOrDefault(dim.step)));
    auto cloneBody = [&](OpBuilder &bb, Block &from) {
      for (Operation &op : from.without_terminator())
        bb.clone(op, map);
    };
    if (auto forOp = dyn_cast<scf::ForOp>(loop)) {
      map.map(forOp.getInductionVar(), iv);
      cloneBody(b, *forOp.getBody());
    } else {
      auto par = cast<scf::ParallelOp>(loop);
      SmallVector<Value> lbs, ubs, steps;
      SmallVector<unsigned> inner;
      for (unsigned i = 0; i < par.getNumLoops(); ++i) {
        if (i < splitIndex)
          map.map(par.getInductionVars()[i], map.lookupOrDefault(par.getLowerBound()[i]));
        else if (i == splitIndex)
          map.map(par.getInductionVars()[i], iv);
        else {
          inner.push_back(i);
          lbs.push_back(map.lookupOrDefault(par.getLowerBound()[i]));
          ubs.push_back(map.lookupOrDefault(par.getUpperBound()[i]));
          steps.push_back(map.lookupOrDefault(par.getStep()[i]));
        }
      }
      if (inner.empty()) {
        cloneBody(b, *par.getBody());
      } else {
        scf::ParallelOp::create(b, loc, lbs, ubs, steps,
                                [&](OpBuilder &bb, Location, ValueRange ivs) {
                                  for (auto [i, v] : llvm::zip(inner, ivs))
                                    map.map(par.getInductionVars()[i], v);
                                  cloneBody(bb, *par.getBody());
                                });
      }
    }

    // The launch: func.call @__qopt_launch.<body>(%n, %passed...)
    b.setInsertionPointAfter(body);
    SmallVector<Type> launchTypes{index};
    for (Value v : passed)
      launchTypes.push_back(v.getType());
    auto launch = func::FuncOp::create(b, loc, "__qopt_launch." + bodyName,
                                       b.getFunctionType(launchTypes, {}));
    launch.setPrivate();
    symbols.insert(launch);
    b.setInsertionPoint(loop);
    Value n;
    if (dim.trip) {
      n = arith::ConstantIndexOp::create(b, loc, *dim.trip);
    } else {
      Value span = arith::SubIOp::create(b, loc, dim.ub, dim.lb);
      n = arith::CeilDivSIOp::create(b, loc, span, dim.step);
      n = arith::MaxSIOp::create(b, loc, n, arith::ConstantIndexOp::create(b, loc, 0));
    }
    SmallVector<Value> args{n};
    args.append(passed.begin(), passed.end());
    func::CallOp::create(b, loc, launch, args);
    loop->erase();
  }
};

} // namespace

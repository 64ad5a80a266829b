//===- Prune.cpp - magnitude pruning of contraction weights -----*- C++ -*-===//
//
// Zeroes the smallest weights (or 2:4 pairs, or RxC blocks) of float and
// int8 matmuls and convolutions, ranked per layer or across the model, and
// reports what it did. Every weight is handled through one view,
// [output channels, reduction], whatever the op's layout.
//
//===----------------------------------------------------------------------===//

#include "qopt/Sparsity/Passes.h"
#include "qopt/Sparsity/WeightStorage.h"

#include "qopt/Dialect/QT/IR/QTOps.h"
#include "qopt/Support/LinalgContractions.h"
#include "qopt/Transforms/Passes.h"

#include "qopt/Support/OpSelection.h"
#include "qopt/Support/OutputFiles.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace qopt {
#define GEN_PASS_DEF_QTPRUNE
#include "qopt/Sparsity/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// A contraction's constant weight seen as [outputs, reduction].
struct Layer {
  Operation *op;
  unsigned operand;            // which operand holds the weight
  DenseElementsAttr data;      // f32 or i8 values, in the op's layout
  quant::QuantizedType qtype;  // int8 weights: their quantized type
  int64_t outputs = 0, reduction = 0;
  std::function<size_t(int64_t, int64_t)> index; // (output, reduction) -> flat
  std::vector<float> magnitude;                  // |real value| per flat index
  std::vector<bool> pruned;                      // per flat index
};

struct QTPrune : qopt::impl::QTPruneBase<QTPrune> {
  using QTPruneBase::QTPruneBase;

  int64_t blockRows = 1, blockCols = 1;
  bool twoFour = false;
  bool kernelBlocks = false; // pattern=kernel: edge blocks may be partial

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions(module)))
      return signalPassFailure();
    // A linalg model's contractions as TOSA, as --quantize-int8 does.
    if (failed(raiseLinalgContractions(module)))
      return signalPassFailure();
    warnAtLinalgContractions(
        module, "stays dense: --qt-prune prunes TOSA and qt matmuls and "
                "convolutions, and linalg ones in the forms "
                "qt-raise-linalg-contractions raises (constant float32 "
                "weights, NHWC, a zero accumulator); this one is not");
    std::vector<Layer> layers;
    bool failedLayer = false;
    module.walk([&](Operation *op) {
      if (!isContraction(op))
        return;
      if (isExcluded(op)) {
        op->emitRemark("stays dense: excluded by exclude=");
        return;
      }
      std::optional<Layer> layer = viewOf(op);
      if (!layer)
        return;
      if (failed(checkDivides(*layer)))
        failedLayer = true;
      layers.push_back(std::move(*layer));
    });
    if (failedLayer)
      return signalPassFailure();
    for (const std::string &e : exclude)
      if (!anyMatch(module, e)) {
        emitError(module.getLoc())
            << "qt-prune: exclude= entry '" << e
            << "' names no matmul or convolution of the model (give an op name such as "
               "tosa.conv2d or a piece of an op's location)";
        return signalPassFailure();
      }
    if (twoFour)
      for (Layer &l : layers)
        pruneTwoFour(l);
    else
      pruneGroups(layers);
    llvm::json::Array reportLayers;
    int64_t weights = 0, zeros = 0, bytes = 0, stored = 0;
    sparse::KernelBlock block = sparse::int8KernelBlock(kernelISA);
    for (Layer &l : layers) {
      int64_t z = replaceWeights(l);
      int64_t n = l.outputs * l.reduction, elemBytes = l.qtype ? 1 : 4;
      // What the lowering will store: matmuls and convolutions go
      // block-sparse where the cost model says so (int8 blocks: lanes x 4,
      // float: lanes x 1; depthwise convolutions have no sparse kernel);
      // a float layer also gets its int8 prediction, since its zeros stay
      // zeros through --quantize-int8 (symmetric weights).
      bool depthwise = isa<tosa::DepthwiseConv2DOp, qt::DepthwiseConv2DOp>(l.op);
      auto planFor = [&](int64_t elementBytes, sparse::KernelBlock kernelBlock) {
        sparse::StoragePlan p = sparse::planStorage(
            l.outputs, l.reduction, elementBytes, kernelBlock, [&](int64_t o, int64_t r) {
              size_t i = l.index(o, r);
              return l.pruned[i] || l.magnitude[i] == 0;
            });
        if (depthwise)
          p.storage = sparse::Storage::Dense;
        return p;
      };
      sparse::StoragePlan int8Plan = planFor(1, block);
      bool int8 = static_cast<bool>(l.qtype);
      sparse::StoragePlan plan = int8 ? int8Plan : planFor(4, {block.outputs, 1});
      int64_t layerStored = plan.storedBytes();
      weights += n;
      zeros += z;
      bytes += n * elemBytes;
      stored += layerStored;
      std::string loc;
      llvm::raw_string_ostream os(loc);
      l.op->getLoc().print(os);
      llvm::json::Object entry{
          {"op", l.op->getName().getStringRef().str()},
          {"location", loc},
          {"outputs", l.outputs},
          {"reduction", l.reduction},
          {"precision", int8 ? "int8" : "float32"},
          {"weights", n},
          {"zeros", z},
          {"sparsity", n ? double(z) / double(n) : 0.0},
          {"weight_bytes_dense", n * elemBytes},
          {"weight_bytes_stored", layerStored},
          {"storage", plan.name()},
          {"kernel_blocks", plan.blocks},
          {"kernel_blocks_nonzero", plan.nonZeroBlocks}};
      if (!int8) {
        entry["int8_storage"] = int8Plan.name();
        entry["int8_weight_bytes_stored"] = int8Plan.storedBytes();
      }
      reportLayers.push_back(std::move(entry));
    }
    if (!report.empty()) {
      llvm::json::Object root{
          {"pattern", pattern},
          {"scope", scope},
          {"layers", std::move(reportLayers)},
          {"total", llvm::json::Object{{"weights", weights},
                                       {"zeros", zeros},
                                       {"sparsity", weights ? double(zeros) / weights : 0.0},
                                       {"weight_bytes_dense", bytes},
                                       {"weight_bytes_stored", stored}}}};
      if (llvm::Error err = writeJSONReport(report, std::move(root))) {
        emitError(module.getLoc()) << llvm::toString(std::move(err));
        return signalPassFailure();
      }
    }
  }

  LogicalResult checkOptions(ModuleOp module) {
    auto fail = [&](const Twine &message) {
      emitError(module.getLoc()) << "qt-prune: " << message;
      return failure();
    };
    StringRef p = pattern;
    if (p == "2:4") {
      twoFour = true;
      if (threshold >= 0.0 || (sparsity >= 0.0 && sparsity != 0.5))
        return fail("pattern=2:4 zeroes 2 of every 4 weights (sparsity 0.5); give no other "
                    "sparsity= and no threshold=");
      return success();
    }
    if (p.consume_front("block=")) {
      auto [rows, cols] = p.split('x');
      if (rows.getAsInteger(10, blockRows) || cols.getAsInteger(10, blockCols) ||
          blockRows < 1 || blockCols < 1)
        return fail("pattern='" + pattern + "': expected block=RxC with positive R and C");
    } else if (p == "kernel") {
      // The weight blocks the int8 kernels of isa= skip (16x4 on
      // AVX-512), clipped at layer edges, so every layer takes it.
      sparse::KernelBlock block = sparse::int8KernelBlock(kernelISA);
      blockRows = block.outputs;
      blockCols = block.reduction;
      kernelBlocks = true;
    } else if (p != "unstructured") {
      return fail("pattern='" + pattern +
                  "' is not known (unstructured, 2:4, block=RxC or kernel)");
    }
    if (scope != "global" && scope != "per-layer")
      return fail("scope='" + scope + "' is not known (global or per-layer)");
    bool hasSparsity = sparsity != -1.0, hasThreshold = threshold != -1.0;
    if (hasSparsity == hasThreshold)
      return fail("give either sparsity= or threshold=");
    if (hasSparsity && !(sparsity >= 0.0 && sparsity < 1.0))
      return fail("sparsity=" + std::to_string(sparsity) + " is outside [0, 1)");
    if (hasThreshold && !(threshold >= 0.0))
      return fail("threshold=" + std::to_string(threshold) + " must be 0 or more");
    return success();
  }

  LogicalResult checkDivides(const Layer &l) {
    int64_t rows = twoFour ? 1 : blockRows, cols = twoFour ? 4 : blockCols;
    if (kernelBlocks || (l.outputs % rows == 0 && l.reduction % cols == 0))
      return success();
    return l.op->emitError() << "qt-prune: pattern=" << pattern
                             << " does not divide this layer's weight (" << l.outputs
                             << " output channels x " << l.reduction
                             << " reduction weights); exclude it or choose another pattern";
  }

  bool isExcluded(Operation *op) {
    return llvm::any_of(exclude, [&](const std::string &e) { return opMatchesSelector(op, e); });
  }
  bool anyMatch(ModuleOp module, StringRef entry) {
    bool found = false;
    module.walk([&](Operation *op) {
      if (isContraction(op) && opMatchesSelector(op, entry))
        found = true;
    });
    return found;
  }

  static bool isContraction(Operation *op) {
    return isa<tosa::MatMulOp, tosa::Conv2DOp, tosa::DepthwiseConv2DOp, qt::FullyConnectedOp,
               qt::Conv2DOp, qt::DepthwiseConv2DOp>(op);
  }

  /// The weight view of a supported contraction with a constant weight.
  static std::optional<Layer> viewOf(Operation *op) {
    Layer l;
    l.op = op;
    auto floatWeight = [&](Value v) {
      return matchPattern(v, m_Constant(&l.data)) && l.data.getElementType().isF32();
    };
    auto int8Weight = [&](Value v) {
      auto scast = v.getDefiningOp<quant::StorageCastOp>();
      if (!scast || !matchPattern(scast.getInput(), m_Constant(&l.data)) ||
          !l.data.getElementType().isInteger(8))
        return false;
      l.qtype = dyn_cast<quant::QuantizedType>(
          cast<ShapedType>(v.getType()).getElementType());
      return bool(l.qtype);
    };
    auto shape = [&] { return l.data.getType().getShape(); };
    if (auto mm = dyn_cast<tosa::MatMulOp>(op)) {
      if (!floatWeight(mm.getB()) || shape()[0] != 1)
        return std::nullopt;
      l.operand = 1;
      int64_t k = shape()[1], n = shape()[2];
      l.outputs = n, l.reduction = k;
      l.index = [n](int64_t o, int64_t r) { return size_t(r * n + o); };
    } else if (isa<tosa::Conv2DOp, qt::Conv2DOp, qt::FullyConnectedOp>(op)) {
      l.operand = 1;
      if (!(isa<tosa::Conv2DOp>(op) ? floatWeight(op->getOperand(1))
                                     : int8Weight(op->getOperand(1))))
        return std::nullopt;
      l.outputs = shape()[0];
      l.reduction = l.data.getNumElements() / l.outputs;
      int64_t k = l.reduction;
      l.index = [k](int64_t o, int64_t r) { return size_t(o * k + r); };
    } else if (isa<tosa::DepthwiseConv2DOp, qt::DepthwiseConv2DOp>(op)) {
      l.operand = 1;
      if (!(isa<tosa::DepthwiseConv2DOp>(op) ? floatWeight(op->getOperand(1))
                                              : int8Weight(op->getOperand(1))))
        return std::nullopt;
      l.reduction = shape()[0] * shape()[1];
      l.outputs = l.data.getNumElements() / l.reduction;
      int64_t c = l.outputs;
      l.index = [c](int64_t o, int64_t r) { return size_t(r * c + o); };
    } else {
      return std::nullopt;
    }
    // Magnitudes in the real domain: int8 values times their channel's scale.
    size_t n = l.data.getNumElements();
    l.magnitude.resize(n);
    l.pruned.assign(n, false);
    if (!l.qtype) {
      auto values = l.data.getValues<float>();
      for (size_t i = 0; i < n; ++i)
        l.magnitude[i] = std::fabs(values[i]);
    } else {
      auto values = l.data.getValues<int8_t>();
      auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(l.qtype);
      auto perTensor = dyn_cast<quant::UniformQuantizedType>(l.qtype);
      if (!perAxis && !perTensor)
        return std::nullopt;
      for (int64_t o = 0; o < l.outputs; ++o)
        for (int64_t r = 0; r < l.reduction; ++r) {
          size_t i = l.index(o, r);
          double scale = perAxis ? perAxis.getScales()[o] : perTensor.getScale();
          int64_t zp = perAxis ? perAxis.getZeroPoints()[o] : perTensor.getZeroPoint();
          l.magnitude[i] = float(std::fabs(double(values[i] - zp) * scale));
        }
    }
    return l;
  }

  /// 2:4: in each run of 4 reduction weights of a channel, the 2 smallest.
  void pruneTwoFour(Layer &l) {
    for (int64_t o = 0; o < l.outputs; ++o)
      for (int64_t r = 0; r < l.reduction; r += 4) {
        std::array<size_t, 4> idx;
        for (int j = 0; j < 4; ++j)
          idx[j] = l.index(o, r + j);
        std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
          return std::tie(l.magnitude[a], a) < std::tie(l.magnitude[b], b);
        });
        l.pruned[idx[0]] = l.pruned[idx[1]] = true;
      }
  }

  /// Unstructured and block patterns: groups scored by their largest
  /// magnitude, the lowest pruned (by count or below the threshold).
  void pruneGroups(std::vector<Layer> &layers) {
    struct Group {
      float score;
      uint32_t layer;
      uint32_t row, col; // block coordinates
    };
    // Blocks are clipped at a layer's edges (only pattern=kernel has any:
    // the others must divide the layer).
    auto rowsOf = [&](const Layer &l, int64_t bo) {
      return std::min(blockRows, l.outputs - bo * blockRows);
    };
    auto colsOf = [&](const Layer &l, int64_t br) {
      return std::min(blockCols, l.reduction - br * blockCols);
    };
    auto groupsOf = [&](uint32_t li) {
      Layer &l = layers[li];
      std::vector<Group> groups;
      int64_t nRows = (l.outputs + blockRows - 1) / blockRows;
      int64_t nCols = (l.reduction + blockCols - 1) / blockCols;
      groups.reserve(nRows * nCols);
      for (int64_t bo = 0; bo < nRows; ++bo)
        for (int64_t br = 0; br < nCols; ++br) {
          float score = 0.0f;
          for (int64_t o = 0; o < rowsOf(l, bo); ++o)
            for (int64_t r = 0; r < colsOf(l, br); ++r)
              score = std::max(
                  score, l.magnitude[l.index(bo * blockRows + o, br * blockCols + r)]);
          groups.push_back({score, li, uint32_t(bo), uint32_t(br)});
        }
      return groups;
    };
    auto prune = [&](const Group &g) {
      Layer &l = layers[g.layer];
      for (int64_t o = 0; o < rowsOf(l, g.row); ++o)
        for (int64_t r = 0; r < colsOf(l, g.col); ++r)
          l.pruned[l.index(g.row * blockRows + o, g.col * blockCols + r)] = true;
    };
    auto select = [&](std::vector<Group> &groups) {
      if (threshold >= 0.0) {
        for (const Group &g : groups)
          if (g.score < threshold)
            prune(g);
        return;
      }
      size_t count = size_t(std::floor(sparsity * double(groups.size())));
      // Ties broken by position, so that results are reproducible.
      auto before = [](const Group &a, const Group &b) {
        return std::tie(a.score, a.layer, a.row, a.col) <
               std::tie(b.score, b.layer, b.row, b.col);
      };
      if (count == 0)
        return;
      std::nth_element(groups.begin(), groups.begin() + (count - 1), groups.end(), before);
      for (size_t i = 0; i < count; ++i)
        prune(groups[i]);
    };
    if (scope == "global") {
      std::vector<Group> all;
      for (uint32_t li = 0; li < layers.size(); ++li)
        llvm::append_range(all, groupsOf(li));
      select(all);
    } else {
      for (uint32_t li = 0; li < layers.size(); ++li) {
        std::vector<Group> groups = groupsOf(li);
        select(groups);
      }
    }
  }

  /// A new constant with the pruned weights zeroed (the zero point for int8)
  /// becomes the op's weight operand. Returns the count of zero weights.
  int64_t replaceWeights(Layer &l) {
    Value old = l.op->getOperand(l.operand);
    int64_t zeros = replaceWeightsOf(l);
    // The dense constant (and its storage cast), when nothing else reads it.
    while (Operation *def = old.getDefiningOp()) {
      if (!def->use_empty() || !isa<tosa::ConstOp, arith::ConstantOp, quant::StorageCastOp>(def))
        break;
      old = def->getNumOperands() ? def->getOperand(0) : Value();
      def->erase();
      if (!old)
        break;
    }
    return zeros;
  }

  int64_t replaceWeightsOf(Layer &l) {
    OpBuilder b(l.op);
    Location loc = l.op->getLoc();
    int64_t zeros = 0;
    if (!l.qtype) {
      auto values = llvm::to_vector(l.data.getValues<float>());
      for (size_t i = 0; i < values.size(); ++i) {
        if (l.pruned[i])
          values[i] = 0.0f;
        zeros += values[i] == 0.0f;
      }
      auto type = cast<RankedTensorType>(l.data.getType());
      l.op->setOperand(l.operand,
                       tosa::ConstOp::create(b, loc, type, DenseElementsAttr::get(type, ArrayRef<float>(values))));
      return zeros;
    }
    auto values = llvm::to_vector(l.data.getValues<int8_t>());
    auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(l.qtype);
    auto perTensor = dyn_cast<quant::UniformQuantizedType>(l.qtype);
    for (int64_t o = 0; o < l.outputs; ++o)
      for (int64_t r = 0; r < l.reduction; ++r) {
        size_t i = l.index(o, r);
        int64_t zp = perAxis ? perAxis.getZeroPoints()[o] : perTensor.getZeroPoint();
        if (l.pruned[i])
          values[i] = int8_t(zp);
        zeros += values[i] == zp;
      }
    auto storage = cast<RankedTensorType>(l.data.getType());
    Value raw = arith::ConstantOp::create(
        b, loc, storage, DenseElementsAttr::get(storage, ArrayRef<int8_t>(values)));
    l.op->setOperand(l.operand, quant::StorageCastOp::create(
                                    b, loc, l.op->getOperand(l.operand).getType(), raw));
    return zeros;
  }
};

} // namespace

//===- Microkernels.cpp - Conv, MatMul and Gemm to runtime microkernels ---===//
//
// Float32 2-d max pooling becomes kernel.maxpool2d. Float32 convolutions
// and matmuls whose weights are constants become kernel.conv2d /
// kernel.matmul: the weights are packed here, at compile
// time, into the panel layouts of include/mlc/runtime.h, and a following
// activation (Relu, ReLU6, HardSwish, SiLU) or bias Add is folded into the
// microkernel's epilogue. Everything else
// (non-constant weights, other types, 1-d/3-d convolutions) keeps the linalg
// lowering of the other files.
//
//===----------------------------------------------------------------------===//
#include "passes/Conversion/ONNXToLinalg/ONNXToLinalg.h"

#include "dialects/Kernel/KernelDialect.h"
#include "mlc/runtime.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::conversion;

namespace {

std::optional<std::vector<float>> constantF32(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return onnx::getF32Values(dyn_cast<ElementsAttr>(attr));
}

bool isStaticF32(Value v) {
  auto t = getStaticType(v);
  return t && t.getElementType().isF32();
}

/// A float32 tensor whose dims are static except perhaps the first: a batch
/// known only at run time (the R-CNN heads' proposals), which the
/// microkernels read from their parameters at run time (null otherwise).
RankedTensorType batchedF32(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.getElementType().isF32() || t.getRank() == 0 ||
      llvm::any_of(t.getShape().drop_front(), ShapedType::isDynamic))
    return {};
  return t;
}

Value packedConstant(OpBuilder &b, Location loc, StringRef name, ArrayRef<float> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, type,
                                   cast<TypedAttr>(onnx::makeF32Constant(type, name, values)));
}

/// The bias operand: `bias` reshaped to [n], or zeros.
Value biasOperand(OpBuilder &b, Location loc, Value bias, int64_t n) {
  auto type = RankedTensorType::get({n}, b.getF32Type());
  if (!bias || isa<NoneType>(bias.getType()))
    return arith::ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, 0.0f));
  return reshapeTo(b, loc, bias, type);
}

/// An activation that a microkernel can apply to its output: the op that
/// computes it from a producer's only result (and that the fused op
/// replaces) and its mlc_activation.
struct FusibleActivation {
  Operation *root = nullptr;
  int64_t activation = MLC_ACTIVATION_NONE;
  Operation *sigmoid = nullptr; ///< SiLU as Mul(x, Sigmoid(x)): erased too
  explicit operator bool() const { return root != nullptr; }
};

/// Whether `v` is a constant scalar (any shape of one element) equal to `x`.
bool isScalarConstant(Value v, float x) {
  auto values = constantF32(v);
  return values && values->size() == 1 && (*values)[0] == x;
}

/// The activation that all of `op`'s only result feeds, if a microkernel
/// has it: Relu; Clip(x, 0, 6) (ReLU6); HardSwish; SiLU as Mul(x,
/// Sigmoid(x)) (how exporters write torch's SiLU) or Swish with alpha 1.
FusibleActivation fusibleActivation(Operation *op) {
  if (op->getNumResults() != 1)
    return {};
  Value x = op->getResult(0);
  SmallVector<Operation *> users(x.getUsers());
  auto sameType = [&](Operation *root) { return root->getResult(0).getType() == x.getType(); };
  if (users.size() == 1) {
    Operation *user = users[0];
    if (!sameType(user) || user->getOperand(0) != x)
      return {};
    if (isa<onnx::ReluOp>(user))
      return {user, MLC_ACTIVATION_RELU};
    if (isa<onnx::HardSwishOp>(user))
      return {user, MLC_ACTIVATION_HARDSWISH};
    if (auto swish = dyn_cast<onnx::SwishOp>(user))
      if (swish.getAlpha().convertToDouble() == 1.0)
        return {user, MLC_ACTIVATION_SILU};
    if (auto clip = dyn_cast<onnx::ClipOp>(user))
      if (isScalarConstant(clip.getMin(), 0.0f) && isScalarConstant(clip.getMax(), 6.0f))
        return {user, MLC_ACTIVATION_RELU6};
    return {};
  }
  if (users.size() != 2)
    return {};
  auto sigmoid = dyn_cast<onnx::SigmoidOp>(users[0]);
  auto mul = dyn_cast<onnx::MulOp>(users[1]);
  if (!sigmoid) {
    sigmoid = dyn_cast<onnx::SigmoidOp>(users[1]);
    mul = dyn_cast<onnx::MulOp>(users[0]);
  }
  if (!sigmoid || !mul || !sigmoid->hasOneUse() || *sigmoid->getUsers().begin() != mul ||
      !sameType(mul))
    return {};
  bool operands = (mul.getA() == x && mul.getB() == sigmoid.getResult()) ||
                  (mul.getB() == x && mul.getA() == sigmoid.getResult());
  return operands ? FusibleActivation{mul, MLC_ACTIVATION_SILU, sigmoid} : FusibleActivation{};
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

/// Whether `conv` is depthwise (one input channel per group, every channel
/// its own group).
bool isDepthwise(onnx::ConvOp conv) {
  auto x = getStaticType(conv.getX()), w = getStaticType(conv.getW());
  return x && w && x.getRank() == 4 && conv.getGroup() > 1 && w.getDimSize(1) == 1 &&
         conv.getGroup() == x.getDimSize(1);
}

/// A residual Add that a conv microkernel can take: `conv`'s only use is
/// Add(conv, r) (either way round) with r of the same static type, so that
/// the kernel accumulates into r's buffer: act(conv + bias + r).
struct FusibleResidual {
  onnx::AddOp add;
  Value residual;
  explicit operator bool() const { return static_cast<bool>(add); }
};

FusibleResidual fusibleResidual(onnx::ConvOp conv) {
  if (!conv->hasOneUse() || isDepthwise(conv))
    return {};
  auto add = dyn_cast<onnx::AddOp>(*conv->getUsers().begin());
  if (!add || add.getA() == add.getB())
    return {};
  Value y = conv.getY(), r = add.getA() == y ? add.getB() : add.getA();
  if (r.getType() != y.getType() || add.getC().getType() != y.getType() || !getStaticType(r))
    return {};
  return {add, r};
}

/// The conv whose residual Add `add` is (fusibleResidual), if any.
onnx::ConvOp residualConvOf(onnx::AddOp add) {
  for (Value operand : add->getOperands())
    if (auto conv = operand.getDefiningOp<onnx::ConvOp>(); conv && fusibleResidual(conv).add == add)
      return conv;
  return {};
}

/// Builds kernel.conv2d for `conv` (with `activation`, and accumulating into
/// `residual` when given); fails when the conv does not fit the microkernel.
FailureOr<Value> buildConv(onnx::ConvOp conv, PatternRewriter &rewriter, int64_t activation,
                           Value residual = {}) {
  auto xType = batchedF32(conv.getX()), yType = batchedF32(conv.getY());
  auto wType = getStaticType(conv.getW());
  if (!xType || !yType || !isStaticF32(conv.getW()))
    return failure();
  if (xType.getRank() != 4)
    return failure();
  bool hasBias = !isa<NoneType>(conv.getB().getType());
  if (hasBias && !isStaticF32(conv.getB()))
    return failure();
  int64_t f = wType.getDimSize(0), cg = wType.getDimSize(1), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3), group = conv.getGroup();
  SmallVector<int64_t> strides = onnx::getI64s(conv.getStrides(), 2, 1);
  SmallVector<int64_t> dilations = onnx::getI64s(conv.getDilations(), 2, 1);
  auto pads = onnx::resolvePads(conv, conv.getAutoPad(), xType.getShape().drop_front(2),
                                {kh, kw}, strides, dilations, conv.getPads());
  if (failed(pads))
    return failure();
  Location loc = conv.getLoc();
  // A run-time batch stays ShapedType::kDynamic here; mlc-cpu-lower-
  // microkernels fills it in from the input's dim.
  SmallVector<int64_t> params = {xType.getDimSize(0), xType.getDimSize(1), xType.getDimSize(2),
                                 xType.getDimSize(3), f, kh, kw, yType.getDimSize(2),
                                 yType.getDimSize(3), strides[0], strides[1], dilations[0],
                                 dilations[1], (*pads)[0], (*pads)[1], group, activation,
                                 residual ? 1 : 0};
  // Depthwise: one multiply-add per weight and output, no matrix product to
  // block; its own microkernel takes the weights as they are.
  if (isDepthwise(conv)) {
    if (residual)
      return failure();
    Value w = reshapeTo(rewriter, loc, conv.getW(),
                        RankedTensorType::get({f * kh * kw}, rewriter.getF32Type()));
    Value bias = biasOperand(rewriter, loc, hasBias ? conv.getB() : Value(), f);
    Value init = emptyLike(rewriter, loc, yType, conv.getX());
    return kernel::DepthwiseConv2DOp::create(rewriter, loc, TypeRange{yType}, conv.getX(), w,
                                             bias, init, rewriter.getDenseI64ArrayAttr(params))
        .getResult()[0];
  }
  auto weights = constantF32(conv.getW());
  if (!weights)
    return failure();
  // Pack: per group, panels of MR output channels, K-major inside a panel.
  int64_t m = f / group, k = cg * kh * kw, mr = MLC_CONV_MR, panels = (m + mr - 1) / mr;
  std::vector<float> packed(group * panels * k * mr, 0.0f);
  for (int64_t g = 0; g < group; ++g)
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t r = 0; r < mr && p * mr + r < m; ++r)
          packed[((g * panels + p) * k + kk) * mr + r] = (*weights)[(g * m + p * mr + r) * k + kk];
  Value packedW = packedConstant(rewriter, loc, "conv_packed", packed);
  Value bias = biasOperand(rewriter, loc, hasBias ? conv.getB() : Value(), f);
  Value init = residual ? residual : emptyLike(rewriter, loc, yType, conv.getX());
  return kernel::Conv2DOp::create(rewriter, loc, TypeRange{yType}, conv.getX(), packedW, bias,
                                  init, rewriter.getDenseI64ArrayAttr(params))
      .getResult()[0];
}

struct ConvToMicrokernel : OpRewritePattern<onnx::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConvOp op, PatternRewriter &rewriter) const override {
    if (fusibleActivation(op))
      return rewriter.notifyMatchFailure(op, "the activation pattern takes it");
    if (fusibleResidual(op))
      return rewriter.notifyMatchFailure(op, "the residual pattern takes it");
    auto result = buildConv(op, rewriter, MLC_ACTIVATION_NONE);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "does not fit the microkernel");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Float32 2-d MaxPool (the NCHW image unpadded, windows clipped at its
/// edges by the microkernel) as kernel.maxpool2d, instead of a padded copy
/// and a generic loop nest.
struct MaxPoolToMicrokernel : OpRewritePattern<onnx::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MaxPoolOp op, PatternRewriter &rewriter) const override {
    if (!isStaticF32(op.getX()) || !isStaticF32(op.getY()))
      return rewriter.notifyMatchFailure(op, "needs static float32 tensors");
    auto xType = getStaticType(op.getX()), yType = getStaticType(op.getY());
    if (xType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "only 2-d pooling");
    SmallVector<int64_t> kernel = onnx::getI64s(op.getKernelShape(), 2, 1);
    SmallVector<int64_t> strides = onnx::getI64s(op.getStrides(), 2, 1);
    SmallVector<int64_t> dilations = onnx::getI64s(op.getDilations(), 2, 1);
    auto pads = onnx::resolvePads(op, op.getAutoPad(), xType.getShape().drop_front(2), kernel, strides,
                                  dilations, op.getPads());
    if (failed(pads))
      return failure();
    int64_t c = xType.getDimSize(1);
    // The output size (ceil mode included) comes from the result type.
    SmallVector<int64_t> params = {xType.getDimSize(0), c, xType.getDimSize(2), xType.getDimSize(3), c,
                                   kernel[0], kernel[1], yType.getDimSize(2), yType.getDimSize(3),
                                   strides[0], strides[1], dilations[0], dilations[1], (*pads)[0],
                                   (*pads)[1], c, MLC_ACTIVATION_NONE, 0};
    Location loc = op.getLoc();
    Value init = tensor::EmptyOp::create(rewriter, loc, yType.getShape(), yType.getElementType());
    rewriter.replaceOp(op, kernel::MaxPool2DOp::create(rewriter, loc, TypeRange{yType}, op.getX(), init,
                                                       rewriter.getDenseI64ArrayAttr(params))
                               .getResult()[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// MatMul and Gemm
//===----------------------------------------------------------------------===//

/// Builds kernel.matmul computing `a` x B (B = `bData` as [k, n], or [n, k]
/// with `transB`) + bias, reshaped to `resultType`.
Value buildMatMul(PatternRewriter &rewriter, Location loc, Value a, ArrayRef<float> bData,
                  int64_t k, int64_t n, bool transB, Value bias, RankedTensorType resultType,
                  int64_t activation) {
  // B is shared by every batch, so all leading dims of A are rows of one
  // matmul ([197, 1, 768] x [768, n] is one 197-row product, not 197 one-row
  // products that each stream all of B).
  // [?, k] (a run-time number of rows) or static.
  auto aType = cast<RankedTensorType>(a.getType());
  int64_t batch = 1, m = aType.hasStaticShape() ? aType.getNumElements() / k : ShapedType::kDynamic;
  int64_t nr = MLC_MATMUL_NR, panels = (n + nr - 1) / nr;
  std::vector<float> packed(panels * k * nr, 0.0f);
  for (int64_t q = 0; q < panels; ++q)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t r = 0; r < nr && q * nr + r < n; ++r) {
        int64_t j = q * nr + r;
        packed[(q * k + kk) * nr + r] = transB ? bData[j * k + kk] : bData[kk * n + j];
      }
  Type f32 = rewriter.getF32Type();
  Value a3 = reshapeTo(rewriter, loc, a, RankedTensorType::get({batch, m, k}, f32));
  Value packedB = packedConstant(rewriter, loc, "matmul_packed", packed);
  Value biasV = biasOperand(rewriter, loc, bias, n);
  auto outType = RankedTensorType::get({batch, m, n}, f32);
  SmallVector<Value> rows;
  if (ShapedType::isDynamic(m))
    rows.push_back(tensor::DimOp::create(rewriter, loc, a, 0));
  Value init = tensor::EmptyOp::create(rewriter, loc, outType.getShape(), f32, rows);
  // Run-time rows (and so the batch stride) stay ShapedType::kDynamic here;
  // mlc-cpu-lower-microkernels fills them in from A's dims.
  SmallVector<int64_t> params = {batch, m, n, k, k, ShapedType::isDynamic(m) ? m : m * k, activation};
  Value r = kernel::MatMulOp::create(rewriter, loc, TypeRange{outType}, a3, packedB, biasV, init,
                                     rewriter.getDenseI64ArrayAttr(params))
                .getResult()[0];
  return reshapeTo(rewriter, loc, r, resultType);
}

/// A float32 matmul operand of static shape or of shape [?, n] (a run-time
/// number of rows).
bool rowsF32(Value v) {
  auto t = batchedF32(v);
  return t && (t.hasStaticShape() || t.getRank() == 2);
}

/// MatMul(A, constant 2-d B) that fits the microkernel, with its B data.
std::optional<std::vector<float>> matmulWeights(onnx::MatMulOp op) {
  auto bType = getStaticType(op.getB());
  if (!bType || bType.getRank() != 2 || !rowsF32(op.getA()) || !rowsF32(op.getY()))
    return std::nullopt;
  return constantF32(op.getB());
}

/// A bias that an Add applies to every row of `mm`'s result: a constant-free
/// static f32 tensor whose elements all lie along the last dim.
Value rowBias(Value candidate, int64_t n) {
  auto t = getStaticType(candidate);
  if (!t || !t.getElementType().isF32() || t.getNumElements() != n || t.getRank() == 0 ||
      t.getShape().back() != n)
    return nullptr;
  return candidate;
}

struct MatMulToMicrokernel : OpRewritePattern<onnx::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp op, PatternRewriter &rewriter) const override {
    auto b = matmulWeights(op);
    if (!b)
      return rewriter.notifyMatchFailure(op, "does not fit the microkernel");
    auto bType = getStaticType(op.getB());
    if (op->hasOneUse())
      if (auto add = dyn_cast<onnx::AddOp>(*op->getUsers().begin()))
        if (add.getType() == op.getType() &&
            rowBias(add->getOperand(add->getOperand(0) == op.getY() ? 1 : 0), bType.getDimSize(1)))
          return rewriter.notifyMatchFailure(op, "the bias-add pattern takes it");
    Value r = buildMatMul(rewriter, op.getLoc(), op.getA(), *b, bType.getDimSize(0),
                          bType.getDimSize(1), false, nullptr, cast<RankedTensorType>(op.getY().getType()),
                          MLC_ACTIVATION_NONE);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Batch stride of an operand whose batch dims `dims` broadcast to `out`:
/// rows * cols when they match, 0 when they are all 1, nullopt otherwise.
std::optional<int64_t> batchStride(ArrayRef<int64_t> dims, ArrayRef<int64_t> out,
                                   int64_t matrixSize) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  if (n == 1)
    return 0;
  SmallVector<int64_t> padded(out.size() - dims.size(), 1);
  padded.append(dims.begin(), dims.end());
  if (ArrayRef<int64_t>(padded) != out)
    return std::nullopt;
  return matrixSize;
}

/// MatMul of two run-time tensors (attention's Q x K^T, P x V).
struct BatchMatMulToMicrokernel : OpRewritePattern<onnx::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp op, PatternRewriter &rewriter) const override {
    if (matmulWeights(op))
      return rewriter.notifyMatchFailure(op, "constant weights: the packed matmul takes it");
    auto aType = getStaticType(op.getA()), bType = getStaticType(op.getB());
    auto yType = getStaticType(op.getY());
    if (!aType || !bType || !yType || !aType.getElementType().isF32() ||
        !bType.getElementType().isF32() || aType.getRank() < 2 || bType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs static f32 operands of rank >= 2");
    ArrayRef<int64_t> as = aType.getShape(), bs = bType.getShape();
    int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
    auto outBatch = onnx::broadcastShapes(as.drop_back(2), bs.drop_back(2));
    if (failed(outBatch))
      return failure();
    auto strideA = batchStride(as.drop_back(2), *outBatch, m * k);
    auto strideB = batchStride(bs.drop_back(2), *outBatch, k * n);
    if (!strideA || !strideB)
      return rewriter.notifyMatchFailure(op, "partially broadcast batch dims");
    int64_t batch = 1;
    for (int64_t d : *outBatch)
      batch *= d;
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto flatBatch = [](ArrayRef<int64_t> dims) {
      int64_t p = 1;
      for (int64_t d : dims)
        p *= d;
      return p;
    };
    Value a3 = reshapeTo(rewriter, loc, op.getA(),
                         RankedTensorType::get({flatBatch(as.drop_back(2)), m, k}, f32));
    Value b3 = reshapeTo(rewriter, loc, op.getB(),
                         RankedTensorType::get({flatBatch(bs.drop_back(2)), k, n}, f32));
    auto outType = RankedTensorType::get({batch, m, n}, f32);
    Value init = tensor::EmptyOp::create(rewriter, loc, outType.getShape(), f32);
    SmallVector<int64_t> params = {batch, m, n, k, k, *strideA, n, *strideB};
    Value r = kernel::BatchMatMulOp::create(rewriter, loc, TypeRange{outType}, a3, b3, init,
                                            rewriter.getDenseI64ArrayAttr(params))
                  .getResult()[0];
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, yType));
    return success();
  }
};

/// Add(MatMul(A, B), bias) with a per-column bias: one microkernel.
struct MatMulBiasToMicrokernel : OpRewritePattern<onnx::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::AddOp add, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      auto mm = add->getOperand(side).getDefiningOp<onnx::MatMulOp>();
      if (!mm || !mm->hasOneUse() || add.getType() != mm.getType())
        continue;
      auto b = matmulWeights(mm);
      if (!b)
        continue;
      auto bType = getStaticType(mm.getB());
      Value bias = rowBias(add->getOperand(1 - side), bType.getDimSize(1));
      if (!bias)
        continue;
      Value r = buildMatMul(rewriter, add.getLoc(), mm.getA(), *b, bType.getDimSize(0),
                            bType.getDimSize(1), false, bias, cast<RankedTensorType>(add.getC().getType()),
                            MLC_ACTIVATION_NONE);
      rewriter.replaceOp(add, r);
      rewriter.eraseOp(mm);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a bias add of a constant-weight matmul");
  }
};

FailureOr<Value> buildGemm(onnx::GemmOp op, PatternRewriter &rewriter, int64_t activation) {
  auto bType = getStaticType(op.getB());
  auto yType = batchedF32(op.getY());
  if (!bType || !yType || !rowsF32(op.getA()) || !rowsF32(op.getY()) ||
      op.getTransA() || op.getAlpha().convertToDouble() != 1.0)
    return failure();
  auto b = constantF32(op.getB());
  if (!b)
    return failure();
  int64_t n = yType.getDimSize(1);
  Value bias;
  if (!isa<NoneType>(op.getC().getType()) && op.getBeta().convertToDouble() != 0.0) {
    if (op.getBeta().convertToDouble() != 1.0 || !(bias = rowBias(op.getC(), n)))
      return failure();
  }
  int64_t k = op.getTransB() ? bType.getDimSize(1) : bType.getDimSize(0);
  return buildMatMul(rewriter, op.getLoc(), op.getA(), *b, k, n, op.getTransB() != 0, bias,
                     yType, activation);
}

struct GemmToMicrokernel : OpRewritePattern<onnx::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::GemmOp op, PatternRewriter &rewriter) const override {
    if (fusibleActivation(op))
      return rewriter.notifyMatchFailure(op, "the activation pattern takes it");
    auto r = buildGemm(op, rewriter, MLC_ACTIVATION_NONE);
    if (failed(r))
      return rewriter.notifyMatchFailure(op, "does not fit the microkernel");
    rewriter.replaceOp(op, *r);
    return success();
  }
};

/// Add(Conv, residual) (fusibleResidual) without an activation after it:
/// the microkernel adds the residual in its epilogue instead of a separate
/// pass over the output.
struct ResidualConvToMicrokernel : OpRewritePattern<onnx::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::AddOp add, PatternRewriter &rewriter) const override {
    if (fusibleActivation(add))
      return rewriter.notifyMatchFailure(add, "the activation pattern takes it");
    onnx::ConvOp conv = residualConvOf(add);
    if (!conv)
      return rewriter.notifyMatchFailure(add, "not a residual add of a single-use conv");
    auto r = buildConv(conv, rewriter, MLC_ACTIVATION_NONE, fusibleResidual(conv).residual);
    if (failed(r))
      return rewriter.notifyMatchFailure(add, "the conv does not fit the microkernel");
    rewriter.replaceOp(add, *r);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// Activation(Conv), Activation(Add(Conv, residual)) and Activation(Gemm)
/// (fusibleActivation): the microkernel applies the activation while its
/// output is in cache.
template <typename OpTy> struct ActivationOfProducerToMicrokernel : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy root, PatternRewriter &rewriter) const override {
    for (Value operand : root->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (!producer)
        continue;
      FusibleActivation act = fusibleActivation(producer);
      if (act.root != root.getOperation())
        continue;
      FailureOr<Value> r = failure();
      onnx::ConvOp residualConv;
      if (auto conv = dyn_cast<onnx::ConvOp>(producer)) {
        r = buildConv(conv, rewriter, act.activation);
      } else if (auto gemm = dyn_cast<onnx::GemmOp>(producer)) {
        r = buildGemm(gemm, rewriter, act.activation);
      } else if (auto add = dyn_cast<onnx::AddOp>(producer)) {
        if ((residualConv = residualConvOf(add)))
          r = buildConv(residualConv, rewriter, act.activation, fusibleResidual(residualConv).residual);
      }
      if (failed(r))
        return rewriter.notifyMatchFailure(root, "producer does not fit a microkernel");
      rewriter.replaceOp(root, *r);
      if (act.sigmoid)
        rewriter.eraseOp(act.sigmoid);
      rewriter.eraseOp(producer);
      if (residualConv)
        rewriter.eraseOp(residualConv);
      return success();
    }
    return rewriter.notifyMatchFailure(root, "not an activation of a single-use Conv or Gemm");
  }
};
} // namespace

void mlc::conversion::populateONNXMicrokernelPatterns(RewritePatternSet &patterns) {
  // Above the linalg lowerings of the same ops, which they fall back to.
  patterns.add<ConvToMicrokernel, MatMulToMicrokernel, GemmToMicrokernel>(patterns.getContext(),
                                                                         /*benefit=*/2);
  patterns.add<BatchMatMulToMicrokernel, MaxPoolToMicrokernel>(patterns.getContext(), /*benefit=*/2);
  patterns.add<MatMulBiasToMicrokernel, ResidualConvToMicrokernel,
               ActivationOfProducerToMicrokernel<onnx::ReluOp>,
               ActivationOfProducerToMicrokernel<onnx::MulOp>,
               ActivationOfProducerToMicrokernel<onnx::SwishOp>,
               ActivationOfProducerToMicrokernel<onnx::ClipOp>,
               ActivationOfProducerToMicrokernel<onnx::HardSwishOp>>(patterns.getContext(),
                                                                     /*benefit=*/3);
}

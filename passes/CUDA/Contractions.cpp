//===- Contractions.cpp - what the contraction rewrites share -------------===//
#include "passes/CUDA/Contractions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

bool mlc::cuda::isStaticContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return false;
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!out.isProjectedPermutation() || out.getNumResults() != op.getNumParallelLoops())
    return false;
  auto iterators = op.getIteratorTypesArray();
  for (AffineExpr e : out.getResults())
    if (iterators[cast<AffineDimExpr>(e).getPosition()] != utils::IteratorType::parallel)
      return false;
  // The payload: plain ops, no regions.
  return llvm::all_of(op.getBlock()->without_terminator(),
                      [](Operation &o) { return o.getNumRegions() == 0; });
}

/// The buffer `v` views (through view-like ops).
static Value baseBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `op` writes each element of `out` once, at the point of its
/// loops (identity map), from the same point of its memref inputs, with a
/// plain payload; none of its other memref inputs is a view of `out`'s
/// buffer.
static bool isElementwiseUpdate(linalg::LinalgOp op, Value out) {
  if (!op || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getDpsInitOperand(0)->get() != out || op.getNumParallelLoops() != op.getNumLoops() ||
      op.hasIndexSemantics() || !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value v = input->get();
    if (!isa<MemRefType>(v.getType()))
      continue;
    if (v == out ? !op.getMatchingIndexingMap(input).isIdentity()
                 : baseBuffer(v) == baseBuffer(out))
      return false;
  }
  return llvm::all_of(op.getBlock()->without_terminator(), [](Operation &o) {
    return o.getNumRegions() == 0 && isMemoryEffectFree(&o);
  });
}

/// The op next to `op` in its block (after it if `after`), past ops without
/// memory effects; null if none.
static Operation *neighbour(Operation *op, bool after) {
  for (Operation *o = after ? op->getNextNode() : op->getPrevNode(); o;
       o = after ? o->getNextNode() : o->getPrevNode())
    if (!isMemoryEffectFree(o))
      return o;
  return nullptr;
}

mlc::cuda::OutputUpdates mlc::cuda::findOutputUpdates(linalg::LinalgOp contraction) {
  OutputUpdates updates;
  Value out = contraction.getDpsInitOperand(0)->get();
  auto init = dyn_cast_or_null<linalg::LinalgOp>(neighbour(contraction, /*after=*/false));
  // The contraction reads its inputs after `init` would have run: none may
  // be the output's buffer.
  if (isElementwiseUpdate(init, out) &&
      !init.payloadUsesValueFromOperand(init.getDpsInitOperand(0)) &&
      llvm::none_of(contraction.getDpsInputOperands(),
                    [&](OpOperand *input) { return baseBuffer(input->get()) == baseBuffer(out); }))
    updates.init = init;
  auto epilogue = dyn_cast_or_null<linalg::LinalgOp>(neighbour(contraction, /*after=*/true));
  if (isElementwiseUpdate(epilogue, out))
    updates.epilogue = epilogue;
  return updates;
}

Value mlc::cuda::OutputUpdates::initial(OpBuilder &b, Location loc, Value out,
                                        ValueRange indices) const {
  if (init)
    return emitElementwise(b, loc, init, indices, Value());
  return memref::LoadOp::create(b, loc, out, indices);
}

Value mlc::cuda::OutputUpdates::stored(OpBuilder &b, Location loc, Value result,
                                       ValueRange indices) const {
  return epilogue ? emitElementwise(b, loc, epilogue, indices, result) : result;
}

void mlc::cuda::OutputUpdates::erase() {
  for (linalg::LinalgOp op : {init, epilogue})
    if (op)
      op->erase();
  init = epilogue = nullptr;
}

Value mlc::cuda::emitElementwise(OpBuilder &b, Location loc, linalg::LinalgOp update,
                                 ValueRange indices, Value current) {
  Value out = update.getDpsInitOperand(0)->get();
  IRMapping mapping;
  if (current)
    mapping.map(update.getMatchingBlockArgument(update.getDpsInitOperand(0)), current);
  for (OpOperand *input : update.getDpsInputOperands()) {
    Value v = input->get();
    BlockArgument arg = update.getMatchingBlockArgument(input);
    if (!isa<MemRefType>(v.getType()))
      mapping.map(arg, v);
    else if (v == out)
      mapping.map(arg, current);
    else
      mapping.map(arg,
                  memref::LoadOp::create(
                      b, loc, v, applyMap(b, loc, update.getMatchingIndexingMap(input), indices)));
  }
  Block *payload = update.getBlock();
  for (Operation &o : payload->without_terminator())
    b.clone(o, mapping);
  return mapping.lookupOrDefault(payload->getTerminator()->getOperand(0));
}

/// The value every element of the outputs of `op` is set to, if `op` is a
/// fill (linalg.fill, or an all-parallel op without inputs that yields a
/// value from outside it) of the whole of `buffer`.
static Value fillValue(Operation *op, Value buffer) {
  auto fill = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!fill || !fill.hasPureBufferSemantics() || fill.getNumDpsInits() != 1 ||
      fill.getDpsInitOperand(0)->get() != buffer || fill.getNumReductionLoops() != 0)
    return Value();
  if (auto plain = dyn_cast<linalg::FillOp>(op))
    return plain.getInputs()[0];
  if (fill.getNumDpsInputs() != 0 ||
      !fill.getMatchingIndexingMap(fill.getDpsInitOperand(0)).isIdentity())
    return Value();
  Value yielded = fill.getBlock()->getTerminator()->getOperand(0);
  return yielded.getParentRegion()->isProperAncestor(&op->getRegion(0)) ? yielded : Value();
}

/// Whether `op` writes the buffer `buffer` views.
static bool writes(linalg::LinalgOp op, Value buffer) {
  return llvm::any_of(op.getDpsInits(),
                      [&](Value init) { return baseBuffer(init) == baseBuffer(buffer); });
}

/// Whether an op after `from` and before `to` (in one block) may write the
/// buffer `buffer` views.
static bool writesBetween(Operation *from, Operation *to, Value buffer) {
  for (Operation *o = from->getNextNode(); o && o != to; o = o->getNextNode()) {
    auto op = dyn_cast<linalg::LinalgOp>(o);
    if (!op ? !isMemoryEffectFree(o) : writes(op, buffer))
      return true;
  }
  return false;
}

/// The last op before `op` that writes (exactly) `buffer`, past ops that
/// write other buffers or none; null if an op before that may write it too.
static Operation *lastWriteBefore(Operation *op, Value buffer) {
  for (Operation *o = op->getPrevNode(); o; o = o->getPrevNode()) {
    if (isMemoryEffectFree(o))
      continue;
    auto linalgOp = dyn_cast<linalg::LinalgOp>(o);
    if (!linalgOp)
      return nullptr;
    for (Value init : linalgOp.getDpsInits())
      if (baseBuffer(init) == baseBuffer(buffer))
        return init == buffer ? o : nullptr;
  }
  return nullptr;
}

/// Whether `v` is an argument of a kernel that holds a temporary (the caller
/// allocates it for the kernel alone).
static bool isScratch(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  auto func = arg ? dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()) : nullptr;
  return func && func.getArgAttr(arg.getArgNumber(), "kernel.scratch");
}

/// Whether nothing but the ops `ignore` reads what `writer` writes into
/// `buffer`: it is overwritten, whole, first, or it is a temporary that the
/// kernel reads no more.
static bool isOverwrittenUnread(Operation *writer, Value buffer, ArrayRef<Operation *> ignore) {
  Value base = baseBuffer(buffer);
  for (Operation *o = writer->getNextNode(); o; o = o->getNextNode()) {
    if (llvm::is_contained(ignore, o) || isMemoryEffectFree(o))
      continue;
    auto op = dyn_cast<linalg::LinalgOp>(o);
    if (!op || llvm::any_of(op.getDpsInputs(), [&](Value v) { return baseBuffer(v) == base; }))
      return false;
    for (OpOperand &init : op.getDpsInitsMutable())
      if (baseBuffer(init.get()) == base)
        return isElementwiseUpdate(op, buffer) && !op.payloadUsesValueFromOperand(&init);
  }
  return isScratch(buffer);
}

/// Whether what `reader` loads from `v` stays as it is from after `from` to
/// the reader, and is not the reader's own output (which other blocks or
/// threads of the reader store to while it loads).
static bool unwrittenUntil(Operation *from, linalg::LinalgOp reader, Value v) {
  return !writesBetween(from, reader, v) && !writes(reader, v);
}

/// Whether `reader`'s loads can compute what `producer` writes into `buffer`
/// from the producer's own inputs: it is elementwise, does not read
/// `buffer` (as its output or as an input), and its inputs stay unwritten
/// until the reader.
static bool isComputableAt(linalg::LinalgOp producer, Value buffer, linalg::LinalgOp reader) {
  return isElementwiseUpdate(producer, buffer) &&
         !producer.payloadUsesValueFromOperand(producer.getDpsInitOperand(0)) &&
         llvm::all_of(producer.getDpsInputOperands(), [&](OpOperand *operand) {
           Value v = operand->get();
           return !isa<MemRefType>(v.getType()) ||
                  (baseBuffer(v) != baseBuffer(buffer) && unwrittenUntil(producer, reader, v));
         });
}

std::optional<mlc::cuda::Padding> mlc::cuda::findPadding(linalg::LinalgOp reader,
                                                         OpOperand *input) {
  Value buffer = input->get();
  if (!isScratch(buffer))
    return std::nullopt;
  Operation *fill = nullptr;
  Value border;
  memref::SubViewOp subview;
  for (Operation *user : buffer.getUsers()) {
    if (user == reader.getOperation())
      continue;
    if (auto view = dyn_cast<memref::SubViewOp>(user); view && !subview)
      subview = view;
    else if (!fill && (border = fillValue(user, buffer)))
      fill = user;
    else
      return std::nullopt;
  }
  auto paddedType = cast<MemRefType>(buffer.getType());
  if (!fill || !subview || !subview->hasOneUse() ||
      llvm::count(reader->getOperands(), Value(buffer)) != 1 || !subview.hasUnitStride() ||
      llvm::any_of(subview.getStaticOffsets(), ShapedType::isDynamic) ||
      subview.getType().getRank() != paddedType.getRank())
    return std::nullopt;
  auto copy = dyn_cast<linalg::CopyOp>(*subview->getUsers().begin());
  if (!copy || copy.getOutputs()[0] != subview.getResult() || !fill->isBeforeInBlock(copy) ||
      !copy->isBeforeInBlock(reader))
    return std::nullopt;
  Value source = copy.getInputs()[0];
  auto sourceType = dyn_cast<MemRefType>(source.getType());
  if (!sourceType || !sourceType.hasStaticShape() || sourceType.getRank() != paddedType.getRank())
    return std::nullopt;
  Padding padding;
  padding.source = source;
  padding.low = llvm::to_vector(subview.getStaticOffsets());
  padding.paddedShape = llvm::to_vector(paddedType.getShape());
  padding.value = border;
  padding.writes = {copy, subview, fill};

  // The elementwise op that wrote the source (a ReLU), which the loads can
  // compute from its own inputs.
  auto producer = dyn_cast_or_null<linalg::LinalgOp>(lastWriteBefore(copy, source));
  bool computable = isComputableAt(producer, source, reader);
  // Nothing else reads what it writes: its launch goes too.
  bool dead = computable && isOverwrittenUnread(producer, source, padding.writes);
  // The reader loads the source later than the copy read it. Where the
  // source is written in between (bufferization reused the ReLU's result
  // buffer for the convolution's output), the loads compute the producer's
  // value.
  bool overwritten = !unwrittenUntil(copy, reader, source);
  if (overwritten && !computable)
    return std::nullopt;
  if (overwritten || dead)
    padding.producer = producer;
  if (dead)
    padding.writes.push_back(producer);
  return padding;
}

Value mlc::cuda::Padding::load(OpBuilder &b, Location loc, ValueRange indices) const {
  // Each index, less the source's offset, must lie inside the source: one
  // unsigned comparison per padded dimension.
  auto sourceType = cast<MemRefType>(source.getType());
  SmallVector<Value> at;
  Value inside;
  for (auto [d, index] : llvm::enumerate(indices)) {
    int64_t size = sourceType.getDimSize(d);
    if (low[d] == 0 && size == paddedShape[d]) {
      at.push_back(index);
      continue;
    }
    Value i = arith::SubIOp::create(b, loc, index, arith::ConstantIndexOp::create(b, loc, low[d]));
    at.push_back(i);
    Value in = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i,
                                     arith::ConstantIndexOp::create(b, loc, size));
    inside = inside ? arith::AndIOp::create(b, loc, inside, in).getResult() : in;
  }
  auto loadSource = [&]() -> Value {
    if (producer)
      return emitElementwise(b, loc, producer, at, Value());
    return memref::LoadOp::create(b, loc, source, at);
  };
  if (!inside) // a copy with no border
    return loadSource();
  auto guard = scf::IfOp::create(b, loc, sourceType.getElementType(), inside,
                                 /*withElseRegion=*/true);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(guard.thenBlock());
  scf::YieldOp::create(b, loc, loadSource());
  b.setInsertionPointToStart(guard.elseBlock());
  scf::YieldOp::create(b, loc, value);
  return guard.getResult(0);
}

void mlc::cuda::Padding::erase() {
  for (Operation *op : writes)
    op->erase();
  writes.clear();
}

std::optional<mlc::cuda::Padding> mlc::cuda::findProducer(linalg::LinalgOp reader,
                                                          OpOperand *input) {
  Value buffer = input->get();
  if (!isScratch(buffer) || llvm::count(reader->getOperands(), buffer) != 1 ||
      writes(reader, buffer))
    return std::nullopt;
  auto producer = dyn_cast_or_null<linalg::LinalgOp>(lastWriteBefore(reader, buffer));
  if (!isComputableAt(producer, buffer, reader) ||
      !isOverwrittenUnread(producer, buffer, {reader.getOperation()}))
    return std::nullopt;
  // Neighbouring threads keep loading neighbouring addresses: every input
  // the producer reads along its innermost dimension reads it innermost.
  unsigned innermost = producer.getNumLoops() - 1;
  AffineExpr last = getAffineDimExpr(innermost, producer.getContext());
  for (OpOperand *operand : producer.getDpsInputOperands()) {
    AffineMap map = producer.getMatchingIndexingMap(operand);
    if (dimsRead(map).test(innermost) && map.getResults().back() != last)
      return std::nullopt;
  }
  auto type = cast<MemRefType>(buffer.getType());
  Padding computed;
  computed.source = buffer;
  computed.low.assign(type.getRank(), 0);
  computed.paddedShape = llvm::to_vector(type.getShape());
  computed.producer = producer;
  computed.writes = {producer};
  return computed;
}

mlc::cuda::InputLoads::InputLoads(linalg::LinalgOp op) {
  for (OpOperand *input : op.getDpsInputOperands()) {
    std::optional<Padding> padding = findPadding(op, input);
    if (!padding)
      padding = findProducer(op, input);
    if (padding)
      paddings[input] = std::move(*padding);
  }
}

Value mlc::cuda::InputLoads::load(OpBuilder &b, Location loc, OpOperand *input,
                                  ValueRange indices) const {
  auto padding = paddings.find(input);
  if (padding != paddings.end())
    return padding->second.load(b, loc, indices);
  return memref::LoadOp::create(b, loc, input->get(), indices);
}

void mlc::cuda::InputLoads::erase() {
  for (auto &[input, padding] : paddings)
    padding.erase();
  paddings.clear();
}

llvm::SmallBitVector mlc::cuda::dimsRead(AffineMap map) {
  llvm::SmallBitVector dims(map.getNumDims());
  map.walkExprs([&](AffineExpr e) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      dims.set(d.getPosition());
  });
  return dims;
}

SmallVector<Value> mlc::cuda::applyMap(OpBuilder &b, Location loc, AffineMap map, ValueRange dims) {
  SmallVector<Value> result;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      result.push_back(dims[d.getPosition()]);
      continue;
    }
    // Only the dimensions `e` reads are operands: the others may be unset.
    AffineMap single = AffineMap::get(map.getNumDims(), 0, e);
    SmallVector<Value> operands;
    for (int64_t d : dimsRead(single).set_bits())
      operands.push_back(dims[d]);
    result.push_back(affine::AffineApplyOp::create(b, loc, compressUnusedDims(single), operands));
  }
  return result;
}

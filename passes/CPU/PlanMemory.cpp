//===- PlanMemory.cpp - one workspace arena for the schedule's buffers ----===//
//
// Live ranges are positions in the entry block: a buffer lives from its
// allocation to the last op that uses it or a view of it. Placement is the
// classic greedy: largest buffers first, each at the lowest aligned offset
// free of every placed buffer whose range overlaps.
//
//===----------------------------------------------------------------------===//
#include "passes/CPU/Passes.h"

#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace mlc::cpu {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/CPU/Passes.h.inc"
} // namespace mlc::cpu

namespace {
struct Buffer {
  memref::AllocOp alloc;
  int64_t size;
  unsigned begin, end;
  int64_t offset = -1;
};

int64_t alignTo(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

struct PlanMemoryPass : mlc::cpu::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isPrivate() || func.isExternal())
      return;
    Block &entry = func.getBody().front();
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(entry))
      position[&op] = i;

    std::vector<Buffer> buffers;
    for (Operation &op : entry) {
      auto alloc = dyn_cast<memref::AllocOp>(&op);
      if (!alloc)
        continue;
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        continue;
      Type et = type.getElementType();
      if (!et.isIntOrIndexOrFloat())
        continue;
      // index buffers (shapes built at run time) hold 64-bit values.
      int64_t bits = et.isIndex() ? 64 : et.getIntOrFloatBitWidth();
      // Each element takes whole bytes in memory (i1 is one byte).
      int64_t size = std::max<int64_t>(1, type.getNumElements() * ((bits + 7) / 8));
      Buffer buf{alloc, alignTo(size, alignment), position[&op], position[&op]};
      // Follow views so that a use of an alias keeps the buffer alive.
      SmallVector<Value> worklist = {alloc.getResult()};
      bool escapes = false;
      while (!worklist.empty()) {
        Value v = worklist.pop_back_val();
        for (Operation *user : v.getUsers()) {
          Operation *top = entry.findAncestorOpInBlock(*user);
          if (!top) { escapes = true; continue; }
          if (isa<memref::DeallocOp>(user))
            continue;
          if (isa<func::ReturnOp>(user))
            escapes = true;
          buf.end = std::max(buf.end, position[top]);
          if (isa<ViewLikeOpInterface>(user))
            for (Value r : user->getResults())
              worklist.push_back(r);
        }
      }
      if (!escapes)
        buffers.push_back(buf);
    }

    // Largest first; ties by start so the plan is deterministic.
    std::vector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    llvm::stable_sort(order, [](Buffer *a, Buffer *b) {
      return a->size != b->size ? a->size > b->size : a->begin < b->begin;
    });
    std::vector<Buffer *> placed;
    int64_t total = 0;
    for (Buffer *b : order) {
      std::vector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *p : placed)
        if (p->begin <= b->end && b->begin <= p->end)
          busy.push_back({p->offset, p->offset + p->size});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + b->size <= lo)
          break;
        offset = std::max(offset, hi);
      }
      b->offset = offset;
      total = std::max(total, offset + b->size);
      placed.push_back(b);
    }

    // The workspace is a new last argument.
    OpBuilder builder(func.getContext());
    auto wsType = MemRefType::get({std::max<int64_t>(total, 1)}, builder.getI8Type());
    if (failed(func.insertArgument(func.getNumArguments(), wsType, {}, func.getLoc())))
      return signalPassFailure();
    Value workspace = entry.getArguments().back();
    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Value offset = arith::ConstantIndexOp::create(builder, b.alloc.getLoc(), b.offset);
      Value view = memref::ViewOp::create(builder, b.alloc.getLoc(), b.alloc.getType(), workspace,
                                          offset, ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    SmallVector<memref::DeallocOp> deallocs;
    func.walk([&](memref::DeallocOp d) {
      if (d.getMemref().getDefiningOp<memref::ViewOp>())
        deallocs.push_back(d);
    });
    for (memref::DeallocOp d : deallocs)
      d.erase();
    func->setAttr("mlc.workspace_size", builder.getI64IntegerAttr(total));
  }
};
} // namespace

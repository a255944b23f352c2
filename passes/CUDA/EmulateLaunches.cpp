//===- EmulateLaunches.cpp - gpu.launch as sequential host loops ----------===//
#include "passes/CUDA/Passes.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace mlc::cuda {
#define GEN_PASS_DEF_EMULATELAUNCHES
#include "passes/CUDA/Passes.h.inc"
} // namespace mlc::cuda

namespace {
struct EmulateLaunchesPass : mlc::cuda::impl::EmulateLaunchesBase<EmulateLaunchesPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(emulate(launch)))
        return signalPassFailure();
  }

  LogicalResult emulate(gpu::LaunchOp launch) {
    if (!launch.getBody().hasOneBlock() || launch.getAsyncToken() ||
        !launch.getWorkgroupAttributions().empty() || !launch.getPrivateAttributions().empty())
      return launch.emitError("only launches made by mlc-cuda-map-to-gpu can be emulated");
    Location loc = launch.getLoc();
    OpBuilder b(launch);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    auto blocks = scf::ForOp::create(b, loc, zero, grid.x, one);
    b.setInsertionPoint(blocks.getBody()->getTerminator());
    auto threads = scf::ForOp::create(b, loc, zero, block.x, one);
    b.setInsertionPoint(threads.getBody()->getTerminator());

    IRMapping mapping;
    auto map3 = [&](gpu::KernelDim3 ids, Value x, Value y, Value z) {
      mapping.map(ids.x, x);
      mapping.map(ids.y, y);
      mapping.map(ids.z, z);
    };
    map3(launch.getBlockIds(), blocks.getInductionVar(), zero, zero);
    map3(launch.getThreadIds(), threads.getInductionVar(), zero, zero);
    map3(launch.getGridSize(), grid.x, grid.y, grid.z);
    map3(launch.getBlockSize(), block.x, block.y, block.z);
    for (Operation &op : launch.getBody().front().without_terminator())
      b.clone(op, mapping);
    launch.erase();
    return success();
  }
};
} // namespace

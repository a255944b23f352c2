//===- Passes.td - CUDA back-end passes ---------------------*- tablegen -*-===//
#ifndef MLC_CUDA_PASSES
#define MLC_CUDA_PASSES

include "mlir/Pass/PassBase.td"

def MapToGPU : Pass<"mlc-cuda-map-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Runs each loop nest of a kernel as a gpu.launch";
  let description = [{
    Runs after `convert-linalg-to-parallel-loops`, on host functions whose
    top level is a sequence of loop nests over buffers. Each top-level
    `scf.parallel` becomes one `gpu.launch`: its iteration space is
    linearised, one thread per point, `block-size` threads per block (fewer
    when the space is smaller), and each thread recovers its indices by
    division, innermost fastest so that neighbouring threads touch
    neighbouring addresses. Reduction loops nested in the parallel one stay
    sequential inside the thread. Index arithmetic is 32-bit when the space
    has fewer than 2^31 points.

    A nest with fewer than `max-reduction-points` points (static) whose body
    folds a reduction loop nest of at least 32 iterations (static) with an
    associative and commutative op (add, mul, max, min, and, or, xor) gets
    one block per point instead: 32 to 256 threads (about four iterations
    each) take interleaved shares of the outermost reduction loops, their
    partial results are combined in shared memory in halving steps between
    `gpu.barrier`s, and thread 0 folds in the point's initial value and runs
    the rest of the body. Softmax and layer-norm rows, global pooling and
    Gemm or convolution with few outputs thus use the whole GPU; the ops
    before the reduction must only read memory. Sums are regrouped, so they
    round differently from the sequential loop.

    Every other top-level op that reads or writes memory (a loop without
    parallel dimensions, a scalar load or store) runs in a one-thread
    launch, consecutive ones together. Pure ops (constants, views), calls
    and returns stay on the host. `memref.alloc`/`dealloc` that are left
    become `gpu.alloc`/`gpu.dealloc` (unless `device-allocations=0`).

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c100) step (%c1, %c1) { ... }
    ```
    becomes
    ```mlir
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, ...) threads(%tx, ...) in (%b = %c256, ...) {
      %id = bx * 256 + tx ; if %id < 400: %i = %id / 100, %j = %id % 100 ; ...
    }
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"deviceAllocations", "device-allocations", "bool", /*default=*/"true",
           "Turn host memref.alloc/dealloc into gpu.alloc/dealloc (off for emulation)">,
    Option<"maxReductionPoints", "max-reduction-points", "int64_t", /*default=*/"32768",
           "Nests with fewer points fold their reductions with a block per point (0: never)">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def TileContractions : Pass<"mlc-cuda-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Runs contractions with many outputs as tiles staged in shared memory";
  let description = [{
    Runs on buffers, before `mlc-cuda-coarsen-contractions`. A linalg
    contraction (one output written once per parallel point, static bounds,
    a payload of pure ops without regions) with at least `min-points`
    outputs and at least 16 reduction iterations becomes a `gpu.launch` of
    one block per tile of outputs. Its inputs split into two sides: B reads
    the innermost output dimension that not every input reads, A the rest.
    M linearises the output dimensions only A reads, N those only B reads,
    K all reduction dimensions; the other output dimensions (batch) index
    the blocks. A convolution is thus a matmul whose A tile is gathered from
    the image and whose K runs over channels and kernel positions together.

    A block computes 64 x 64 outputs (halved to 32 on a side that is short,
    or while fewer than 132 blocks would run), each of its threads a 4 x 4
    block of them. A loop over K in steps of 16 loads, between two
    `gpu.barrier`s, a 16-deep slice of each side into workgroup memory:
    each thread loads a few elements (neighbouring threads at neighbouring
    addresses), runs the part of the payload that depends on that side
    alone (a fused activation, say) and stores what the rest of the payload
    uses. Each thread then folds the slice into 16 loop-carried
    accumulators, 8 shared loads per 16 payload instances (whose float ops
    may contract a multiply and an add into an fma, as CUDA compilers do by
    default). Accumulators start from the output's values and are stored at
    the end; outputs and loads outside the op are guarded. An elementwise op
    just before that sets the output (a bias broadcast, a fill) and one just
    after that updates it element by element (a residual add, an activation)
    are computed by the tile instead: the accumulators start from what the
    first would write, the stores write what the second would, and both ops
    go. The sums over K are grouped by slice as the sequential loop would,
    but K dimensions run in loop order, so a convolution sums in a different
    order than the CPU path.

    ```mlir
    linalg.matmul ins(%a, %b : memref<256x64xf32>, memref<64x256xf32>) outs(%c : memref<256x256xf32>)
    ```
    becomes
    ```mlir
    gpu.launch blocks(%bx, ...) in (%c16, ...) threads(%tx, ...) in (%c256, ...)
        workgroup(%sa : memref<16x65xf32, #gpu.address_space<workgroup>>, %sb : ...) {
      %acc:16 = scf.for %k0 = %c0 to %c64 step %c16 iter_args(...) {
        // loads of a[m][k0 + kk], b[k0 + kk][n] stored in %sa, %sb
        gpu.barrier
        // for kk < 16: 8 loads of %sa, %sb; 16 multiply-adds
        gpu.barrier
      }
      // 16 guarded stores to %c
    }
    ```
  }];
  let options = [
    Option<"minPoints", "min-points", "int64_t", /*default=*/"32768",
           "Fewest outputs to tile (0: never); fewer get a block per output from map-to-gpu">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def CoarsenContractions : Pass<"mlc-cuda-coarsen-contractions", "mlir::func::FuncOp"> {
  let summary = "Gives each GPU thread a block of a contraction's outputs";
  let description = [{
    Runs on buffers, before `convert-linalg-to-parallel-loops`. A linalg op
    with reduction loops whose single output is written once per parallel
    point (matmul, batch matmul, convolution, a generic contraction) with
    static bounds becomes an `scf.parallel` over all its parallel loops
    (whatever their order among the reduction loops) and blocks of outputs: up to
    `max-factor` along the innermost output dimension that some input does
    not depend on, times up to `max-factor` along a second dimension that
    spares a different input. Each block's outputs are loaded into
    accumulators carried by the reduction loops, the payload is instantiated
    once per output with equal loads made once, and the block is stored
    after the loops. As in `mlc-cuda-tile-contractions`, an elementwise op
    just before that sets the output (a bias broadcast) and one just after
    that updates it element by element (a residual add, an activation) are
    computed with the block and removed. A 4x4 block of a matmul loads 8 values per 16
    multiply-adds instead of 32. Factors are halved while fewer than
    `min-threads` blocks would remain (a GPU needs tens of thousands of
    threads in flight); with factors 1 the rewrite still makes every
    parallel loop a thread dimension (the linalg lowering runs parallel
    loops that follow a reduction loop sequentially) and keeps the
    accumulator in a register. A full reduction (no parallel loop: a dot
    product, ReduceSum over every axis) becomes a one-point `scf.parallel`,
    which `mlc-cuda-map-to-gpu` folds with a block of threads. Summation
    order per output is unchanged.

    ```mlir
    linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>) outs(%c : memref<64x64xf32>)
    ```
    becomes (factors 4x4)
    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c4, %c4) {
      %c00 = memref.load %c[%i, %j] ...                 // 16 accumulators
      %r:16 = scf.for %k = %c0 to %c32 step %c1 iter_args(...) {
        %a0 = memref.load %a[%i, %k] ... %b0 = memref.load %b[%k, %j] ...
        // 16 multiply-adds
      }
      memref.store %r#0, %c[%i, %j] ...
    }
    ```
  }];
  let options = [
    Option<"maxFactor", "max-factor", "int64_t", /*default=*/"4",
           "Most outputs per thread along one dimension (a power of 2)">,
    Option<"minThreads", "min-threads", "int64_t", /*default=*/"32768",
           "Fewest threads (blocks of outputs) to leave">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::memref::MemRefDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect"];
}

def MergeGPUModules : Pass<"mlc-cuda-merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Puts every outlined GPU kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per launch. The model's
    kernels go into a single module `@mlc_kernels` instead (each kernel
    renamed after the module it came from), so that the artifact carries one
    device image per architecture and the runtime loads it once.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def DeviceConstants : Pass<"mlc-cuda-device-constants", "mlir::ModuleOp"> {
  let summary = "Reads the model's constants from one device weights buffer";
  let description = [{
    Runs on the entry function `forward` after the memory plan. Each
    `memref.get_global` of a constant becomes a `memref.view` into a new last
    argument, the device copy of all weights, at a 64-byte aligned offset.
    The layout is recorded on `forward` as `mlc.device_constants` (symbol,
    offset, bytes) and `mlc.weights_size`; the artifact carries it so that
    the runtime uploads the constants once when the model is created.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def EmulateLaunches : Pass<"mlc-cuda-emulate-launches", "mlir::func::FuncOp"> {
  let summary = "Runs gpu.launch bodies as host loops (checking the GPU lowering without a GPU)";
  let description = [{
    For machines without a GPU: each `gpu.launch` that `mlc-cuda-map-to-gpu`
    made becomes a loop over its blocks, with the block and thread ids
    replaced by loop indices, so that the CPU back end can compile the CUDA
    target's kernels and a test can run them. Within a block, the body is
    cut at each top-level `gpu.barrier` into phases, each a loop over the
    block's threads: every thread finishes a phase before any thread starts
    the next, as the barrier guarantees. A value that a later phase uses is
    kept per thread in a host buffer; ops that are the same on every thread
    (pure, not using the thread id) run once per block; workgroup (shared)
    memory is a host buffer. A loop holding barriers whose bounds are the
    same on every thread runs once per block, its body cut the same way and
    the values it carries kept per thread; a barrier under other control
    flow is an error.
    The launches use only x ids and have no data races, so this gives the
    GPU's result.

    ```mlir
    gpu.launch ... threads(%tx, ...) in (%n = %c32, ...) workgroup(%s : memref<32xf32, 3>) {
      A(%tx) ; gpu.barrier ; B(%tx)
    }
    ```
    becomes
    ```mlir
    %s = memref.alloca() : memref<32xf32>
    scf.for %bx = 0 to %grid { scf.for %t = 0 to 32 { A(%t) } ; scf.for %t = 0 to 32 { B(%t) } }
    ```

    Run it on launches made with `mlc-cuda-map-to-gpu{device-allocations=0}`,
    whose buffers stay host memory. `mlc compile --target=cuda --cuda-emulate`
    uses it; the NVPTX code generation and the CUDA runtime are what it
    leaves out.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::memref::MemRefDialect"];
}

#endif // MLC_CUDA_PASSES

#!/usr/bin/env python3
"""Where a model's time goes, in mlc and in onnxruntime, in the same run.

Compiles the model with `mlc compile --profile`, runs it through
bench/model_bench.c (MLC_PROFILE collects every kernel's time), then runs
onnxruntime with its profiler on the same thread count, and prints both
sides per run: the slowest mlc kernels and onnxruntime nodes, and the time
per kind of operation. A kernel's name carries the ONNX node that heads it.
With --by-module both sides are also summed per module of the model (one
block of a network: its convolution, activation and fused nodes), largest
difference first, which points at the kernels that lose to onnxruntime.

    .venv/bin/python bench/profile.py build/bench/models/resnet50.onnx [--threads 1] [--top 15] [--by-module]
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, inputs_for, link_bench  # noqa: E402


def mlc_profile(args, work):
    """{kernel: ms per run} from the table the profiled model writes."""
    name = re.sub(r"\W", "_", os.path.splitext(os.path.basename(args.model))[0])
    out = os.path.join(work, name)
    subprocess.run([args.mlc, "compile", args.model, "-o", out, "--profile"], check=True)
    exe = link_bench(name, out, args.runtime_lib)
    table = os.path.join(work, "profile.txt")
    runs = args.iterations + args.warmup
    subprocess.run([exe, str(args.threads), str(args.iterations), str(args.warmup)], check=True,
                   capture_output=True, env=dict(os.environ, MLC_PROFILE=table))
    times = {}
    with open(table) as f:
        for line in f:
            if not line.startswith("#"):
                total_ms, _share, _calls, _mean, kernel = line.split()
                times[kernel] = float(total_ms) / runs
    return times


def ort_profile(args, work):
    """{node: median ms per run} from onnxruntime's profiler, and each node's op."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.enable_profiling = True
    opts.profile_file_prefix = os.path.join(work, "ort")
    sess = ort.InferenceSession(args.model, opts, providers=["CPUExecutionProvider"])
    feeds = inputs_for(sess)
    for _ in range(args.iterations + args.warmup):
        sess.run(None, feeds)
    with open(sess.end_profiling()) as f:
        events = json.load(f)
    durations, ops = collections.defaultdict(list), {}
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            node = e["name"][:-len("_kernel_time")]
            durations[node].append(e["dur"] / 1000.0)
            ops[node] = e["args"].get("op_name", "?")
    # The timed runs are the last `iterations` of each node.
    times = {n: sorted(d[-args.iterations:])[len(d[-args.iterations:]) // 2] for n, d in durations.items()}
    return times, ops


def top(title, times, kinds, n):
    total = sum(times.values())
    print(f"\n{title}: {total:.3f} ms per run in {len(times)} kernels")
    for name, ms in sorted(times.items(), key=lambda kv: -kv[1])[:n]:
        print(f"  {ms:9.3f} ms {100 * ms / total:5.1f}%  {name}")
    by_kind = collections.Counter()
    for name, ms in times.items():
        by_kind[kinds(name)] += ms
    print("  by kind: " + ", ".join(f"{k} {v:.2f} ms" for k, v in by_kind.most_common()))


def by_module(mlc, ort_times, n):
    """Both sides summed per module, e.g. /features/features.2/features.2.0/block/block.0 for the
    nodes of one Conv2dNormActivation. onnxruntime's node names are the model's paths (with suffixes
    its fusions add); mlc's kernel names carry the path of the node that heads the kernel with every
    non-word character made '_', so a kernel goes to the longest module that its name starts with."""
    flat = lambda s: re.sub(r"\W", "_", s).strip("_")
    modules = collections.Counter()
    ort_side = collections.Counter()
    for node, ms in ort_times.items():
        parts = node.rstrip("/").split("/")
        if "Fusion" in parts[-1]:  # e.g. .../Mul/QuickGeluFusion: the node is .../Mul
            parts = parts[:-1]
        module = "/".join(parts[:-2]) if len(parts) > 3 else node
        ort_side[module] += ms
        modules[flat(module)] = module
    mlc_side = collections.Counter()
    for kernel, ms in mlc.items():
        name = re.sub(r"^kernel\d+_[a-z0-9_]+?__", "", kernel)
        match = max((k for k in modules if name.startswith(k)), key=len, default=None)
        mlc_side[modules[match] if match else kernel] += ms
    rows = sorted(set(ort_side) | set(mlc_side), key=lambda m: -(mlc_side[m] - ort_side[m]))
    print(f"\nper module, largest mlc - onnxruntime first:\n  {'mlc ms':>9} {'ORT ms':>9} {'diff':>8}  module")
    for m in rows[:n]:
        print(f"  {mlc_side[m]:9.3f} {ort_side[m]:9.3f} {mlc_side[m] - ort_side[m]:8.3f}  {m}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--by-module", action="store_true",
                   help="also compare the two sides per module (an ONNX node path without its last two parts)")
    p.add_argument("--mlc", default=os.path.join(ROOT, "build", "bin", "mlc"))
    p.add_argument("--runtime-lib", default=os.path.join(ROOT, "build", "lib", "libmlcrt.a"))
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlc-profile-") as work:
        mlc = mlc_profile(args, work)
        ort_times, ort_ops = ort_profile(args, work)
    print(f"{args.model}, {args.threads} thread(s), medians of {args.iterations} runs (onnxruntime), "
          f"means of {args.iterations + args.warmup} (mlc)")
    top("mlc", mlc, lambda k: re.match(r"kernel\d+_([a-z0-9]+)", k).group(1) if re.match(r"kernel\d+_", k) else k,
        args.top)
    top("onnxruntime", ort_times, lambda n: ort_ops[n], args.top)
    if args.by_module:
        by_module(mlc, ort_times, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""mlc against onnxruntime, side by side in one run, on this machine.

For each model (exported with Debian's torch at opset 17, random weights,
batch 1): `mlc compile` (wall time and the compiler's peak memory), the object
linked into bench/model_bench.c with libmlcrt (what applications link), and
onnxruntime's CPU provider on the same machine, each at 1 and 2 threads:
warm-up runs, then timed runs, in rounds that alternate mlc and
onnxruntime, medians. Prints and writes docs/performance.md
with the ratio mlc/onnxruntime per model and its geometric mean, and a PNG
chart of the ratios.

    .venv/bin/python bench/run.py [--models a,b] [--threads 1,2] [--iterations 30]
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = "resnet18,resnet50,mobilenet_v2,efficientnet_b0,vit_b_16,bert_encoder"


def machine_name():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def measured(cmd):
    """Runs cmd; returns (wall seconds, peak RSS MiB of the child)."""
    start = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
    peak_kb = int(r.stderr.strip().splitlines()[-1])
    return wall, peak_kb / 1024.0


def inputs_for(sess):
    """The same deterministic inputs as bench/model_bench.c."""
    feeds = {}
    for inp in sess.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in inp.shape]
        e = np.arange(int(np.prod(shape)), dtype=np.int64)
        if "int64" in inp.type:
            feeds[inp.name] = ((e * 7919) % 1000).reshape(shape)
        else:
            feeds[inp.name] = (((e * 7919) % 1000) / 1000.0 - 0.5).astype(np.float32).reshape(shape)
    return feeds


def link_bench(model_name, out, runtime_lib):
    """Links bench/model_bench.c with the object `out`.o that `mlc compile` wrote
    for `model_name`; returns the executable's path."""
    exe = out + "_bench"
    work = os.path.dirname(out)
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "bench", "model_bench.c"),
                    out + ".o", "-I" + work, "-I" + os.path.join(ROOT, "include"),
                    f'-DMLC_MODEL_HEADER="{os.path.basename(out)}.h"',
                    f"-DMLC_MODEL_DESC=mlc_model_{model_name}",
                    runtime_lib, "-lpthread", "-lm", "-ldl"], check=True)
    return exe


def time_ort(model, threads, iterations, warmup):
    """Median ms of onnxruntime. The session lives for this call only: its pool
    threads spin after each run, and would take a core from mlc's next round."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    feeds = inputs_for(sess)
    for _ in range(warmup):
        sess.run(None, feeds)
    ms = []
    for _ in range(iterations):
        start = time.perf_counter()
        sess.run(None, feeds)
        ms.append((time.perf_counter() - start) * 1e3)
    del sess
    return float(np.median(ms))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=DEFAULT_MODELS)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3,
                   help="alternate mlc and onnxruntime this many times (iterations split between "
                        "them); each side's time is the median of its rounds' medians, so that a "
                        "slow spell of a shared machine does not fall on one side only")
    p.add_argument("--model-dir", default=os.path.join(ROOT, "build", "bench", "models"))
    p.add_argument("--bert-layers", type=int, default=12)
    p.add_argument("--mlc", default=os.path.join(ROOT, "build", "bin", "mlc"))
    p.add_argument("--runtime-lib", default=os.path.join(ROOT, "build", "lib", "libmlcrt.a"))
    p.add_argument("--report", default=os.path.join(ROOT, "docs", "performance.md"))
    p.add_argument("--chart", default=os.path.join(ROOT, "docs", "performance.png"))
    args = p.parse_args()
    models = [m for m in args.models.split(",") if m]
    threads = [int(t) for t in args.threads.split(",")]

    os.makedirs(args.model_dir, exist_ok=True)
    missing = [m for m in models if not os.path.exists(os.path.join(args.model_dir, m + ".onnx"))]
    if missing:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "export_models.py"),
                        args.model_dir, "--models", ",".join(missing),
                        "--bert-layers", str(args.bert_layers)], check=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="mlc-bench-") as work:
        for m in models:
            model = os.path.join(args.model_dir, m + ".onnx")
            out = os.path.join(work, m)
            compile_s, compile_mb = measured([args.mlc, "compile", model, "-o", out])
            exe = link_bench(m, out, args.runtime_lib)
            row = {"model": m, "compile_s": compile_s, "compile_mb": compile_mb}
            per_round = max(5, args.iterations // max(1, args.rounds))
            for t in threads:
                mlc_rounds, ort_rounds, run_mb = [], [], 0.0
                for _ in range(max(1, args.rounds)):
                    r = subprocess.run([exe, str(t), str(per_round), str(args.warmup)],
                                       capture_output=True, text=True, check=True)
                    mlc = json.loads(r.stdout)
                    mlc_rounds.append(mlc["median_ms"])
                    run_mb = max(run_mb, mlc["peak_rss_mb"])
                    ort_rounds.append(time_ort(model, t, per_round, args.warmup))
                mlc_ms, ort_ms = float(np.median(mlc_rounds)), float(np.median(ort_rounds))
                # Each round's ratio (its mlc and onnxruntime runs are adjacent in time): their
                # range shows how much the machine moved during the measurement.
                round_ratios = [a / b for a, b in zip(mlc_rounds, ort_rounds)]
                row[t] = {"mlc_ms": mlc_ms, "ort_ms": ort_ms, "ratio": mlc_ms / ort_ms, "run_mb": run_mb,
                          "spread": (min(round_ratios), max(round_ratios))}
                print(f"{m:16s} threads={t} mlc {mlc_ms:9.2f} ms  onnxruntime {ort_ms:9.2f} ms  "
                      f"ratio {row[t]['ratio']:.2f} (rounds {row[t]['spread'][0]:.2f}-"
                      f"{row[t]['spread'][1]:.2f})  model RSS {run_mb:.0f} MiB", flush=True)
            print(f"{m:16s} compile {compile_s:.1f} s, compiler peak {compile_mb:.0f} MiB", flush=True)
            rows.append(row)

    geo = {t: math.exp(sum(math.log(r[t]["ratio"]) for r in rows) / len(rows)) for t in threads}
    for t in threads:
        print(f"geometric mean mlc/onnxruntime at {t} thread(s): {geo[t]:.2f}")

    machine = machine_name()
    date = datetime.date.today().isoformat()
    lines = ["# Performance: mlc against onnxruntime", "",
             f"Machine: {machine}. Date: {date}. onnxruntime {ort.__version__} (CPU provider, "
             "sequential, intra-op threads as listed). Batch 1, float32, random weights; "
             f"{args.rounds} alternating rounds of mlc and onnxruntime, each round {args.warmup} warm-up runs "
             f"and {max(5, args.iterations // max(1, args.rounds))} timed runs; a side's time is the median "
             "of its rounds' medians, all in the same `bench/run.py` run. mlc is timed as applications link it (bench/model_bench.c + the object + "
             "libmlcrt). Ratio = mlc / onnxruntime (below 1: mlc is faster). `bert_encoder` is a "
             f"BERT-base-shaped encoder ({args.bert_layers} layers, hidden 768, 12 heads, sequence 128, "
             "scripts/export_models.py).", "",
             "The rounds column is the range of the per-round ratios (each round's mlc and "
             "onnxruntime runs are adjacent in time): a wide range means the machine's speed moved "
             "during the measurement.", "",
             "| model | " + " | ".join(f"mlc ms ({t}T) | ORT ms ({t}T) | ratio ({t}T) | rounds ({t}T)"
                                     for t in threads)
             + " | compile s | compiler peak MiB | model peak RSS MiB |",
             "|---|" + "---|---|---|---|" * len(threads) + "---|---|---|"]
    for r in rows:
        cells = " | ".join(f"{r[t]['mlc_ms']:.2f} | {r[t]['ort_ms']:.2f} | {r[t]['ratio']:.2f} | "
                           f"{r[t]['spread'][0]:.2f}-{r[t]['spread'][1]:.2f}" for t in threads)
        lines.append(f"| {r['model']} | {cells} | {r['compile_s']:.1f} | {r['compile_mb']:.0f} | "
                     f"{max(r[t]['run_mb'] for t in threads):.0f} |")
    lines.append("| **geometric mean** | " + " | ".join(f" | | **{geo[t]:.2f}** | " for t in threads) + " | | | |")
    lines += ["", f"![ratios]({os.path.basename(args.chart)})", "",
              "Regenerate with `.venv/bin/python bench/run.py` (exports the models on first use)."]
    with open(args.report, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.report}")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 4))
        width = 0.8 / len(threads)
        for i, t in enumerate(threads):
            ax.bar([x + i * width for x in range(len(rows))], [r[t]["ratio"] for r in rows], width,
                   label=f"{t} thread(s), geomean {geo[t]:.2f}")
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks([x + width * (len(threads) - 1) / 2 for x in range(len(rows))])
        ax.set_xticklabels([r["model"] for r in rows], rotation=20)
        ax.set_ylabel("latency mlc / onnxruntime")
        ax.set_title(f"mlc vs onnxruntime — {machine}", fontsize=9)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.chart, dpi=100)
        print(f"wrote {args.chart}")
    except ImportError:
        print("matplotlib is not installed: no chart (pip install matplotlib)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Links compiled models into a C program and compares it with onnxruntime.

For each model: `mlc compile` writes model.o + model.h; test/e2e/c_app.c
(written against docs/runtime.md only) is built with cc against them and
libmlcrt; it runs on seeded random inputs, and its outputs must match
onnxruntime's within rtol=atol=1e-4 (the same tolerance as run_e2e.py, for
the same reason: float32 with a different summation order).

c_app runs each model twice: the second run must give the same outputs and
leave the inputs unchanged (a generated Relu(Conv(x) + r) whose residual r is
an input checks that the convolution does not accumulate into the
application's buffer). The first model is also compiled with --profile: its
outputs must not change, and the table it writes when destroyed
(MLC_PROFILE) must list every kernel once per run: the kernels mlc-opt forms from the model's `--emit=mlir`
(`kernel<N>_<op>`; the object's names add the ONNX node, which that text
does not keep).

Prints one PASS/FAIL line per model and `N passed, M failed`.
"""
import re
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def check(model_path, mlc, runtime_lib, work, rtol, atol, profile=False):
    name = os.path.splitext(os.path.basename(model_path))[0]
    out = os.path.join(work, name + ("_profiled" if profile else ""))
    subprocess.run([mlc, "compile", model_path, "-o", out, "--name", name] + (["--profile"] if profile else []),
                   check=True, capture_output=True, text=True)
    app = out + "_app"
    ident = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    subprocess.run(["cc", "-O2", "-o", app, os.path.join(HERE, "c_app.c"), out + ".o",
                    "-I" + work, "-I" + os.path.join(ROOT, "include"),
                    f"-DMLC_MODEL_HEADER=\"{os.path.basename(out)}.h\"", f"-DMLC_MODEL_DESC=mlc_model_{ident}",
                    runtime_lib, "-lpthread", "-lm", "-ldl"], check=True, capture_output=True, text=True)
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds, in_files = {}, []
    for i, inp in enumerate(sess.get_inputs()):
        shape = [d if isinstance(d, int) else 1 for d in inp.shape]
        if "int64" in inp.type:
            x = rng.integers(0, 30522, shape).astype(np.int64)
        else:
            x = rng.standard_normal(shape).astype(np.float32)
        feeds[inp.name] = x
        path = os.path.join(work, f"{name}_in{i}.bin")
        x.tofile(path)
        in_files.append(path)
    ref = sess.run(None, feeds)
    out_files = [os.path.join(work, f"{name}_out{i}.bin") for i in range(len(ref))]
    table = out + "_profile.txt"
    subprocess.run([app] + in_files + out_files, check=True, capture_output=True, text=True,
                   env=dict(os.environ, MLC_PROFILE=table))
    if profile:
        why = check_profile(mlc, model_path, out, table)
        if why:
            return False, why
    worst = 0.0
    for r, path in zip(ref, out_files):
        got = np.fromfile(path, dtype=r.dtype).reshape(r.shape)
        if not np.allclose(got, r, rtol=rtol, atol=atol):
            return False, f"max_abs={np.abs(got - r).max():.3g}"
        worst = max(worst, float(np.abs(got - r).max()))
    return True, f"max_abs={worst:.3g}"


def residual_model(work):
    """Relu(Conv(x) + r) with r a model input: the convolution accumulates
    into its residual's buffer, which must be a copy, not the application's
    r (c_app checks that two runs leave the inputs unchanged)."""
    import onnx
    from onnx import TensorProto as T, helper as h, numpy_helper as nh
    rng = np.random.default_rng(1)
    nodes = [h.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), h.make_node("Add", ["c", "r"], ["a"]),
             h.make_node("Relu", ["a"], ["y"])]
    w = nh.from_array((rng.standard_normal((8, 8, 3, 3)) * 0.2).astype(np.float32), "w")
    graph = h.make_graph(nodes, "residual", [h.make_tensor_value_info(n, T.FLOAT, [1, 8, 6, 7]) for n in ("x", "r")],
                         [h.make_tensor_value_info("y", T.FLOAT, [1, 8, 6, 7])], [w])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])
    model.ir_version = 8
    path = os.path.join(work, "conv_residual_input.onnx")
    onnx.save(model, path)
    return path


def check_profile(mlc, model_path, out, table):
    """Why the profile `table` of one run of the model does not list each of
    its kernels once; empty when it does."""
    subprocess.run([mlc, "compile", model_path, "-o", out + "_ir", "--emit=mlir"], check=True,
                   capture_output=True, text=True)
    formed = subprocess.run([os.path.join(os.path.dirname(mlc), "mlc-opt"), out + "_ir.mlir",
                             "--mlc-graph-pipeline", "--mlc-kernel-formation-pipeline"],
                            check=True, capture_output=True, text=True).stdout
    kernels = set(re.findall(r"func\.func private @(kernel\d+_[a-z0-9]+)", formed))
    if not os.path.exists(table):
        return "the profiled model wrote no table"
    with open(table) as f:
        rows = [line.split() for line in f if not line.startswith("#")]
    calls = {re.match(r"kernel\d+_[a-z0-9]+", r[4]).group(0): int(r[2]) for r in rows}
    if not kernels or set(calls) != kernels or any(c != 2 for c in calls.values()):  # c_app runs twice
        return f"profile lists {sorted(calls.items())}, the object has kernels {sorted(kernels)}"
    return ""


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("models", nargs="+", help=".onnx files")
    p.add_argument("--mlc", default=os.path.join(ROOT, "build", "bin", "mlc"))
    p.add_argument("--runtime-lib", default=os.path.join(ROOT, "build", "lib", "libmlcrt.a"))
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol", type=float, default=1e-4)
    args = p.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="mlc-c-app-") as work:
        runs = [(m, False) for m in args.models] + [(residual_model(work), False), (args.models[0], True)]
        for model, profile in runs:
            try:
                ok, detail = check(model, args.mlc, args.runtime_lib, work, args.rtol, args.atol, profile)
            except subprocess.CalledProcessError as e:
                ok, detail = False, (e.stderr or str(e)).strip().splitlines()[-1:] or [str(e)]
                detail = detail[0] if isinstance(detail, list) else detail
            print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(model)}{' --profile' if profile else ''} {detail}",
                  flush=True)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

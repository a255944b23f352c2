#!/usr/bin/env python3
"""One compiled object for every batch size, checked against onnxruntime.

Builds a small transformer-style block whose inputs have a symbolic batch
dim (MatMul + bias, a Reshape/Transpose into heads, a batched MatMul and
Softmax, ReduceMean, LayerNormalization, a Relu MLP, a residual Add), compiles it once
with `mlc compile` (no --input-shape), links test/e2e/c_app_dynamic.c
against the object and libmlcrt, and runs that one program at several
batch sizes. Each output's dims must be onnxruntime's and its values within
rtol=atol=1e-4 (float32 with a different summation order, as run_e2e.py).

Prints one PASS/FAIL line per batch size and `N passed, M failed`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def make_model(path):
    rng = np.random.default_rng(0)
    d, heads, hidden, seq = 16, 2, 32, 5
    w = lambda *s: numpy_helper.from_array(rng.standard_normal(s).astype(np.float32) * 0.3)
    inits = []
    def init(name, arr):
        t = w(*arr) if isinstance(arr, tuple) else numpy_helper.from_array(arr)
        t.name = name
        inits.append(t)
    init("wq", (d, d)); init("bq", (d,)); init("w1", (d, hidden)); init("b1", (hidden,))
    init("w2", (hidden, d)); init("gamma", (d,)); init("beta", (d,))
    init("heads_shape", np.array([0, 0, heads, d // heads], np.int64))
    nodes = [
        helper.make_node("MatMul", ["x", "wq"], ["q0"]),
        helper.make_node("Add", ["q0", "bq"], ["q"]),
        helper.make_node("Reshape", ["q", "heads_shape"], ["qh"]),
        helper.make_node("Transpose", ["qh"], ["qt"], perm=[0, 2, 1, 3]),
        helper.make_node("MatMul", ["qt", "kt"], ["scores"]),
        helper.make_node("Softmax", ["scores"], ["probs"], axis=-1),
        helper.make_node("ReduceMean", ["probs"], ["pm"], axes=[1], keepdims=0),
        helper.make_node("LayerNormalization", ["x", "gamma", "beta"], ["ln"], axis=-1),
        helper.make_node("MatMul", ["ln", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"]),
        helper.make_node("Add", ["h3", "x"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "dynamic_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", seq, d]),
         helper.make_tensor_value_info("kt", TensorProto.FLOAT, ["batch", heads, d // heads, seq])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", seq, d]),
         helper.make_tensor_value_info("pm", TensorProto.FLOAT, ["batch", seq, seq])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mlc", default=os.path.join(ROOT, "build", "bin", "mlc"))
    p.add_argument("--runtime-lib", default=os.path.join(ROOT, "build", "lib", "libmlcrt.a"))
    p.add_argument("--batches", default="1,3,8,2")
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol", type=float, default=1e-4)
    args = p.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    with tempfile.TemporaryDirectory(prefix="mlc-dynamic-") as work:
        model_path = os.path.join(work, "dynamic_block.onnx")
        make_model(model_path)
        out = os.path.join(work, "dynamic_block")
        subprocess.run([args.mlc, "compile", model_path, "-o", out], check=True)
        app = out + "_app"
        subprocess.run(["cc", "-O2", "-o", app, os.path.join(HERE, "c_app_dynamic.c"), out + ".o",
                        "-I" + work, "-I" + os.path.join(ROOT, "include"),
                        "-DMLC_MODEL_HEADER=\"dynamic_block.h\"",
                        "-DMLC_MODEL_DESC=mlc_model_dynamic_block", args.runtime_lib,
                        "-lpthread", "-lm", "-ldl"], check=True)
        sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(1)
        in_names = [i.name for i in sess.get_inputs()]
        out_names = [o.name for o in sess.get_outputs()]
        refs = []
        for r, batch in enumerate(batches):
            feeds = {}
            for i in sess.get_inputs():
                shape = [batch if not isinstance(s, int) else s for s in i.shape]
                feeds[i.name] = rng.standard_normal(shape).astype(np.float32)
                feeds[i.name].tofile(os.path.join(work, f"in_{i.name}.{r}"))
            refs.append(sess.run(None, feeds))
        subprocess.run([app, ",".join(map(str, batches))] +
                       [os.path.join(work, f"in_{n}") for n in in_names] +
                       [os.path.join(work, f"out_{n}") for n in out_names], check=True)
        passed = failed = 0
        for r, batch in enumerate(batches):
            ok, detail = True, []
            for name, ref in zip(out_names, refs[r]):
                raw = np.fromfile(os.path.join(work, f"out_{name}.{r}"), dtype=np.uint8)
                dims = tuple(raw[:8 * ref.ndim].view(np.int64))
                got = raw[8 * ref.ndim:].view(np.float32)
                if dims != ref.shape or got.size != ref.size:
                    ok = False
                    detail.append(f"{name}: dims {dims}, expected {ref.shape}")
                    continue
                err = float(np.abs(got.reshape(dims) - ref).max())
                ok &= bool(np.allclose(got.reshape(dims), ref, rtol=args.rtol, atol=args.atol))
                detail.append(f"{name} {dims} max_abs={err:.3g}")
            print(f"{'PASS' if ok else 'FAIL'} batch {batch}: {'; '.join(detail)}", flush=True)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

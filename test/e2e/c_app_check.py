#!/usr/bin/env python3
"""Links compiled models into a C program and compares it with onnxruntime.

For each model: `mlc compile` writes model.o + model.h; test/e2e/c_app.c
(written against docs/runtime.md only) is built with cc against them and
libmlcrt; it runs on seeded random inputs, and its outputs must match
onnxruntime's within rtol=atol=1e-4 (the same tolerance as run_e2e.py, for
the same reason: float32 with a different summation order).

Prints one PASS/FAIL line per model and `N passed, M failed`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def check(model_path, mlc, runtime_lib, work, rtol, atol):
    name = os.path.splitext(os.path.basename(model_path))[0]
    out = os.path.join(work, name)
    subprocess.run([mlc, "compile", model_path, "-o", out], check=True,
                   capture_output=True, text=True)
    app = out + "_app"
    ident = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    subprocess.run(["cc", "-O2", "-o", app, os.path.join(HERE, "c_app.c"), out + ".o",
                    "-I" + work, "-I" + os.path.join(ROOT, "include"),
                    f"-DMLC_MODEL_HEADER=\"{name}.h\"", f"-DMLC_MODEL_DESC=mlc_model_{ident}",
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
    subprocess.run([app] + in_files + out_files, check=True, capture_output=True, text=True)
    worst = 0.0
    for r, path in zip(ref, out_files):
        got = np.fromfile(path, dtype=r.dtype).reshape(r.shape)
        if not np.allclose(got, r, rtol=rtol, atol=atol):
            return False, f"max_abs={np.abs(got - r).max():.3g}"
        worst = max(worst, float(np.abs(got - r).max()))
    return True, f"max_abs={worst:.3g}"


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
        for model in args.models:
            try:
                ok, detail = check(model, args.mlc, args.runtime_lib, work, args.rtol, args.atol)
            except subprocess.CalledProcessError as e:
                ok, detail = False, (e.stderr or str(e)).strip().splitlines()[-1:] or [str(e)]
                detail = detail[0] if isinstance(detail, list) else detail
            print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(model)} {detail}", flush=True)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Validates the CUDA target's PTX for real models with NVIDIA's ptxas.

For each model: `mlc compile --target=cuda --emit=ptx --ptxas=none` (PTX from
LLVM's NVPTX back end only), then `ptxas -arch=<arch>` on the result, which
must accept every kernel. One line per model, then `N passed, M failed`.

Without ptxas (no CUDA toolkit) it says so and exits with 77, which ctest
reports as skipped.

  cuda_ptxas_check.py --mlc build/bin/mlc --model-dir DIR --models resnet18,...
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def find_ptxas(requested):
    if requested:
        return requested if os.access(requested, os.X_OK) else None
    found = shutil.which("ptxas")
    if found:
        return found
    for root in (os.environ.get("CUDA_HOME"), "/usr/local/cuda"):
        if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
            return os.path.join(root, "bin", "ptxas")
    return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mlc", required=True)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--models", required=True, help="comma-separated model names (DIR/NAME.onnx)")
    p.add_argument("--arch", default="sm_90")
    p.add_argument("--ptxas", help="ptxas to use (default: PATH, $CUDA_HOME/bin, /usr/local/cuda/bin)")
    args = p.parse_args(argv)

    ptxas = find_ptxas(args.ptxas)
    if not ptxas:
        print("SKIP: no ptxas (install the CUDA toolkit or pass --ptxas) - PTX not validated")
        return SKIP
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="mlc-ptxas-") as tmp:
        for name in [m.strip() for m in args.models.split(",") if m.strip()]:
            model = os.path.join(args.model_dir, name + ".onnx")
            out = os.path.join(tmp, name)
            t0 = time.time()
            compile_cmd = [args.mlc, "compile", model, "--target=cuda", "--cuda-arch=" + args.arch,
                           "--emit=ptx", "--ptxas=none", "-o", out]
            proc = subprocess.run(compile_cmd, capture_output=True, text=True)
            t1 = time.time()
            if proc.returncode != 0:
                failed += 1
                print("FAIL %s: mlc: %s" % (name, proc.stderr.strip().splitlines()[-1:]))
                continue
            with open(out + ".ptx") as f:
                ptx = f.read()
            kernels = ptx.count(".entry ")
            proc = subprocess.run([ptxas, "-arch=" + args.arch, out + ".ptx", "-o", out + ".cubin"],
                                  capture_output=True, text=True)
            t2 = time.time()
            if proc.returncode != 0:
                failed += 1
                print("FAIL %s: ptxas: %s" % (name, proc.stderr.strip()[:2000]))
                continue
            passed += 1
            print("PASS %s: %d kernels, %.1f MB of PTX, compile %.1fs, ptxas %.1fs"
                  % (name, kernels, len(ptx) / 1e6, t1 - t0, t2 - t1))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

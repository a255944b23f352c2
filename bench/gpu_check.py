#!/usr/bin/env python3
"""The CUDA target on a real GPU: correctness against the CPU path, speed next to PyTorch.

Two steps, so that the GPU machine needs neither LLVM nor a network:

  prepare (here, where mlc is built):
      .venv/bin/python bench/gpu_check.py prepare --out gpu_check
    compiles, for --target=cuda --cuda-arch=sm_90, into self-contained shared
    libraries (model code + libmlcrt; they need only libc and the NVIDIA
    driver):
      - correctness models (tiny_cnn, squeezenet1_0, mobilenet_v3_small,
        mobilenet_v2) with seeded inputs and the CPU target's outputs for them;
      - the ONNX node tests that the CPU target passes (test/conformance
        expectation list, Debian's corpus), all linked into one library, with
        their test data;
      (the libraries are gzipped: 21 MB of node-test kernels become 3 MB)
      - timing models: resnet50 at batch 1 and 32 and the 12-layer BERT-style
        encoder at sequence 128. Their weights are one constant value, which
        gzip shrinks to nothing, so they fit the 64 MiB a device call carries;
        the kernels' speed does not depend on the values (no sparsity, no
        data-dependent paths), and their outputs are not checked.
  run (on the GPU machine; needs python3 with numpy, onnx and torch):
      python3 bench/gpu_check.py run --dir gpu_check [--report OUT/gpu_check.md]
                                     [--profile OUT/profile.txt]
    checks every model and node test against its reference (models: rtol 1e-3,
    atol 1e-4 against the CPU path, the issue's bound; node tests: the ONNX
    backend runner's rtol 1e-3, atol 1e-7), times mlc (host buffers through
    mlc_model_run, device buffers through mlc_model_run_device, and host
    buffers replaying a CUDA graph, MLC_CUDA_GRAPH=1, whose outputs must equal
    the direct launches' bit for bit) and PyTorch in float32 (TF32 off) on the
    same GPU, and prints a table; with
    --profile, one more run of each timing model under MLC_CUDA_PROFILE lists
    its kernels by time. The checks run in worker processes that start afresh
    after a crash or a CUDA error (which can leave the context unusable), so
    one bad kernel costs one result; the report is rewritten after each step
    and every step has a time budget. It finishes in a few minutes.
"""
import argparse
import ctypes
import glob
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCH = "sm_90"
CHECK_MODELS = ["squeezenet1_0", "mobilenet_v3_small", "mobilenet_v2"]
NODE_DATA = "/usr/share/libonnx-testdata/data/node"
TIMING = {  # name -> (export model, batch or seq, input name)
    "resnet50_b1": ("resnet50", 1),
    "resnet50_b32": ("resnet50", 32),
    "bert12_s128": ("bert_encoder", 128),
}


# ---------------------------------------------------------------- prepare

def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), proc.stderr[-3000:]))
    return proc


def export_model(name, path, batch=1, bert_layers=2, seq=128):
    """Exports with scripts/export_models.py's builders (Debian's torch)."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import torch
    import export_models as em
    torch.manual_seed(0)
    if name == "bert_encoder":
        model = em.BertEncoder(bert_layers, seq).eval()
        example = torch.randint(0, em.BERT_VOCAB, (1, seq), dtype=torch.int64)
        names = ["input_ids"]
    else:
        model = em.IMAGE_MODELS[name][0]().eval()
        example = torch.randn(batch, 3, 224, 224)
        names = ["input"]
    with torch.no_grad():
        torch.onnx.export(model, example, path, opset_version=em.OPSET, input_names=names,
                          output_names=["output"], do_constant_folding=True)


def constant_weights(path):
    """Sets every float initializer to 0.01 (shapes and int tensors kept)."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    for i, init in enumerate(model.graph.initializer):
        arr = numpy_helper.to_array(init)
        if arr.dtype.kind == "f":
            model.graph.initializer[i].CopyFrom(
                numpy_helper.from_array(np.full(arr.shape, 0.01, arr.dtype), init.name))
    onnx.save(model, path)


def random_inputs(path, seed):
    import onnx
    model = onnx.load(path, load_external_data=False)
    init = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(seed)
    feeds = {}
    for value in model.graph.input:
        if value.name in init:
            continue
        t = value.type.tensor_type
        shape = [d.dim_value for d in t.shape.dim]
        if t.elem_type == 7:  # token ids
            feeds[value.name] = rng.integers(0, 1000, size=shape, dtype=np.int64)
        else:
            feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
    return feeds


def pack(path, dest=None):
    """Replaces `path` by `dest` (default `path`.gz), gzipped: PTX text and
    cubins shrink about eightfold, which keeps the bundle well inside the
    64 MiB a device call carries."""
    with open(path, "rb") as f, gzip.open(dest or path + ".gz", "wb", compresslevel=9) as g:
        shutil.copyfileobj(f, g)
    os.remove(path)


def unpacked(path_gz):
    """The library `path_gz` holds, unpacked once into the temporary directory
    (the workers that restart after a crash reuse it)."""
    name = "mlc-gpu-check-%s-%s" % (os.path.basename(os.path.dirname(path_gz)),
                                    os.path.basename(path_gz)[:-3])
    dest = os.path.join(tempfile.gettempdir(), name)
    if not os.path.exists(dest) or os.path.getmtime(dest) < os.path.getmtime(path_gz):
        with gzip.open(path_gz, "rb") as g, open(dest + ".part", "wb") as f:
            shutil.copyfileobj(g, f)
        os.replace(dest + ".part", dest)
    return dest


def compile_shared(mlc, model, out, extra=()):
    run([mlc, "compile", model, "--target=cuda", "--cuda-arch=" + ARCH, "--emit=shared",
         "-o", out] + list(extra))


def prepare(args):
    out = os.path.abspath(args.out)
    # A bundle is made afresh: an earlier one (it has a manifest) is
    # replaced; any other non-empty directory is left alone.
    if os.path.exists(os.path.join(out, "manifest.json")):
        shutil.rmtree(out)
    elif os.path.isdir(out) and os.listdir(out):
        sys.exit("%s is not empty and holds no gpu_check bundle; give another --out" % out)
    os.makedirs(out, exist_ok=True)
    models_dir = os.path.abspath(args.model_dir)
    os.makedirs(models_dir, exist_ok=True)
    manifest = {"arch": ARCH, "models": [], "timing": [], "node_tests": []}

    # Correctness models: CUDA library, inputs, CPU target's outputs.
    for name in ["tiny_cnn"] + [m for m in args.check_models.split(",") if m]:
        src = (os.path.join(ROOT, "examples", "model", "tiny_cnn.onnx") if name == "tiny_cnn"
               else os.path.join(models_dir, name + ".onnx"))
        if not os.path.exists(src):
            export_model(name, src)
        dest = os.path.join(out, name)
        os.makedirs(dest, exist_ok=True)
        compile_shared(args.mlc, src, os.path.join(dest, "model"), ["--name", name])
        pack(os.path.join(dest, "model.so"))
        feeds = random_inputs(src, seed=0)
        cmd = [args.mlc, "run", src, "--output-dir", dest]
        for k, v in feeds.items():
            f = os.path.join(dest, "in_%s.npy" % re.sub(r"[^A-Za-z0-9_.-]", "_", k))
            np.save(f, v)
            cmd += ["--input", "%s=%s" % (k, f)]
        run(cmd)  # writes <output>.npy from the CPU target
        manifest["models"].append({"name": name, "inputs": list(feeds)})
        print("prepared %s" % name, flush=True)

    # Node tests the CPU target passes: objects linked into one library.
    expected = os.path.join(ROOT, "test", "conformance", "expected_pass_static.txt")
    tests = [l.strip().split("/", 1)[1] for l in open(expected)
             if l.startswith("node/")][: args.max_node_tests]
    node_out = os.path.join(out, "node")
    os.makedirs(node_out, exist_ok=True)
    objects = []
    with tempfile.TemporaryDirectory(prefix="mlc-gpu-check-") as tmp:
        for i, test in enumerate(tests):
            src = os.path.join(NODE_DATA, test, "model.onnx")
            ident = "n%d" % i
            try:
                run([args.mlc, "compile", src, "--target=cuda", "--cuda-arch=" + ARCH,
                     "--name", ident, "-o", os.path.join(tmp, ident)])
            except RuntimeError as e:
                lines = str(e).strip().splitlines()
                print("skip %s: %s" % (test, next((l for l in lines if "error:" in l), lines[-1])))
                continue
            objects.append(os.path.join(tmp, ident + ".o"))
            data = os.path.join(node_out, test)
            shutil.copytree(os.path.join(NODE_DATA, test, "test_data_set_0"), data)
            shutil.copy(src, os.path.join(data, "model.onnx"))
            manifest["node_tests"].append({"name": test, "symbol": "mlc_model_" + ident})
        runtime = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.mlc))),
                               "lib", "libmlcrt.a")
        run(["cc", "-shared", "-o", os.path.join(node_out, "tests.so")] + objects +
            ["-Wl,--whole-archive", runtime, "-Wl,--no-whole-archive", "-lpthread", "-lm", "-ldl"])
        pack(os.path.join(node_out, "tests.so"))
    print("prepared %d node tests" % len(manifest["node_tests"]), flush=True)

    # Timing models with constant weights, gzipped.
    for name, (source, size) in TIMING.items():
        with tempfile.TemporaryDirectory(prefix="mlc-gpu-check-") as tmp:
            onnx_path = os.path.join(tmp, name + ".onnx")
            if source == "bert_encoder":
                export_model(source, onnx_path, bert_layers=12, seq=size)
            else:
                export_model(source, onnx_path, batch=size)
            constant_weights(onnx_path)
            compile_shared(args.mlc, onnx_path, os.path.join(tmp, name), ["--name", name])
            pack(os.path.join(tmp, name + ".so"), os.path.join(out, name + ".so.gz"))
            feeds = random_inputs(onnx_path, seed=1)
        # Inputs are made on the GPU machine (a batch of 32 images is 19 MB).
        manifest["timing"].append({"name": name, "source": source, "size": size,
                                   "inputs": [[k, list(v.shape), str(v.dtype)]
                                              for k, v in feeds.items()]})
        print("prepared %s" % name, flush=True)

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(p) for p in glob.glob(out + "/**", recursive=True)
                if os.path.isfile(p))
    print("%s: %.1f MiB" % (out, total / 2**20))


# ---------------------------------------------------------------- run (GPU)

class TensorDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(ctypes.c_int64))]


class ModelDesc(ctypes.Structure):  # the head of mlc_model_desc (include/mlc/runtime.h)
    _fields_ = [("abi_version", ctypes.c_uint32), ("target", ctypes.c_uint32),
                ("name", ctypes.c_char_p), ("num_inputs", ctypes.c_int64),
                ("inputs", ctypes.POINTER(TensorDesc)), ("num_outputs", ctypes.c_int64),
                ("outputs", ctypes.POINTER(TensorDesc))]


class Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(ctypes.c_int64)), ("data", ctypes.c_void_p),
                ("size_bytes", ctypes.c_size_t)]


DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
          7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32,
          13: np.uint64}


class Runtime:
    """libmlcrt's API in one loaded model library."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        lib = self.lib
        lib.mlc_model_create.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                         ctypes.POINTER(ctypes.c_void_p)]
        lib.mlc_model_create.restype = ctypes.c_void_p
        for fn in (lib.mlc_model_run, lib.mlc_model_run_device):
            fn.restype = ctypes.c_void_p
        lib.mlc_model_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(Tensor), ctypes.c_size_t,
                                      ctypes.POINTER(Tensor), ctypes.c_size_t]
        lib.mlc_model_run_device.argtypes = lib.mlc_model_run.argtypes + [ctypes.c_void_p]
        lib.mlc_status_get_message.argtypes = [ctypes.c_void_p]
        lib.mlc_status_get_message.restype = ctypes.c_char_p
        lib.mlc_status_free.argtypes = [ctypes.c_void_p]
        lib.mlc_model_destroy.argtypes = [ctypes.c_void_p]

    def check(self, status):
        if status:
            message = self.lib.mlc_status_get_message(status).decode()
            self.lib.mlc_status_free(status)
            raise RuntimeError(message)


class Model:
    def __init__(self, runtime, symbol):
        self.rt = runtime
        self.desc = ModelDesc.in_dll(runtime.lib, symbol)
        self.handle = ctypes.c_void_p()
        runtime.check(runtime.lib.mlc_model_create(ctypes.addressof(self.desc), None,
                                                   ctypes.byref(self.handle)))
        self.keep = []

    def specs(self, outputs):
        count = self.desc.num_outputs if outputs else self.desc.num_inputs
        table = self.desc.outputs if outputs else self.desc.inputs
        return [(table[i].dtype, [table[i].dims[d] for d in range(table[i].rank)])
                for i in range(count)]

    def tensors(self, arrays_or_ptrs, specs):
        ts = (Tensor * max(1, len(specs)))()
        for i, (dtype, dims) in enumerate(specs):
            d = (ctypes.c_int64 * max(1, len(dims)))(*dims)
            self.keep.append(d)
            a = arrays_or_ptrs[i]
            if isinstance(a, np.ndarray):
                ptr, size = a.ctypes.data, a.nbytes
            else:
                ptr, size = a  # device pointer and byte size
            ts[i] = Tensor(dtype, len(dims), d, ptr, size)
        return ts

    def run(self, inputs):
        outs = [np.empty(dims, DTYPES[dtype]) for dtype, dims in self.specs(True)]
        ins = [np.ascontiguousarray(a) for a in inputs]
        self.rt.check(self.rt.lib.mlc_model_run(
            self.handle, self.tensors(ins, self.specs(False)), len(ins),
            self.tensors(outs, self.specs(True)), len(outs)))
        self.keep.clear()
        return outs

    def destroy(self):
        self.rt.lib.mlc_model_destroy(self.handle)


def load_pb(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def close(actual, expected, rtol, atol):
    if actual.shape != expected.shape:
        return False, "shape %s, expected %s" % (actual.shape, expected.shape)
    if expected.dtype.kind not in "fc":
        ok = np.array_equal(actual, expected)
        return ok, "" if ok else "values differ"
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    ok = np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    err = float(np.nanmax(np.abs(a - e))) if a.size else 0.0
    return ok, "max abs error %.3g" % err


def median_ms(fn, warmup, iterations, sync):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def model_case(d, m):
    """Runs one correctness model; returns (ok, why)."""
    md = os.path.join(d, m["name"])
    model = Model(Runtime(unpacked(os.path.join(md, "model.so.gz"))), "mlc_model_" + m["name"])
    ins = [np.load(os.path.join(md, "in_%s.npy" % re.sub(r"[^A-Za-z0-9_.-]", "_", k)))
           for k in m["inputs"]]
    out = model.run(ins)[0]
    model.destroy()
    return close(out, np.load(os.path.join(md, "output.npy")), 1e-3, 1e-4)


def node_case(d, rt, t):
    """Runs one node test on its first data set; returns (ok, why)."""
    td = os.path.join(d, "node", t["name"])
    numbered = lambda pattern: sorted(glob.glob(os.path.join(td, pattern)),
                                      key=lambda p: int(re.findall(r"\d+", p)[-1]))
    model = Model(rt, t["symbol"])
    try:
        outs = model.run([load_pb(p) for p in numbered("input_*.pb")])
    finally:
        model.destroy()
    results = [close(a, e, 1e-3, 1e-7) for a, e in zip(outs, [load_pb(p) for p in
                                                               numbered("output_*.pb")])]
    return all(r[0] for r in results), "; ".join(r[1] for r in results if not r[0])


def cases(manifest):
    return ([("model", m) for m in manifest["models"]] +
            [("node", t) for t in manifest["node_tests"]])


def worker(args):
    """Runs the checks from case --first on, one JSON line each. Exits with 3
    after a CUDA failure: the context may be unusable, so the parent goes on
    in a fresh process."""
    d = os.path.abspath(args.dir)
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    rt = None
    for i, (kind, case) in enumerate(cases(manifest)):
        if i < args.first:
            continue
        try:
            if kind == "model":
                ok, why = model_case(d, case)
            else:
                rt = rt or Runtime(unpacked(os.path.join(d, "node", "tests.so.gz")))
                ok, why = node_case(d, rt, case)
        except Exception as e:  # a failure to load or run is a result too
            ok, why = False, str(e)
        print("RESULT " + json.dumps({"index": i, "ok": bool(ok), "why": why}), flush=True)
        if not ok and "CUDA_ERROR" in why:
            return 3
    return 0


def run_checks(d, manifest, budget_s, log):
    """Runs every check in worker processes; a crash fails its case only."""
    all_cases = cases(manifest)
    results = {}
    first, deadline = 0, time.time() + budget_s
    while first < len(all_cases) and time.time() < deadline:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker", "--dir", d,
                                 "--first", str(first)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            for line in proc.stdout:
                if line.startswith("RESULT "):
                    r = json.loads(line[7:])
                    results[r["index"]] = (r["ok"], r["why"])
                    first = r["index"] + 1
                else:
                    log.write(line)
                if time.time() > deadline:
                    proc.kill()
                    break
        finally:
            rc = proc.wait()
        if rc not in (0, 3) and first < len(all_cases) and first not in results:
            results[first] = (False, "crashed (exit status %d)" % rc)
            first += 1
    return all_cases, results


def time_one(args):
    """Times one timing model (mlc, host and device buffers; PyTorch) and
    writes its kernel profile; prints one JSON line."""
    import torch
    d = os.path.abspath(args.dir)
    t = next(x for x in json.load(open(os.path.join(d, "manifest.json")))["timing"]
             if x["name"] == args.name)
    so = unpacked(os.path.join(d, t["name"] + ".so.gz"))
    rng = np.random.default_rng(1)
    ins = [rng.integers(0, 1000, size=shape).astype(dtype) if dtype == "int64"
           else rng.standard_normal(shape).astype(dtype) for _, shape, dtype in t["inputs"]]
    rt = Runtime(so)
    model = Model(rt, "mlc_model_" + t["name"])
    sync = torch.cuda.synchronize
    t0 = time.perf_counter()
    model.run(ins)
    first_ms = (time.perf_counter() - t0) * 1e3
    # At most about args.seconds per measurement, at least 3 runs.
    iterations = max(3, min(args.iterations, int(args.seconds * 1e3 / max(first_ms, 1e-3))))
    host = median_ms(lambda: model.run(ins), args.warmup, iterations, sync)
    expected = model.run(ins)
    dev_in = [torch.from_numpy(a).cuda() for a in ins]
    dev_out = [torch.empty(dims, dtype=torch.float32, device="cuda")
               for _, dims in model.specs(True)]
    tin = model.tensors([(x.data_ptr(), x.numel() * x.element_size()) for x in dev_in],
                        model.specs(False))
    tout = model.tensors([(x.data_ptr(), x.numel() * x.element_size()) for x in dev_out],
                         model.specs(True))
    stream = torch.cuda.current_stream().cuda_stream

    def on_device():
        rt.check(rt.lib.mlc_model_run_device(model.handle, tin, len(dev_in), tout,
                                             len(dev_out), stream))
    device = median_ms(on_device, args.warmup, iterations, sync)
    model.destroy()
    # The same runs replaying one CUDA graph (MLC_CUDA_GRAPH=1): they must
    # give the direct launches' outputs, bit for bit (the same kernels on the
    # same data in the same order).
    os.environ["MLC_CUDA_GRAPH"] = "1"
    graphed = Model(rt, "mlc_model_" + t["name"])
    del os.environ["MLC_CUDA_GRAPH"]
    graph = median_ms(lambda: graphed.run(ins), args.warmup, iterations, sync)
    graph_same = all(np.array_equal(a, b, equal_nan=True)
                     for a, b in zip(graphed.run(ins), expected))
    graphed.destroy()
    if args.profile:  # one more instance, each launch synchronised and timed
        os.environ["MLC_CUDA_PROFILE"] = args.profile
        profiled = Model(rt, "mlc_model_" + t["name"])
        del os.environ["MLC_CUDA_PROFILE"]
        profiled.run(ins)
        profiled.destroy()

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import export_models as em
    if t["source"] == "bert_encoder":
        ref = em.BertEncoder(12, t["size"]).eval().cuda()
    else:
        ref = em.IMAGE_MODELS[t["source"]][0]().eval().cuda()
    with torch.no_grad():
        x = dev_in[0]
        torch_ms = median_ms(lambda: ref(x), args.warmup, max(iterations, 10), sync)
    print("TIMING " + json.dumps({"name": t["name"], "host": host, "device": device,
                                  "graph": graph, "graph_same": graph_same,
                                  "torch": torch_ms, "iterations": iterations}), flush=True)
    return 0


def run_check(args):
    d = os.path.abspath(args.dir)
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    report = args.report or os.path.join(tempfile.gettempdir(), "gpu_check.md")
    log = open(os.path.splitext(report)[0] + ".log", "w")
    lines = []

    def write():
        with open(report, "w") as f:
            f.write("\n".join(lines) + "\n")
    try:
        smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,"
                              "clocks.sm,clocks.max.sm", "--format=csv,noheader"],
                             capture_output=True, text=True)
        gpu = smi.stdout.strip() or smi.stderr.strip()
    except OSError as e:
        gpu = "nvidia-smi failed: %s" % e
    lines.append("# mlc --target=cuda, %s\n" % time.strftime("%Y-%m-%d"))
    lines.append("GPU: %s\n" % gpu)
    write()

    started = time.time()
    all_cases, results = run_checks(d, manifest, args.check_seconds, log)
    failures = 0
    lines.append("## Models against the CPU target (rtol 1e-3, atol 1e-4)\n")
    lines.append("| model | result |\n|---|---|")
    for i, (kind, case) in enumerate(all_cases):
        if kind == "model":
            ok, why = results.get(i, (False, "not run (time budget)"))
            failures += not ok
            lines.append("| %s | %s %s |" % (case["name"], "pass" if ok else "FAIL", why))
    node = [(case["name"], results.get(i)) for i, (kind, case) in enumerate(all_cases)
            if kind == "node"]
    passed = sum(1 for _, r in node if r and r[0])
    failed = ["%s: %s" % (n, r[1]) for n, r in node if r and not r[0]]
    failures += len(failed)
    lines.append("\n## ONNX node tests (those the CPU target passes)\n")
    lines.append("%d passed, %d failed, %d not run (%.0f s)\n"
                 % (passed, len(failed), sum(1 for _, r in node if not r),
                    time.time() - started))
    lines += ["- " + f for f in failed[:80]]
    lines.append("")
    write()
    print("\n".join(lines), flush=True)

    lines.append("## Speed, float32 (TF32 off), median after %d warm-up runs (ms)\n"
                 % args.warmup)
    lines.append("| model | runs | mlc, host buffers | mlc, device buffers "
                 "| mlc, host buffers, CUDA graph | PyTorch | mlc/PyTorch |")
    lines.append("|---|---|---|---|---|---|---|")
    for t in manifest["timing"]:
        cmd = [sys.executable, os.path.abspath(__file__), "time-one", "--dir", d, "--name",
               t["name"], "--warmup", str(args.warmup), "--iterations", str(args.iterations)]
        if args.profile:
            cmd += ["--profile", os.path.abspath(args.profile)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.time_seconds)
            log.write(proc.stdout + proc.stderr)
            found = [json.loads(l[7:]) for l in proc.stdout.splitlines()
                     if l.startswith("TIMING ")]
            if found:
                r = found[0]
                failures += not r["graph_same"]
                lines.append("| %s | %d | %.2f | %.2f | %.2f%s | %.2f | %.2f |"
                             % (t["name"], r["iterations"], r["host"], r["device"], r["graph"],
                                "" if r["graph_same"] else " (outputs DIFFER)",
                                r["torch"], r["device"] / r["torch"]))
            else:
                lines.append("| %s | FAILED: %s |" % (t["name"], (proc.stderr.strip()
                                                                  .splitlines() or ["?"])[-1]))
        except subprocess.TimeoutExpired:
            lines.append("| %s | timed out after %d s |" % (t["name"], args.time_seconds))
        print(lines[-1], flush=True)
        write()
    log.close()
    print("\n".join(lines))
    return 1 if failures else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="step", required=True)
    pp = sub.add_parser("prepare", help="compile everything here")
    pp.add_argument("--out", default=os.path.join(ROOT, "gpu_check"))
    pp.add_argument("--mlc", default=os.path.join(ROOT, "build", "bin", "mlc"))
    pp.add_argument("--model-dir", default=os.path.join(ROOT, "build", "e2e-models"))
    pp.add_argument("--max-node-tests", type=int, default=10000)
    pp.add_argument("--check-models", default=",".join(CHECK_MODELS),
                    help="models checked against the CPU target besides tiny_cnn")
    pr = sub.add_parser("run", help="check and time on the GPU machine")
    pr.add_argument("--dir", default=os.path.join(ROOT, "gpu_check"))
    pr.add_argument("--report", help="also write the table here (markdown)")
    pr.add_argument("--warmup", type=int, default=3)
    pr.add_argument("--iterations", type=int, default=20)
    pr.add_argument("--profile", help="append per-kernel times of each timing model here")
    pr.add_argument("--check-seconds", type=int, default=240,
                    help="time budget of the correctness checks")
    pr.add_argument("--time-seconds", type=int, default=150,
                    help="time limit of each timing model")
    pw = sub.add_parser("worker", help=argparse.SUPPRESS)
    pw.add_argument("--dir", required=True)
    pw.add_argument("--first", type=int, default=0)
    pt = sub.add_parser("time-one", help=argparse.SUPPRESS)
    pt.add_argument("--dir", required=True)
    pt.add_argument("--name", required=True)
    pt.add_argument("--warmup", type=int, default=3)
    pt.add_argument("--iterations", type=int, default=20)
    pt.add_argument("--seconds", type=float, default=10.0)
    pt.add_argument("--profile")
    args = p.parse_args(argv)
    if args.step == "prepare":
        args.mlc = os.path.abspath(args.mlc)
        prepare(args)
        return 0
    if args.step == "worker":
        return worker(args)
    if args.step == "time-one":
        return time_one(args)
    return run_check(args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""ONNX backend test conformance of `mlc run`.

Runs the ONNX backend tests (one folder per test: model.onnx and
test_data_set_*/{input,output}_N.pb) through `mlc run` and compares every
output with the expected one, as ONNX's own backend test runner does
(onnx/backend/test/runner: rtol=1e-3, atol=1e-7, or the test's data.json;
same shape, same dtype, NaN equal to NaN; bool/int/string outputs must be
exactly equal).

Corpora (see test/conformance/README.md):
  node, pytorch-converted, pytorch-operator, simple
      Debian's libonnx-testdata (/usr/share/libonnx-testdata/data; onnx 1.12,
      opsets up to 17).
  onnx-node
      the node tests shipped in the onnx wheel from PyPI (ONNX_WHEEL_VERSION,
      the newest release whose wheel still ships them; opsets up to 27).
      Taken from --onnx-node-dir, else from the cache (--cache-dir), which is
      filled with `pip download` on first use, else from the installed onnx
      package when its data is not Debian's.

Output: one `FAIL <corpus>/<test> <class>: <reason>` line per failure,
`REGRESSION ...` / `NEW PASS ...` lines against the expectation list, one
`<corpus>: N passed, M failed, K skipped` line per corpus, and the closing
line `N passed, M failed, K skipped`.  Exit status 1 on a regression (a test
listed in --expected that did not pass) or when a corpus is missing.
"""

import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

import numpy as np
import onnx
from onnx import numpy_helper

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEBIAN_DATA = "/usr/share/libonnx-testdata/data"
DEBIAN_CORPORA = ["node", "pytorch-converted", "pytorch-operator", "simple"]
ONNX_NODE = "onnx-node"
ALL_CORPORA = DEBIAN_CORPORA + [ONNX_NODE]
NODE_CORPORA = {"node", ONNX_NODE}  # the corpora the operator table covers
# onnx 1.23 stopped shipping the node test data in its wheel: 1.22.0 is the
# newest release whose wheel has it (1765 tests, opsets up to 27).
ONNX_WHEEL_VERSION = "1.22.0"
TRAINING_DOMAIN = "ai.onnx.preview.training"
DEFAULT_RTOL = 1e-3  # onnx/backend/test/loader: the runner's defaults
DEFAULT_ATOL = 1e-7
CLASSES = ["unsupported", "compile-error", "wrong-result", "crash"]

# TensorProto element types numpy_helper (onnx 1.12) cannot decode, or decodes
# to a wider type: decoded here to float32 / (u)int8.
BFLOAT16, F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ = 16, 17, 18, 19, 20
UINT4, INT4, FLOAT4E2M1, F8E8M0, UINT2, INT2 = 21, 22, 23, 24, 25, 26
TYPE_NAMES = {
    1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
    8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64",
    14: "complex64", 15: "complex128", 16: "bfloat16", 17: "float8e4m3fn",
    18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz", 21: "uint4", 22: "int4",
    23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2",
}


# --------------------------------------------------------------------------
# Reading tensors


def _minifloat_table(ebits, mbits, bias, kind):
    """float32 value of every bit pattern of a small float format."""
    size = 1 << (1 + ebits + mbits)
    table = np.zeros(size, dtype=np.float32)
    for bits in range(size):
        sign = -1.0 if bits >> (ebits + mbits) else 1.0
        exp = (bits >> mbits) & ((1 << ebits) - 1)
        mant = bits & ((1 << mbits) - 1)
        if exp == 0:
            value = mant / (1 << mbits) * 2.0 ** (1 - bias)
        else:
            value = (1 + mant / (1 << mbits)) * 2.0 ** (exp - bias)
        if kind == "fn" and exp == (1 << ebits) - 1 and mant == (1 << mbits) - 1:
            value = float("nan")  # e4m3fn: S.1111.111 is NaN, no infinity
        elif kind == "fnuz" and bits == 1 << (ebits + mbits):
            value = float("nan")  # fnuz: the negative zero pattern is NaN
        elif kind == "ieee" and exp == (1 << ebits) - 1:
            value = float("inf") if mant == 0 else float("nan")
        table[bits] = sign * value
    return table


_TABLES = {}


def _table(elem_type):
    if elem_type not in _TABLES:
        if elem_type == F8E8M0:
            t = np.array([2.0 ** (b - 127) for b in range(256)], dtype=np.float32)
            t[255] = np.nan
        else:
            t = {
                F8E4M3FN: lambda: _minifloat_table(4, 3, 7, "fn"),
                F8E4M3FNUZ: lambda: _minifloat_table(4, 3, 8, "fnuz"),
                F8E5M2: lambda: _minifloat_table(5, 2, 15, "ieee"),
                F8E5M2FNUZ: lambda: _minifloat_table(5, 2, 16, "fnuz"),
                FLOAT4E2M1: lambda: _minifloat_table(2, 1, 1, "none"),
            }[elem_type]()
        _TABLES[elem_type] = t
    return _TABLES[elem_type]


def _raw_units(tp, count, width):
    """The `count` stored units of `width` bytes (raw_data, else int32_data)."""
    dtype = {1: np.uint8, 2: np.uint16}[width]
    if tp.HasField("raw_data"):
        return np.frombuffer(tp.raw_data, dtype="<u%d" % width)[:count].astype(dtype)
    return np.asarray(tp.int32_data, dtype=np.int64)[:count].astype(dtype)


def tensor_to_numpy(tp):
    """numpy array of a TensorProto; the special types are decoded here."""
    dims = tuple(tp.dims)
    n = int(np.prod(dims)) if dims else 1
    t = tp.data_type
    if t == BFLOAT16:
        bits = _raw_units(tp, n, 2).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(dims)
    if t in (F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0):
        return _table(t)[_raw_units(tp, n, 1)].reshape(dims)
    if t in (UINT4, INT4, FLOAT4E2M1, UINT2, INT2):
        per_byte = 4 if t in (UINT2, INT2) else 2
        nbits = 8 // per_byte
        packed = _raw_units(tp, (n + per_byte - 1) // per_byte, 1)
        vals = np.stack([(packed >> (nbits * k)) & ((1 << nbits) - 1) for k in range(per_byte)],
                        axis=-1).reshape(-1)[:n].astype(np.uint8)
        if t == FLOAT4E2M1:
            return _table(t)[vals].reshape(dims)
        if t in (INT4, INT2):
            signed = vals.astype(np.int8)
            signed[signed >= (1 << (nbits - 1))] -= 1 << nbits
            return signed.reshape(dims)
        return vals.reshape(dims)
    return numpy_helper.to_array(tp)


def read_tensor(path):
    tp = onnx.TensorProto()
    with open(path, "rb") as f:
        tp.ParseFromString(f.read())
    return tp


# --------------------------------------------------------------------------
# Comparing


def compare(expected, expected_type, actual, rtol, atol):
    """None if `actual` matches, else the reason."""
    if expected_type in (BFLOAT16, F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0, FLOAT4E2M1):
        # No .npy dtype exists: accept float32/float64, or the raw bits.
        if actual.dtype.kind == "u" and (actual.dtype.itemsize == 2) == (expected_type == BFLOAT16):
            if expected_type == BFLOAT16:
                actual = (actual.astype(np.uint32) << 16).view(np.float32)
            else:
                actual = _table(expected_type)[actual.astype(np.uint8)]
        elif actual.dtype.kind != "f":
            return "dtype %s, expected %s" % (actual.dtype, TYPE_NAMES[expected_type])
    elif expected_type in (UINT4, INT4, UINT2, INT2):
        if actual.dtype.kind not in "iu" or actual.dtype.itemsize != 1:
            return "dtype %s, expected %s" % (actual.dtype, TYPE_NAMES[expected_type])
    elif actual.dtype != expected.dtype:
        if expected.dtype == object and actual.dtype.kind in "US":
            pass  # strings: compared as text below
        else:
            return "dtype %s, expected %s" % (actual.dtype, expected.dtype)
    if actual.shape != expected.shape:
        return "shape %s, expected %s" % (list(actual.shape), list(expected.shape))
    if expected.size == 0:
        return None
    if expected.dtype == object or expected.dtype.kind in "biuUS":
        if expected.dtype == object:
            exp = np.array([x.decode() if isinstance(x, bytes) else str(x)
                            for x in expected.reshape(-1)], dtype=object)
            act = np.array([x.decode() if isinstance(x, bytes) else str(x)
                            for x in actual.reshape(-1)], dtype=object)
            bad = exp != act
        else:
            bad = (actual != expected).reshape(-1)
        if not bad.any():
            return None
        i = int(np.argmax(bad))
        return "%d/%d elements differ (exact compare), first at flat index %d: %r, expected %r" % (
            int(bad.sum()), expected.size, i, actual.reshape(-1)[i], expected.reshape(-1)[i])
    if expected.dtype.kind == "c":
        e = expected.astype(np.complex128).reshape(-1)
        a = actual.astype(np.complex128).reshape(-1)
    else:
        e = expected.astype(np.float64).reshape(-1)
        a = actual.astype(np.float64).reshape(-1)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - e)
        ok = diff <= atol + rtol * np.abs(e)  # np.testing.assert_allclose
    both_nan = np.isnan(a) & np.isnan(e)
    same_inf = np.isinf(e) & (a == e)
    bad = ~(ok | both_nan | same_inf)
    if not bad.any():
        return None
    finite = bad & np.isfinite(diff)
    max_abs = float(diff[finite].max()) if finite.any() else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(e)
    rel_ok = finite & np.isfinite(rel)
    max_rel = float(rel[rel_ok].max()) if rel_ok.any() else float("inf")
    i = int(np.argmax(bad))
    return ("%d/%d elements differ, max abs err %.3g, max rel err %.3g; first at flat index %d: "
            "%r, expected %r" % (int(bad.sum()), e.size, max_abs, max_rel, i,
                                 a[i].item(), e[i].item()))


# --------------------------------------------------------------------------
# Corpora


def find_onnx_node_dir(args):
    """(folder, onnx version) of the onnx-node corpus, or (None, why)."""
    if args.onnx_node_dir:
        return args.onnx_node_dir, "?"
    cached = os.path.join(args.cache_dir, "onnx-" + ONNX_WHEEL_VERSION, "node")
    if os.path.isdir(cached):
        return cached, ONNX_WHEEL_VERSION
    why = "not cached in %s" % cached
    if not args.no_fetch:
        why = fetch_onnx_node(args.cache_dir, cached)
        if why is None:
            return cached, ONNX_WHEEL_VERSION
    installed = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    if os.path.isdir(installed) and not os.path.realpath(installed).startswith(
            os.path.realpath(args.debian_data)):
        return installed, onnx.__version__
    return None, why + "; the installed onnx %s has no node tests of its own" % onnx.__version__


def fetch_onnx_node(cache_dir, dest):
    """Downloads the onnx wheel with pip and extracts its node tests to `dest`."""
    print("conformance: fetching the node tests of onnx %s with pip" % ONNX_WHEEL_VERSION,
          file=sys.stderr)
    wheels = os.path.join(cache_dir, "wheels")
    os.makedirs(wheels, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
           "-d", wheels, "onnx==" + ONNX_WHEEL_VERSION]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "pip download failed: %s" % e
    found = sorted(glob.glob(os.path.join(wheels, "onnx-%s-*.whl" % ONNX_WHEEL_VERSION)))
    if proc.returncode != 0 or not found:
        return "pip download failed: %s" % first_line(proc.stderr or proc.stdout)
    prefix = "onnx/backend/test/data/node/"
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(found[0]) as z:
        for name in z.namelist():
            if name.startswith(prefix) and not name.endswith("/"):
                out = os.path.join(tmp, name[len(prefix):])
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with z.open(name) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    if not os.path.isdir(tmp):
        return "the onnx %s wheel has no node tests" % ONNX_WHEEL_VERSION
    os.replace(tmp, dest)
    return None


def list_tests(corpus_dir):
    return sorted(d for d in os.listdir(corpus_dir)
                  if os.path.isfile(os.path.join(corpus_dir, d, "model.onnx")))


# --------------------------------------------------------------------------
# One test


class Test:
    def __init__(self, corpus, name, folder):
        self.corpus, self.name, self.folder = corpus, name, folder
        self.key = corpus + "/" + name
        self.ops = []      # [(operator, opset)] of the top-level nodes
        self.opset = None  # the model's ai.onnx opset


def type_kind(tp):
    for kind in ("tensor_type", "sequence_type", "optional_type", "map_type",
                 "sparse_tensor_type"):
        if tp.HasField(kind):
            return kind
    return "no type"


def inspect(test, model):
    """Fills test.ops/opset; returns a skip reason or None."""
    opsets = {(o.domain or "ai.onnx"): o.version for o in model.opset_import}
    test.opset = opsets.get("ai.onnx")
    ops = []
    for node in model.graph.node:
        domain = node.domain or "ai.onnx"
        name = node.op_type if domain == "ai.onnx" else domain + "." + node.op_type
        ops.append((name, opsets.get(domain)))
    test.ops = sorted(set(ops), key=lambda o: (o[0], o[1] or 0))
    training = sorted({n.op_type for n in model.graph.node if n.domain == TRAINING_DOMAIN})
    if training:
        return "training operator %s (%s)" % (", ".join(training), TRAINING_DOMAIN)
    for what, values in (("input", model.graph.input), ("output", model.graph.output)):
        for vi in values:
            kind = type_kind(vi.type)
            if kind != "tensor_type":
                return "%s %s '%s': the runner feeds and reads tensors only" % (
                    kind.replace("_type", "").replace("_", " ") + "-typed", what, vi.name)
    return None


def make_dynamic(model):
    """Every dim of every graph input (initializers aside) becomes a dim_param."""
    inits = {i.name for i in model.graph.initializer}
    for n, vi in enumerate(model.graph.input):
        if vi.name in inits or not vi.type.HasField("tensor_type"):
            continue
        tt = vi.type.tensor_type
        if not tt.HasField("shape"):
            continue
        for k, dim in enumerate(tt.shape.dim):
            if not dim.dim_param:
                dim.dim_param = "in%d_d%d" % (n, k)


def first_line(text):
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def error_line(stdout, stderr):
    lines = [l.strip() for l in (stderr + "\n" + stdout).splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("mlc: error:")]
    if errors:
        return errors[0], True
    return (lines[-1] if lines else ""), False


def run_mlc(cmd, timeout):
    """(returncode or None on timeout, stdout, stderr); kills the whole group."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return None, out, err


def run_test(test, args, mlc, tmp_root):
    """Result dict: status pass/fail/skip, class, reason, seconds."""
    start = time.time()
    result = {"test": test.key, "status": "pass", "class": "", "reason": ""}

    def done(status, cls="", reason=""):
        result.update(status=status, reason=reason)
        result["class"] = cls if status == "fail" else ""
        result["seconds"] = round(time.time() - start, 2)
        return result

    model_path = os.path.join(test.folder, "model.onnx")
    try:
        model = onnx.load(model_path)
    except Exception as e:  # noqa: BLE001 - a corrupt model is the runner's problem
        return done("skip", reason="the runner cannot load the model: %s" % first_line(str(e)))
    skip = inspect(test, model)
    if skip:
        return done("skip", reason=skip)
    rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
    data_json = os.path.join(test.folder, "data.json")
    if os.path.exists(data_json):
        with open(data_json) as f:
            data = json.load(f)
        rtol, atol = data.get("rtol", rtol), data.get("atol", atol)
    inits = {i.name for i in model.graph.initializer}
    inputs = [vi.name for vi in model.graph.input if vi.name not in inits]
    outputs = [vi.name for vi in model.graph.output]
    data_sets = sorted(glob.glob(os.path.join(test.folder, "test_data_set_*")))
    if not data_sets:
        return done("skip", reason="no test_data_set_*")

    work = tempfile.mkdtemp(prefix=re.sub(r"[^A-Za-z0-9_.-]", "_", test.name)[:60] + ".",
                            dir=tmp_root)
    try:
        if args.mode == "dynamic":
            make_dynamic(model)
            model_path = os.path.join(work, "model.onnx")
            onnx.save(model, model_path)
        for ds in data_sets:
            n_in = len(glob.glob(os.path.join(ds, "input_*.pb")))
            n_out = len(glob.glob(os.path.join(ds, "output_*.pb")))
            if n_in > len(inputs) or n_out > len(outputs):
                return done("skip", reason="%s has %d inputs/%d outputs, the graph %d/%d" % (
                    os.path.basename(ds), n_in, n_out, len(inputs), len(outputs)))
            out_dir = os.path.join(work, "out-" + os.path.basename(ds))
            os.makedirs(out_dir)
            cmd = [mlc, "run", model_path, "--output-dir", out_dir] + args.mlc_arg
            for i in range(n_in):
                cmd += ["--input", "%s=%s" % (inputs[i], os.path.join(ds, "input_%d.pb" % i))]
            rc, out, err = run_mlc(cmd, args.timeout)
            tag = "" if len(data_sets) == 1 else os.path.basename(ds) + ": "
            if rc is None:
                return done("fail", "crash", "%stimeout after %d s" % (tag, args.timeout))
            if rc < 0:
                try:
                    sig = signal.Signals(-rc).name
                except ValueError:
                    sig = "signal %d" % -rc
                line, _ = error_line(out, err)
                return done("fail", "crash", "%skilled by %s%s" % (
                    tag, sig, (": " + line) if line else ""))
            if rc != 0:
                line, is_mlc = error_line(out, err)
                line = line.replace(model_path + ": ", "").replace(work + "/", "")
                line = line.replace(test.folder + "/", "")
                if not is_mlc:
                    return done("fail", "crash", "%sexit status %d without an mlc error: %s" % (
                        tag, rc, line))
                line = line[len("mlc: error:"):].strip()
                cls = "unsupported" if re.search(r"not supported|unsupported", line, re.I) \
                    else "compile-error"
                return done("fail", cls, tag + line)
            for i in range(n_out):
                name = outputs[i]
                path = os.path.join(out_dir, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".npy")
                if not os.path.exists(path):
                    return done("fail", "wrong-result", "%soutput '%s' was not written" % (tag, name))
                tp = read_tensor(os.path.join(ds, "output_%d.pb" % i))
                try:
                    expected = tensor_to_numpy(tp)
                except Exception as e:  # noqa: BLE001
                    return done("skip", reason="the runner cannot decode output %d (%s): %s" % (
                        i, TYPE_NAMES.get(tp.data_type, tp.data_type), first_line(str(e))))
                try:
                    actual = np.load(path, allow_pickle=False)
                except Exception as e:  # noqa: BLE001
                    return done("fail", "wrong-result", "%soutput '%s' is not a readable .npy: %s"
                                % (tag, name, first_line(str(e))))
                why = compare(expected, tp.data_type, actual, rtol, atol)
                if why:
                    return done("fail", "wrong-result", "%soutput '%s': %s" % (tag, name, why))
        return done("pass")
    finally:
        if not args.keep_temp:
            shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------
# Expectation list and report


def read_expected(path):
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


def write_expected(path, names):
    with open(path, "w") as f:
        for name in sorted(names):
            f.write(name + "\n")


def machine_name():
    try:
        with open("/proc/cpuinfo") as f:
            models = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
    except OSError:
        models = []
    return "%s, %d CPUs" % (models[0] if models else "unknown CPU", os.cpu_count() or 0)


def mlc_version(mlc_path):
    try:
        rev = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO_ROOT, "status", "--porcelain", "-uno"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        rev, dirty = "", ""
    built = datetime.datetime.fromtimestamp(os.path.getmtime(mlc_path), datetime.timezone.utc)
    return "%s%s (binary built %s UTC)" % (rev or "?", "+local changes" if dirty else "",
                                          built.strftime("%Y-%m-%d %H:%M"))


def parse_table(lines, header_start):
    """Rows (lists of cells) of the markdown table whose header starts so."""
    rows, inside = [], False
    for line in lines:
        if not inside:
            if line.startswith(header_start):
                inside = True
            continue
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and (set(cells[0]) <= set("-: ") or cells[0].startswith("**")):
            continue  # the separator and the total row
        rows.append(cells)
    return rows


RUNS_HEADER = "| mode | date | mlc | machine | corpora |"
SUMMARY_HEADER = ("| corpus | source | tests | opsets | static passed | static failed | "
                  "static skipped | dynamic passed | dynamic failed | dynamic skipped |")
OPS_HEADER = ("| operator | opset | tests | static | dynamic | static failures | "
              "dynamic failures |")


def opset_range(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return "-"
    return str(values[0]) if values[0] == values[-1] else "%d-%d" % (values[0], values[-1])


def write_report(path, args, tests, results, corpus_info, mlc_desc):
    mode = args.mode
    old = []
    if os.path.exists(path):
        with open(path) as f:
            old = f.read().splitlines()

    # Run descriptions: this mode now, the other kept.
    runs = {r[0]: r for r in parse_table(old, RUNS_HEADER) if len(r) == 5}
    corpora_desc = ", ".join("%s (%s)" % (c, corpus_info[c]["version"])
                             for c in sorted(corpus_info))
    runs[mode] = [mode, datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
                  mlc_desc, machine_name(), corpora_desc]

    # Summary per corpus.
    old_summary = {r[0]: r for r in parse_table(old, SUMMARY_HEADER) if len(r) == 10}
    col = {"static": 4, "dynamic": 7}
    summary = {}
    for corpus in sorted(set(old_summary) | set(corpus_info)):
        row = list(old_summary.get(corpus, [corpus, "-", "-", "-"] + ["-"] * 6))
        if corpus in corpus_info:
            info = corpus_info[corpus]
            ctests = [t for t in tests if t.corpus == corpus]
            counts = {s: sum(1 for t in ctests if results[t.key]["status"] == s)
                      for s in ("pass", "fail", "skip")}
            row[1] = info["source"]
            row[2] = str(len(ctests))
            row[3] = opset_range(t.opset for t in ctests)
            c = col[mode]
            row[c:c + 3] = [str(counts["pass"]), str(counts["fail"]), str(counts["skip"])]
        summary[corpus] = row

    # Operators of the node corpora.  `*_expanded` tests count for the
    # operator(s) of the test they expand.
    by_key = {t.key: t for t in tests}
    groups = {}
    for t in tests:
        if t.corpus not in NODE_CORPORA:
            continue
        ops = t.ops
        m = re.match(r"^(.*)_expanded(_ver\d+)?$", t.name)
        base = by_key.get(t.corpus + "/" + m.group(1)) if m else None
        if base is not None and base.ops:
            ops = [(op, t.opset if "." not in op else opset) for op, opset in base.ops]
        for op in ops:
            groups.setdefault((op[0], str(op[1]) if op[1] is not None else "-"), []).append(t)
    old_ops = {(r[0], r[1]): r for r in parse_table(old, OPS_HEADER) if len(r) == 7}
    ops_rows = {}
    for key in set(old_ops) | set(groups):
        row = list(old_ops.get(key, [key[0], key[1], "-", "-", "-", "-", "-"]))
        c = {"static": 3, "dynamic": 4}[mode]
        if key in groups:
            gt = groups[key]
            row[2] = str(len(gt))
            ran = [t for t in gt if results[t.key]["status"] != "skip"]
            passed = sum(1 for t in ran if results[t.key]["status"] == "pass")
            row[c] = "%d/%d" % (passed, len(ran)) if ran else "skipped"
            why = {}
            for t in gt:
                r = results[t.key]
                if r["status"] != "pass":
                    cls = r["class"] or "skipped"
                    why[cls] = why.get(cls, 0) + 1
            order = CLASSES + ["skipped"]
            row[c + 2] = ", ".join("%s %d" % (k, why[k]) for k in order if k in why) or ""
        elif key in old_ops:
            row[c], row[c + 2] = "-", "-"
        if key in groups or any(v not in ("-", "") for v in (row[3], row[4])):
            ops_rows[key] = row

    def opset_sort(v):
        return (0, int(v)) if v.isdigit() else (1, 0)

    out = []
    out.append("# ONNX backend test conformance")
    out.append("")
    out.append("Generated by `test/conformance/run_conformance.py --report` (see "
               "`test/conformance/README.md`); do not edit by hand. A run in one mode "
               "rewrites that mode's columns and keeps the other mode's.")
    out.append("")
    out.append("## Runs")
    out.append("")
    out.append(RUNS_HEADER)
    out.append("|---|---|---|---|---|")
    for m in ("static", "dynamic"):
        if m in runs:
            out.append("| " + " | ".join(runs[m]) + " |")
    out.append("")
    out.append("Static mode compiles each model as it is (the test models have fixed input "
               "shapes). Dynamic mode first rewrites every graph input dim into a symbolic "
               "`dim_param` and passes no `--input-shape`, so the compiled code must read "
               "the dims at run time.")
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append(SUMMARY_HEADER)
    out.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
    totals = [0] * 6
    for corpus in sorted(summary):
        row = summary[corpus]
        out.append("| " + " | ".join(row) + " |")
        for k in range(6):
            if totals[k] is not None and row[4 + k].isdigit():
                totals[k] += int(row[4 + k])
            else:
                totals[k] = None
    out.append("| **total** | | | | " + " | ".join(
        str(t) if t is not None else "-" for t in totals) + " |")
    out.append("")
    out.append("Skipped: operators of `%s` (out of scope) and tests whose graph inputs or "
               "outputs are sequences or optionals, which the runner cannot feed or read "
               "through `mlc run`." % TRAINING_DOMAIN)
    out.append("")
    out.append("## Operators")
    out.append("")
    out.append("Tests of the node corpora (`node`, `%s`) grouped by the operators of their "
               "graph: a test counts for every operator its graph uses, and a `*_expanded` "
               "test (the operator rewritten as its function body) counts for the operator "
               "it expands. `opset` is the model's `opset_import` for the operator's domain. "
               "`static`/`dynamic`: tests passed / tests run (skipped tests not run); "
               "`failures`: why the others did not pass." % ONNX_NODE)
    out.append("")
    out.append(OPS_HEADER)
    out.append("|---|---:|---:|---:|---:|---|---|")
    for key in sorted(ops_rows, key=lambda k: (k[0].lower(), k[0], opset_sort(k[1]))):
        out.append("| " + " | ".join(ops_rows[key]) + " |")
    out.append("")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out))


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["static", "dynamic"], default="static")
    ap.add_argument("--corpora", default=",".join(ALL_CORPORA),
                    help="comma-separated, from: " + ", ".join(ALL_CORPORA))
    ap.add_argument("--filter", default="", help="regex on <corpus>/<test> (re.search)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=60, help="seconds per `mlc run`")
    ap.add_argument("--mlc", default=os.path.join(REPO_ROOT, "build", "bin", "mlc"))
    ap.add_argument("--expected", default=None,
                    help="expectation list (default test/conformance/expected_pass_<mode>.txt)")
    ap.add_argument("--update-expected", action="store_true",
                    help="rewrite the expectation list: the tests run now that passed, plus "
                         "the listed tests this run did not cover")
    ap.add_argument("--report", nargs="?", const=os.path.join(REPO_ROOT, "docs", "conformance.md"),
                    default=None, help="write the markdown report (default docs/conformance.md)")
    ap.add_argument("--json", default=None, help="write every test's result to this file")
    ap.add_argument("--debian-data", default=DEBIAN_DATA)
    ap.add_argument("--onnx-node-dir", default=None,
                    help="the onnx-node corpus (default: the onnx %s wheel's, cached)"
                         % ONNX_WHEEL_VERSION)
    ap.add_argument("--cache-dir", default=os.path.join(REPO_ROOT, "build", "conformance"))
    ap.add_argument("--no-fetch", action="store_true", help="never run pip download")
    ap.add_argument("--mlc-arg", action="append", default=[],
                    help="extra argument of `mlc run` (repeatable), e.g. --mlc-arg=--target=cuda "
                         "--mlc-arg=--cuda-emulate; compare with --expected")
    ap.add_argument("--keep-temp", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="one stderr line per test")
    args = ap.parse_args()
    if args.expected is None:
        args.expected = os.path.join(REPO_ROOT, "test", "conformance",
                                     "expected_pass_%s.txt" % args.mode)

    corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
    unknown = [c for c in corpora if c not in ALL_CORPORA]
    if unknown:
        ap.error("unknown corpus %s" % ", ".join(unknown))
    if not os.access(args.mlc, os.X_OK):
        print("conformance: error: no mlc at %s" % args.mlc, file=sys.stderr)
        return 1
    pattern = re.compile(args.filter) if args.filter else None

    # Corpora.
    errors = []
    corpus_info, tests = {}, []
    for corpus in corpora:
        if corpus == ONNX_NODE:
            folder, version = find_onnx_node_dir(args)
            if folder is None:
                errors.append("corpus %s unavailable: %s" % (corpus, version))
                continue
            source = "onnx %s wheel" % version
        else:
            folder = os.path.join(args.debian_data, corpus)
            if not os.path.isdir(folder):
                errors.append("corpus %s unavailable: no %s (apt-get install libonnx-testdata)"
                              % (corpus, folder))
                continue
            version = debian_version()
            source = "Debian libonnx-testdata %s" % version
        corpus_info[corpus] = {"folder": folder, "version": version, "source": source}
        for name in list_tests(folder):
            t = Test(corpus, name, os.path.join(folder, name))
            if pattern is None or pattern.search(t.key):
                tests.append(t)
    for e in errors:
        print("conformance: error: " + e, file=sys.stderr)

    # Snapshot the compiler (with the runtime it links) so that a rebuild
    # during the run does not change or break it.
    tmp_root = tempfile.mkdtemp(prefix="mlc-conformance-")
    mlc_dir = os.path.dirname(os.path.abspath(args.mlc))
    os.makedirs(os.path.join(tmp_root, "bin"))
    mlc = os.path.join(tmp_root, "bin", "mlc")
    shutil.copy2(args.mlc, mlc)
    runtime = os.path.join(mlc_dir, "..", "lib", "libmlcrt.a")
    if os.path.exists(runtime):
        os.makedirs(os.path.join(tmp_root, "lib"))
        shutil.copy2(runtime, os.path.join(tmp_root, "lib", "libmlcrt.a"))
    mlc_desc = mlc_version(args.mlc)

    print("conformance: %d tests, mode %s, %d jobs, mlc %s" % (
        len(tests), args.mode, args.jobs, mlc_desc), file=sys.stderr)
    results, start = {}, time.time()
    lock = threading.Lock()
    last = [time.time()]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(run_test, t, args, mlc, tmp_root): t for t in tests}
            for fut in concurrent.futures.as_completed(futures):
                t = futures[fut]
                try:
                    r = fut.result()
                except Exception as e:  # noqa: BLE001 - a runner bug must not stop the run
                    r = {"test": t.key, "status": "fail", "class": "crash",
                         "reason": "runner exception: %s: %s" % (type(e).__name__, e),
                         "seconds": 0}
                with lock:
                    results[t.key] = r
                    if args.verbose:
                        print("[%d/%d] %s %s%s (%.1fs)" % (
                            len(results), len(tests), r["status"].upper(), t.key,
                            (" " + r["class"]) if r["class"] else "", r["seconds"]),
                            file=sys.stderr)
                    elif time.time() - last[0] > 15 or len(results) == len(tests):
                        last[0] = time.time()
                        n = {s: sum(1 for x in results.values() if x["status"] == s)
                             for s in ("pass", "fail", "skip")}
                        print("conformance: %d/%d done (%d passed, %d failed, %d skipped), %ds"
                              % (len(results), len(tests), n["pass"], n["fail"], n["skip"],
                                 time.time() - start), file=sys.stderr)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    elapsed = time.time() - start

    # Failures, expectation list, summaries.
    expected = read_expected(args.expected)
    for t in tests:
        r = results[t.key]
        if r["status"] == "fail":
            print("FAIL %s %s: %s" % (t.key, r["class"], first_line(r["reason"])))
    regressions, new_passes = [], []
    if expected is not None:
        for t in tests:
            r = results[t.key]
            if t.key in expected and r["status"] != "pass":
                regressions.append("REGRESSION %s %s: %s" % (
                    t.key, r["class"] or "skipped", first_line(r["reason"])))
            elif t.key not in expected and r["status"] == "pass":
                new_passes.append("NEW PASS %s" % t.key)
        unavailable = sorted(k for k in expected if k.split("/")[0] in corpora
                             and k.split("/")[0] not in corpus_info)
        if unavailable:
            errors.append("%d expected tests are in unavailable corpora" % len(unavailable))
    for line in new_passes + regressions:
        print(line)

    total = {"pass": 0, "fail": 0, "skip": 0}
    for corpus in corpora:
        if corpus not in corpus_info:
            continue
        n = {s: sum(1 for t in tests if t.corpus == corpus and results[t.key]["status"] == s)
             for s in ("pass", "fail", "skip")}
        for s in n:
            total[s] += n[s]
        print("%s: %d passed, %d failed, %d skipped" % (corpus, n["pass"], n["fail"], n["skip"]))
    print("mode %s, %d tests in %.0f s; %d regressions, %d new passes%s" % (
        args.mode, len(tests), elapsed, len(regressions), len(new_passes),
        "" if expected is not None else " (no expectation list at %s)" % args.expected))

    if args.update_expected:
        keep = (expected or set()) - {t.key for t in tests}
        write_expected(args.expected, keep | {t.key for t in tests
                                              if results[t.key]["status"] == "pass"})
        print("conformance: wrote %s" % args.expected, file=sys.stderr)
    if args.report:
        write_report(args.report, args, tests, results, corpus_info, mlc_desc)
        print("conformance: wrote %s" % args.report, file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"mode": args.mode, "seconds": round(elapsed, 1),
                       "corpora": corpus_info,
                       "tests": [dict(results[t.key], ops=t.ops, opset=t.opset)
                                 for t in tests]}, f, indent=1)
    for e in errors:
        print("conformance: error: " + e, file=sys.stderr)
    print("%d passed, %d failed, %d skipped" % (total["pass"], total["fail"], total["skip"]))
    regress = bool(regressions) and not args.update_expected
    return 1 if regress or errors else 0


def debian_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libonnx-testdata"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Operators at configurations the ONNX test data does not cover, against onnxruntime.

Each case is a one-node model built here with seeded random inputs; `mlc run`
computes it and onnxruntime is the reference, for every output. Integer outputs must match
exactly (quantized arithmetic is exact up to round-half-to-even, which both
sides use); float outputs within rtol=atol=1e-5 (float32 with another
summation order; these graphs are a few hundred terms deep at most), NaN
where onnxruntime has NaN. Casts through float8 are as good as exact under
that tolerance: neighbouring float8 values differ by at least 1/16.

Prints one PASS/FAIL line per case and `N passed, M failed`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

RNG = np.random.default_rng(0)


def model(node, inputs, output_type, initializers=(), opset=13, output_shape=None):
    """The graph of `node`; its outputs are graph outputs (all compared; y first,
    declared with `output_shape` where given)."""
    types = output_type if isinstance(output_type, list) else [output_type] * len(node.output)
    graph = h.make_graph([node], "case", [h.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                         [h.make_tensor_value_info(o, t, output_shape if i == 0 else None)
                          for i, (o, t) in enumerate(zip(node.output, types))],
                         list(initializers))
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def qlinear_conv(npq):
    qt = T.UINT8 if npq == np.uint8 else T.INT8
    lo, hi = np.iinfo(npq).min, np.iinfo(npq).max
    inits = [nh.from_array(np.array(0.05, np.float32), "xs"), nh.from_array(np.array(3, npq), "xz"),
             nh.from_array(RNG.integers(-100, 100, (6, 2, 3, 3)).astype(np.int8), "w"),
             nh.from_array(RNG.uniform(0.01, 0.03, 6).astype(np.float32), "ws"),
             nh.from_array(np.zeros(6, np.int8), "wz"), nh.from_array(np.array(0.4, np.float32), "ys"),
             nh.from_array(np.array(5, npq), "yz"), nh.from_array(RNG.integers(-500, 500, 6).astype(np.int32), "b")]
    node = h.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                       group=2, pads=[1, 1, 1, 1], strides=[2, 1])
    feeds = {"x": RNG.integers(lo, hi + 1, (1, 4, 7, 7)).astype(npq)}
    return model(node, [("x", qt, [1, 4, 7, 7])], qt, inits), feeds


def matmul_integer(npq):
    qt = T.UINT8 if npq == np.uint8 else T.INT8
    lo, hi = np.iinfo(npq).min, np.iinfo(npq).max
    inits = [nh.from_array(RNG.integers(lo, hi + 1, (8, 3)).astype(npq), "b"), nh.from_array(np.array(7, npq), "az"),
             nh.from_array(RNG.integers(lo, hi + 1, 3).astype(npq), "bz")]
    node = h.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])
    feeds = {"a": RNG.integers(lo, hi + 1, (2, 5, 8)).astype(npq)}
    return model(node, [("a", qt, [2, 5, 8])], T.INT32, inits), feeds


def quantize_per_axis():
    inits = [nh.from_array(RNG.uniform(0.02, 0.1, 4).astype(np.float32), "s"),
             nh.from_array(RNG.integers(-20, 20, 4).astype(np.int8), "z")]
    node = h.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], axis=1)
    feeds = {"x": RNG.uniform(-8, 8, (2, 4, 5)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 4, 5])], T.INT8, inits), feeds


def pad(mode):
    node = h.make_node("Pad", ["x", "pads"], ["y"], mode=mode)
    inits = [nh.from_array(np.array([1, 2, 0, 1, 3, 4], np.int64), "pads")]
    feeds = {"x": RNG.standard_normal((2, 4, 5)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 4, 5])], T.FLOAT, inits, opset=19), feeds


def attention():
    # Grouped queries (4 over 2 heads), causal with a past of 3, a float mask
    # over the total sequence, softcap.
    node = h.make_node("Attention", ["q", "k", "v", "mask", "pk", "pv"], ["y", "present_k", "present_v"],
                       is_causal=1, softcap=3.0)
    shapes = {"q": [2, 4, 5, 8], "k": [2, 2, 5, 8], "v": [2, 2, 5, 6], "mask": [5, 8], "pk": [2, 2, 3, 8],
              "pv": [2, 2, 3, 6]}
    feeds = {n: RNG.standard_normal(s).astype(np.float32) for n, s in shapes.items()}
    return model(node, [(n, T.FLOAT, s) for n, s in shapes.items()], T.FLOAT, opset=23), feeds


def group_normalization():
    inits = [nh.from_array(RNG.standard_normal(6).astype(np.float32), "s"),
             nh.from_array(RNG.standard_normal(6).astype(np.float32), "b")]
    node = h.make_node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=3, epsilon=1e-3)
    feeds = {"x": RNG.standard_normal((2, 6, 4, 5)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 6, 4, 5])], T.FLOAT, inits, opset=21), feeds


def lrn():
    node = h.make_node("LRN", ["x"], ["y"], size=5, alpha=2e-3, beta=0.6, bias=1.5)
    feeds = {"x": RNG.standard_normal((2, 7, 3, 4)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 7, 3, 4])], T.FLOAT), feeds


def gather_nd():
    # One batch dim, index pairs with negative entries, a trailing slice.
    inits = [nh.from_array(RNG.integers(-3, 3, (2, 4, 2)).astype(np.int64), "i")]
    node = h.make_node("GatherND", ["x", "i"], ["y"], batch_dims=1)
    feeds = {"x": RNG.standard_normal((2, 3, 3, 5)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 3, 3, 5])], T.FLOAT, inits), feeds


def reverse_sequence():
    inits = [nh.from_array(np.array([1, 4, 0, 3], np.int64), "lens")]
    node = h.make_node("ReverseSequence", ["x", "lens"], ["y"], batch_axis=0, time_axis=1)
    feeds = {"x": RNG.standard_normal((4, 4, 3)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [4, 4, 3])], T.FLOAT, inits), feeds


def dft(inverse, onesided, length):
    # Complex input for the inverse, real input for the forward transform,
    # along axis 2, with a dft_length that pads or crops the signal.
    shape = [2, 3, 6, 2 if inverse else 1]
    node = h.make_node("DFT", ["x", "n"], ["y"], axis=2, inverse=inverse, onesided=onesided)
    inits = [nh.from_array(np.array(length, np.int64), "n")]
    feeds = {"x": RNG.standard_normal(shape).astype(np.float32)}
    return model(node, [("x", T.FLOAT, shape)], T.FLOAT, inits, opset=17), feeds


def stft_complex_runtime_length():
    # A complex signal, both sides of the spectrum, frame_step and
    # frame_length read at run time (the declared output fixes the bins).
    node = h.make_node("STFT", ["x", "step", "", "len"], ["y"], onesided=0)
    feeds = {"x": RNG.standard_normal((2, 40, 2)).astype(np.float32),
             "step": np.array(6, np.int64), "len": np.array(10, np.int64)}
    return model(node, [("x", T.FLOAT, [2, 40, 2]), ("step", T.INT64, []), ("len", T.INT64, [])],
                 T.FLOAT, opset=17, output_shape=[2, 6, 10, 2]), feeds


def mel_weight_matrix():
    names = ["bins", "dft", "rate", "low", "high"]
    node = h.make_node("MelWeightMatrix", names, ["y"])
    feeds = {"bins": np.array(6, np.int64), "dft": np.array(64, np.int64), "rate": np.array(16000, np.int64),
             "low": np.array(125.0, np.float32), "high": np.array(7600.0, np.float32)}
    types = [T.INT64] * 3 + [T.FLOAT] * 2
    return model(node, [(n, t, []) for n, t in zip(names, types)], T.FLOAT, opset=17,
                 output_shape=[33, 6]), feeds


def det():
    node = h.make_node("Det", ["x"], ["y"])
    feeds = {"x": RNG.standard_normal((4, 3, 3)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [4, 3, 3])], T.FLOAT), feeds


def affine_grid():
    inits = [nh.from_array(np.array([2, 1, 3, 4, 5], np.int64), "size")]
    node = h.make_node("AffineGrid", ["theta", "size"], ["y"], align_corners=1)
    feeds = {"theta": RNG.standard_normal((2, 3, 4)).astype(np.float32)}
    return model(node, [("theta", T.FLOAT, [2, 3, 4])], T.FLOAT, inits, opset=20), feeds


def max_unpool():
    # Each 2x2 window's value goes to one position of it. (With an
    # output_shape larger than the unpooled shape, onnxruntime reads the
    # indices in the larger shape while the ONNX reference and its test data
    # pad the unpooled result; mlc follows the latter, so no case here.)
    x = RNG.standard_normal((1, 2, 2, 3)).astype(np.float32)
    idx = np.zeros((1, 2, 2, 3), np.int64)
    for c in range(2):
        for i in range(2):
            for j in range(3):
                idx[0, c, i, j] = c * 24 + (2 * i + RNG.integers(0, 2)) * 6 + 2 * j + RNG.integers(0, 2)
    inits = [nh.from_array(idx, "i")]
    node = h.make_node("MaxUnpool", ["x", "i"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    return model(node, [("x", T.FLOAT, [1, 2, 2, 3])], T.FLOAT, inits, opset=11), {"x": x}


def hann_window():
    # The size at run time, the length declared.
    node = h.make_node("HannWindow", ["n"], ["y"], periodic=0)
    return model(node, [("n", T.INT64, [])], T.FLOAT, opset=17, output_shape=[7]), {"n": np.array(7, np.int64)}


def scan_reverse():
    # A running sum over axis 1 read backwards, the scanned outputs written
    # backwards along axis 1 as well.
    body = h.make_graph(
        [h.make_node("Add", ["s_in", "x_t"], ["s_out"]), h.make_node("Mul", ["s_out", "x_t"], ["y_t"])], "body",
        [h.make_tensor_value_info("s_in", T.FLOAT, [3]), h.make_tensor_value_info("x_t", T.FLOAT, [3])],
        [h.make_tensor_value_info("s_out", T.FLOAT, [3]), h.make_tensor_value_info("y_t", T.FLOAT, [3])])
    node = h.make_node("Scan", ["s", "x"], ["s_final", "y"], body=body, num_scan_inputs=1, scan_input_axes=[1],
                       scan_input_directions=[1], scan_output_axes=[1], scan_output_directions=[1])
    graph = h.make_graph([node], "case", [h.make_tensor_value_info("s", T.FLOAT, [3]),
                                          h.make_tensor_value_info("x", T.FLOAT, [3, 5])],
                         [h.make_tensor_value_info("y", T.FLOAT, None),
                          h.make_tensor_value_info("s_final", T.FLOAT, None)])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    return m, {"s": RNG.standard_normal(3).astype(np.float32), "x": RNG.standard_normal((3, 5)).astype(np.float32)}


def if_computed():
    # The condition at run time: both branches computed, one selected.
    then_branch = h.make_graph([h.make_node("Mul", ["x", "x"], ["t"])], "then", [],
                               [h.make_tensor_value_info("t", T.FLOAT, [2, 3])])
    else_branch = h.make_graph([h.make_node("Neg", ["x"], ["e"])], "else", [],
                               [h.make_tensor_value_info("e", T.FLOAT, [2, 3])])
    node = h.make_node("If", ["c"], ["y"], then_branch=then_branch, else_branch=else_branch)
    m = model(node, [("c", T.BOOL, []), ("x", T.FLOAT, [2, 3])], T.FLOAT, opset=16)
    return m, {"c": np.array(False), "x": RNG.standard_normal((2, 3)).astype(np.float32)}


def if_lengths_differ(take_then):
    # A computed condition whose branches give different lengths (the
    # "no boxes: return an empty tensor" pattern of detection models): the
    # first rows of x whose sum is positive, or an empty [0, 3].
    then_branch = h.make_graph(
        [h.make_node("ReduceSum", ["x", "one"], ["s"], keepdims=0),
         h.make_node("Greater", ["s", "zero"], ["keep"]),
         h.make_node("Compress", ["x", "keep"], ["t"], axis=0)], "then", [],
        [h.make_tensor_value_info("t", T.FLOAT, None)],
        [nh.from_array(np.array([1], np.int64), "one"), nh.from_array(np.array(0, np.float32), "zero")])
    else_branch = h.make_graph([h.make_node("ConstantOfShape", ["empty_shape"], ["e"],
                                            value=h.make_tensor("v", T.FLOAT, [1], [0.0]))], "else", [],
                               [h.make_tensor_value_info("e", T.FLOAT, [0, 3])],
                               [nh.from_array(np.array([0, 3], np.int64), "empty_shape")])
    node = h.make_node("If", ["c"], ["y"], then_branch=then_branch, else_branch=else_branch)
    m = model(node, [("c", T.BOOL, []), ("x", T.FLOAT, [6, 3])], T.FLOAT, opset=16)
    return m, {"c": np.array(take_then), "x": RNG.standard_normal((6, 3)).astype(np.float32)}


def loop_constant_trips():
    # Four iterations; each adds the iteration number to y and emits y.
    body = h.make_graph(
        [h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("Cast", ["i"], ["i_f"], to=T.FLOAT),
         h.make_node("Add", ["y_in", "i_f"], ["y_out"]), h.make_node("Identity", ["y_out"], ["scan"])], "body",
        [h.make_tensor_value_info("i", T.INT64, []), h.make_tensor_value_info("c_in", T.BOOL, []),
         h.make_tensor_value_info("y_in", T.FLOAT, [2])],
        [h.make_tensor_value_info("c_out", T.BOOL, []), h.make_tensor_value_info("y_out", T.FLOAT, [2]),
         h.make_tensor_value_info("scan", T.FLOAT, [2])])
    node = h.make_node("Loop", ["m", "c", "y0"], ["y_last", "y"], body=body)
    inits = [nh.from_array(np.array(4, np.int64), "m"), nh.from_array(np.array(True), "c")]
    graph = h.make_graph([node], "case", [h.make_tensor_value_info("y0", T.FLOAT, [2])],
                         [h.make_tensor_value_info("y", T.FLOAT, None)], inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    return m, {"y0": RNG.standard_normal(2).astype(np.float32)}


def loop_runtime_trips(trips, cond=True):
    """Loop whose trip count is an input (a real loop, not unrolled): each
    iteration multiplies the carried [2, 3] state by a constant matrix, adds
    the iteration number, and emits the new state's row sums as a scan
    output; `cond` False at the start runs no iteration."""
    body = h.make_graph(
        [h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("Cast", ["i"], ["i_f"], to=T.FLOAT),
         h.make_node("MatMul", ["y_in", "w"], ["p"]), h.make_node("Add", ["p", "i_f"], ["y_out"]),
         h.make_node("ReduceSum", ["y_out", "one"], ["scan"], keepdims=0)], "body",
        [h.make_tensor_value_info("i", T.INT64, []), h.make_tensor_value_info("c_in", T.BOOL, []),
         h.make_tensor_value_info("y_in", T.FLOAT, [2, 3])],
        [h.make_tensor_value_info("c_out", T.BOOL, []), h.make_tensor_value_info("y_out", T.FLOAT, [2, 3]),
         h.make_tensor_value_info("scan", T.FLOAT, [2])],
        [nh.from_array((RNG.standard_normal((3, 3)) * 0.5).astype(np.float32), "w"),
         nh.from_array(np.array([1], np.int64), "one")])
    node = h.make_node("Loop", ["m", "c", "y0"], ["y_last", "rows"], body=body)
    graph = h.make_graph([node], "case", [h.make_tensor_value_info("m", T.INT64, []),
                                          h.make_tensor_value_info("c", T.BOOL, []),
                                          h.make_tensor_value_info("y0", T.FLOAT, [2, 3])],
                         [h.make_tensor_value_info("y_last", T.FLOAT, None),
                          h.make_tensor_value_info("rows", T.FLOAT, None)])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    return m, {"m": np.array(trips, np.int64), "c": np.array(cond),
               "y0": RNG.standard_normal((2, 3)).astype(np.float32)}


def loop_runtime_shape_change(trips):
    """A run-time Loop whose carried value changes shape: it starts as a
    [0, 3] tensor and each iteration replaces it with a fresh [1, 3] row
    (x plus the iteration number), so the loop carries [?, 3]; zero trips
    return the empty start."""
    body = h.make_graph(
        [h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("Cast", ["i"], ["i_f"], to=T.FLOAT),
         h.make_node("Add", ["x", "i_f"], ["y_out"])], "body",
        [h.make_tensor_value_info("i", T.INT64, []), h.make_tensor_value_info("c_in", T.BOOL, []),
         h.make_tensor_value_info("y_in", T.FLOAT, None)],
        [h.make_tensor_value_info("c_out", T.BOOL, []), h.make_tensor_value_info("y_out", T.FLOAT, None)])
    node = h.make_node("Loop", ["m", "c", "y0"], ["y_last"], body=body)
    inits = [nh.from_array(np.array(True), "c"), nh.from_array(np.zeros((0, 3), np.float32), "y0")]
    graph = h.make_graph([node], "case", [h.make_tensor_value_info("m", T.INT64, []),
                                          h.make_tensor_value_info("x", T.FLOAT, [1, 3])],
                         [h.make_tensor_value_info("y_last", T.FLOAT, None)], inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    return m, {"m": np.array(trips, np.int64), "x": RNG.standard_normal((1, 3)).astype(np.float32)}


def scan_runtime_length():
    """Scan over a symbolic sequence length (a real loop): a running sum
    state, the first input scanned forwards along axis 1 and the second
    backwards along axis 0, one scan output stacked along axis 1 and one
    stacked in reverse."""
    body = h.make_graph(
        [h.make_node("Add", ["s_in", "a"], ["s_out"]), h.make_node("Mul", ["s_out", "b"], ["u"]),
         h.make_node("Neg", ["s_out"], ["v"])], "body",
        [h.make_tensor_value_info("s_in", T.FLOAT, [4]), h.make_tensor_value_info("a", T.FLOAT, [4]),
         h.make_tensor_value_info("b", T.FLOAT, [4])],
        [h.make_tensor_value_info("s_out", T.FLOAT, [4]), h.make_tensor_value_info("u", T.FLOAT, [4]),
         h.make_tensor_value_info("v", T.FLOAT, [4])])
    node = h.make_node("Scan", ["s0", "xa", "xb"], ["s_last", "us", "vs"], body=body, num_scan_inputs=2,
                       scan_input_axes=[1, 0], scan_input_directions=[0, 1], scan_output_axes=[1, 0],
                       scan_output_directions=[0, 1])
    graph = h.make_graph([node], "case", [h.make_tensor_value_info("s0", T.FLOAT, [4]),
                                          h.make_tensor_value_info("xa", T.FLOAT, [4, "n"]),
                                          h.make_tensor_value_info("xb", T.FLOAT, ["n", 4])],
                         [h.make_tensor_value_info(o, T.FLOAT, None) for o in ("s_last", "us", "vs")])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    return m, {"s0": RNG.standard_normal(4).astype(np.float32), "xa": RNG.standard_normal((4, 7)).astype(np.float32),
               "xb": RNG.standard_normal((7, 4)).astype(np.float32)}


def scan_runtime_row_shape():
    """Scan whose rows have a run-time length too (x [n, m], both symbolic):
    the stacked output is allocated by the first iteration, once the row's
    length is known."""
    body = h.make_graph(
        [h.make_node("Add", ["s_in", "a"], ["s_out"]), h.make_node("Mul", ["s_out", "a"], ["u"])], "body",
        [h.make_tensor_value_info("s_in", T.FLOAT, ["m"]), h.make_tensor_value_info("a", T.FLOAT, ["m"])],
        [h.make_tensor_value_info("s_out", T.FLOAT, ["m"]), h.make_tensor_value_info("u", T.FLOAT, ["m"])])
    node = h.make_node("Scan", ["s0", "x"], ["s_last", "us"], body=body, num_scan_inputs=1)
    graph = h.make_graph([node], "case", [h.make_tensor_value_info("s0", T.FLOAT, ["m"]),
                                          h.make_tensor_value_info("x", T.FLOAT, ["n", "m"])],
                         [h.make_tensor_value_info(o, T.FLOAT, None) for o in ("s_last", "us")])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    return m, {"s0": RNG.standard_normal(5).astype(np.float32), "x": RNG.standard_normal((6, 5)).astype(np.float32)}


def recurrent_runtime(kind):
    """RNNs over a symbolic sequence length and batch (a loop, not an
    unrolled expansion): a bidirectional GRU with linear_before_reset and
    biases, or a forward LSTM with peepholes, initial states and
    sequence_lens that end some sequences early."""
    hidden, inp, seq, batch = 5, 4, 7, 3
    dirs = 2 if kind == "gru" else 1
    gates = 3 if kind == "gru" else 4
    w = lambda *shape: (RNG.standard_normal(shape) * 0.4).astype(np.float32)
    inits = [nh.from_array(w(dirs, gates * hidden, inp), "W"), nh.from_array(w(dirs, gates * hidden, hidden), "R"),
             nh.from_array(w(dirs, 2 * gates * hidden), "B")]
    inputs = [h.make_tensor_value_info("x", T.FLOAT, ["s", "b", inp])]
    feeds = {"x": RNG.standard_normal((seq, batch, inp)).astype(np.float32)}
    if kind == "gru":
        node = h.make_node("GRU", ["x", "W", "R", "B"], ["y", "y_h"], hidden_size=hidden,
                           direction="bidirectional", linear_before_reset=1)
        outputs = ["y", "y_h"]
    else:
        inits.append(nh.from_array(w(dirs, 3 * hidden), "P"))
        inputs += [h.make_tensor_value_info("lens", T.INT32, ["b"]),
                   h.make_tensor_value_info("h0", T.FLOAT, [dirs, "b", hidden]),
                   h.make_tensor_value_info("c0", T.FLOAT, [dirs, "b", hidden])]
        feeds.update(lens=np.array([7, 3, 5], np.int32), h0=w(dirs, batch, hidden), c0=w(dirs, batch, hidden))
        node = h.make_node("LSTM", ["x", "W", "R", "B", "lens", "h0", "c0", "P"], ["y", "y_h", "y_c"],
                           hidden_size=hidden)
        outputs = ["y", "y_h", "y_c"]
    graph = h.make_graph([node], "case", inputs, [h.make_tensor_value_info(o, T.FLOAT, None) for o in outputs],
                         inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 14)])
    m.ir_version = 8
    return m, feeds


def conv_residual(same_input):
    # Relu(Conv(x) + r): the microkernel accumulates into r's buffer; with r
    # the conv's own input, the buffers must not be shared.
    nodes = [h.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
             h.make_node("Add", ["c", "x" if same_input else "r"], ["a"]), h.make_node("Relu", ["a"], ["y"])]
    inits = [nh.from_array(RNG.standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2, "w"),
             nh.from_array(RNG.standard_normal(8).astype(np.float32), "b")]
    inputs = [h.make_tensor_value_info("x", T.FLOAT, [1, 8, 6, 7])]
    feeds = {"x": RNG.standard_normal((1, 8, 6, 7)).astype(np.float32)}
    if not same_input:
        inputs.append(h.make_tensor_value_info("r", T.FLOAT, [1, 8, 6, 7]))
        feeds["r"] = RNG.standard_normal((1, 8, 6, 7)).astype(np.float32)
    graph = h.make_graph(nodes, "case", inputs, [h.make_tensor_value_info("y", T.FLOAT, None)], inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])
    m.ir_version = 8
    return m, feeds


def compress():
    # The condition at run time, the selected count declared (3 of 5 rows).
    node = h.make_node("Compress", ["x", "c"], ["y"], axis=1)
    m = model(node, [("x", T.FLOAT, [2, 5, 3]), ("c", T.BOOL, [5])], T.FLOAT, opset=13, output_shape=[2, 3, 3])
    return m, {"x": RNG.standard_normal((2, 5, 3)).astype(np.float32),
               "c": np.array([True, False, True, False, True])}


def nonzero():
    x = RNG.integers(-1, 2, (3, 4)).astype(np.int32)
    node = h.make_node("NonZero", ["x"], ["y"])
    m = model(node, [("x", T.INT32, [3, 4])], T.INT64, opset=13, output_shape=[2, int((x != 0).sum())])
    return m, {"x": x}


def nonzero_runtime_count(zeros):
    # Neither the count nor the input's dims declared: the result's length
    # is found at run time (zeros: an empty result, shape [3, 0]).
    x = np.zeros((4, 5, 6), np.float32) if zeros else \
        np.where(RNG.random((4, 5, 6)) < 0.3, RNG.standard_normal((4, 5, 6)), 0).astype(np.float32)
    node = h.make_node("NonZero", ["x"], ["y"])
    m = model(node, [("x", T.FLOAT, ["a", "b", "c"])], T.INT64, opset=13, output_shape=[3, "count"])
    return m, {"x": x}


def compress_runtime_count():
    # A condition computed in the graph and no declared result shape: the
    # rows kept are counted at run time, and the result feeds a reduction.
    nodes = [h.make_node("Greater", ["s", "t"], ["c"]), h.make_node("Compress", ["x", "c"], ["y"], axis=0),
             h.make_node("ReduceSum", ["y"], ["z"], axes=[0], keepdims=0)]
    graph = h.make_graph(nodes, "case", [h.make_tensor_value_info("x", T.FLOAT, [300, 4]),
                                         h.make_tensor_value_info("s", T.FLOAT, [300])],
                         [h.make_tensor_value_info("y", T.FLOAT, None), h.make_tensor_value_info("z", T.FLOAT, None)],
                         [nh.from_array(np.array(0.6, np.float32), "t")])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 11)])
    m.ir_version = 8
    return m, {"x": RNG.standard_normal((300, 4)).astype(np.float32),
               "s": RNG.random(300).astype(np.float32)}


def non_max_suppression():
    # 2 batches x 2 classes of 12 random boxes (corner format, some flipped),
    # a score threshold; the model declares the count onnxruntime selects.
    boxes = RNG.uniform(0, 10, (2, 12, 4)).astype(np.float32)
    feeds = {"boxes": boxes, "scores": RNG.uniform(0, 1, (2, 2, 12)).astype(np.float32)}
    inits = [nh.from_array(np.array([5], np.int64), "max"), nh.from_array(np.array([0.3], np.float32), "iou"),
             nh.from_array(np.array([0.2], np.float32), "score")]
    node = h.make_node("NonMaxSuppression", ["boxes", "scores", "max", "iou", "score"], ["y"])
    inputs = [("boxes", T.FLOAT, [2, 12, 4]), ("scores", T.FLOAT, [2, 2, 12])]
    return with_declared_shape(node, inputs, T.INT64, inits, 11, feeds), feeds


def non_max_suppression_runtime(kind):
    """NonMaxSuppression whose count is found at run time (no declared shape),
    on the runtime's kernel: `large` 1000 corner boxes (some flipped) in 2
    batches x 3 classes with a score threshold; `ties` center boxes with
    scores from 5 levels (ties everywhere) and a symbolic box count, no score
    threshold; `empty` every score under the threshold."""
    n, batches, classes = (1000, 2, 3) if kind == "large" else (300, 1, 2)
    lo = RNG.uniform(0, 60, (batches, n, 2))
    boxes = np.concatenate([lo, lo + RNG.uniform(5, 30, (batches, n, 2))], axis=2)
    flip = RNG.random((batches, n)) < 0.3
    boxes[flip] = boxes[flip][:, [2, 3, 0, 1]]
    scores = RNG.random((batches, classes, n))
    inputs = ["boxes", "scores", "max", "iou", "score"]
    # large: a limit above what suppression keeps; ties: one it reaches.
    values = {"max": np.array([500 if kind == "large" else 40], np.int64), "iou": np.array([0.45], np.float32),
              "score": np.array([0.3], np.float32)}
    attrs = {}
    if kind == "ties":
        boxes = np.concatenate([lo + 5, RNG.uniform(5, 30, (batches, n, 2))], axis=2)  # centers, sizes
        scores = np.floor(scores * 5) / 5
        inputs = inputs[:4]
        attrs["center_point_box"] = 1
    if kind == "empty":
        values["score"] = np.array([2.0], np.float32)
    node = h.make_node("NonMaxSuppression", inputs, ["y"], **attrs)
    count = "N" if kind == "ties" else n
    m = model(node, [("boxes", T.FLOAT, [batches, count, 4]), ("scores", T.FLOAT, [batches, classes, count])],
              T.INT64, [nh.from_array(values[k], k) for k in inputs[2:]], opset=11)
    return m, {"boxes": boxes.astype(np.float32), "scores": scores.astype(np.float32)}


def top_k(kind):
    """TopK on the runtime's sort: `large` 37 of 5000 float32 per row (values
    on a coarse grid, so ties everywhere) with symbolic dims; `smallest` int64
    along the outer axis of a [600, 3] input."""
    if kind == "large":
        x = np.round(RNG.standard_normal((3, 5000)) * 8).astype(np.float32)
        node = h.make_node("TopK", ["x", "k"], ["values", "indices"], axis=1)
        inputs = [("x", T.FLOAT, ["rows", "n"])]
        k = 37
    else:
        x = RNG.integers(-50, 50, (600, 3)).astype(np.int64)
        node = h.make_node("TopK", ["x", "k"], ["values", "indices"], axis=0, largest=0)
        inputs = [("x", T.INT64, ["n", 3])]
        k = 250
    m = model(node, inputs, [T.FLOAT if kind == "large" else T.INT64, T.INT64],
              [nh.from_array(np.array([k], np.int64), "k")], opset=11)
    return m, {"x": x}


def cumsum(kind):
    """CumSum on the runtime's one pass: `long` int64 over an axis of 200000
    (reverse, exclusive; exact), `inner` float32 along axis 0 of [50, 4, 7]."""
    if kind == "long":
        x = RNG.integers(-1000, 1000, (3, 200000)).astype(np.int64)
        attrs, axis, et = {"reverse": 1, "exclusive": 1}, 1, T.INT64
    else:
        x = RNG.standard_normal((50, 4, 7)).astype(np.float32)
        attrs, axis, et = {}, 0, T.FLOAT
    node = h.make_node("CumSum", ["x", "axis"], ["y"], **attrs)
    m = model(node, [("x", et, ["a", "b"] if kind == "long" else list(x.shape))], et,
              [nh.from_array(np.array(axis, np.int64), "axis")], opset=14)
    return m, {"x": x}


def scatter_elements(kind):
    """ScatterElements on the runtime's one pass: `add` 300000 float32
    updates (negative indices too) into 100000 elements with symbolic dims;
    `uint8` along axis 0 with updates narrower than the data."""
    if kind == "add":
        data = RNG.standard_normal(100000).astype(np.float32)
        indices = RNG.integers(-100000, 100000, 300000).astype(np.int64)
        updates = RNG.standard_normal(300000).astype(np.float32)
        node = h.make_node("ScatterElements", ["data", "indices", "updates"], ["y"], axis=0, reduction="add")
        inputs = [("data", T.FLOAT, ["n"]), ("indices", T.INT64, ["u"]), ("updates", T.FLOAT, ["u"])]
        et = T.FLOAT
    else:
        data = RNG.integers(0, 255, (6, 5)).astype(np.uint8)
        indices = RNG.permutation(6)[:4].reshape(4, 1).repeat(3, axis=1).astype(np.int64)
        updates = RNG.integers(0, 255, (4, 3)).astype(np.uint8)
        node = h.make_node("ScatterElements", ["data", "indices", "updates"], ["y"], axis=0)
        inputs = [("data", T.UINT8, [6, 5]), ("indices", T.INT64, [4, 3]), ("updates", T.UINT8, [4, 3])]
        et = T.UINT8
    m = model(node, inputs, et, opset=16)
    return m, {"data": data, "indices": indices, "updates": updates}


def scatter_nd_rows(reduction):
    """ScatterND on the runtime's one pass: 20000 index pairs (repeats and
    negative indices) into a [300, 200, 8] float32 tensor with symbolic dims,
    each updating a row of 8."""
    data = RNG.standard_normal((300, 200, 8)).astype(np.float32)
    idx = np.stack([RNG.integers(-300, 300, 20000), RNG.integers(-200, 200, 20000)], axis=1).astype(np.int64)
    updates = RNG.standard_normal((20000, 8)).astype(np.float32)
    attrs = {} if reduction == "none" else {"reduction": reduction}
    node = h.make_node("ScatterND", ["data", "indices", "updates"], ["y"], **attrs)
    inputs = [("data", T.FLOAT, ["a", "b", 8]), ("indices", T.INT64, ["u", 2]), ("updates", T.FLOAT, ["u", 8])]
    m = model(node, inputs, T.FLOAT, opset=16 if reduction == "none" else 18)
    return m, {"data": data, "indices": idx, "updates": updates}


def runtime_batch_head():
    """An R-CNN-style head on a symbolic batch (the proposals): Conv + Relu,
    a depthwise Conv, Conv with a residual Add, then Flatten, Gemm + Relu and
    MatMul + bias Add with constant weights, all on the microkernels with the
    batch read at run time."""
    c = 8
    w = lambda *shape: nh.from_array((RNG.standard_normal(shape) * 0.2).astype(np.float32))
    inits = [w(c, c, 3, 3), w(c), w(c, 1, 3, 3), w(c, c, 3, 3), w(64, c * 7 * 7), w(64), w(64, 16), w(16)]
    for t, name in zip(inits, ["w1", "b1", "wd", "w2", "wg", "bg", "wm", "bm"]):
        t.name = name
    nodes = [h.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]), h.make_node("Relu", ["c1"], ["r1"]),
             h.make_node("Conv", ["r1", "wd"], ["d1"], pads=[1, 1, 1, 1], group=c),
             h.make_node("Conv", ["d1", "w2"], ["c2"], pads=[1, 1, 1, 1]), h.make_node("Add", ["c2", "r1"], ["a2"]),
             h.make_node("Flatten", ["a2"], ["f"]), h.make_node("Gemm", ["f", "wg", "bg"], ["g"], transB=1),
             h.make_node("Relu", ["g"], ["rg"]), h.make_node("MatMul", ["rg", "wm"], ["m"]),
             h.make_node("Add", ["m", "bm"], ["y"])]
    graph = h.make_graph(nodes, "case", [h.make_tensor_value_info("x", T.FLOAT, ["rois", c, 7, 7])],
                         [h.make_tensor_value_info("y", T.FLOAT, None)], inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])
    m.ir_version = 8
    return m, {"x": RNG.standard_normal((37, c, 7, 7)).astype(np.float32)}


def conv_transpose_runtime(kind):
    """ConvTranspose with symbolic spatial dims (the gather lowering): a
    grouped 2-d one with strides 2x3, dilations, pads and output_padding on
    constant weights, or (`shape`) a 1-d one on weights that are an input,
    with an output_shape shorter than the full result cut SAME_LOWER."""
    if kind == "grouped":
        w = nh.from_array((RNG.standard_normal((6, 2, 3, 2)) * 0.5).astype(np.float32), "w")
        b = nh.from_array(RNG.standard_normal(4).astype(np.float32), "b")
        node = h.make_node("ConvTranspose", ["x", "w", "b"], ["y"], group=2, strides=[2, 3], dilations=[2, 1],
                           pads=[1, 0, 2, 1], output_padding=[1, 2])
        m = model(node, [("x", T.FLOAT, ["n", 6, "h", "w"])], T.FLOAT, initializers=[w, b])
        return m, {"x": RNG.standard_normal((2, 6, 7, 5)).astype(np.float32)}
    node = h.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[3], output_shape=[19], auto_pad="SAME_LOWER")
    m = model(node, [("x", T.FLOAT, ["n", 3, "l"]), ("w", T.FLOAT, [3, "f", "k"])], T.FLOAT)
    return m, {"x": RNG.standard_normal((1, 3, 7)).astype(np.float32),
               "w": RNG.standard_normal((3, 2, 4)).astype(np.float32)}


def split_sequence_runtime(kind):
    """SplitToSequence of a dim known only at run time into pieces of 3 (the
    last one shorter) or (`sizes`) by a split input of run-time length, then
    SequenceAt at run-time positions (one negative; with sizes, an empty
    piece) and SequenceLength."""
    split = "three" if kind == "piece" else "sizes"
    nodes = [h.make_node("Constant", [], ["three"], value=nh.from_array(np.array(3, np.int64))),
             h.make_node("SplitToSequence", ["x", split], ["seq"], axis=1),
             h.make_node("SequenceAt", ["seq", "p"], ["first"]),
             h.make_node("SequenceAt", ["seq", "q"], ["last"]),
             h.make_node("SequenceLength", ["seq"], ["count"])]
    graph = h.make_graph(nodes, "case", [h.make_tensor_value_info("x", T.FLOAT, ["a", "b"]),
                                         h.make_tensor_value_info("p", T.INT64, []),
                                         h.make_tensor_value_info("q", T.INT32, [])] +
                         ([h.make_tensor_value_info("sizes", T.INT64, ["n"])] if kind == "sizes" else []),
                         [h.make_tensor_value_info("first", T.FLOAT, None),
                          h.make_tensor_value_info("last", T.FLOAT, None),
                          h.make_tensor_value_info("count", T.INT64, None)])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])
    m.ir_version = 8
    feeds = {"x": RNG.standard_normal((4, 10)).astype(np.float32), "p": np.array(1, np.int64),
             "q": np.array(-1, np.int32)}
    if kind == "sizes":
        feeds.update(sizes=np.array([2, 5, 0, 3], np.int64), q=np.array(-2, np.int32))
    return m, feeds


def nonzero_runtime_count_large():
    # A million elements, a tenth of them nonzero, no declared count: the
    # positions come from a running count and a scatter, both one pass.
    x = np.where(RNG.random((1000, 1000)) < 0.1, 1.0, 0.0).astype(np.float32)
    node = h.make_node("NonZero", ["x"], ["y"])
    m = model(node, [("x", T.FLOAT, ["a", "b"])], T.INT64, opset=13, output_shape=[2, "count"])
    return m, {"x": x}


def unique_runtime(axis, sorted_):
    """Unique whose length is found at run time (symbolic input dims, no
    declared output shapes): elements of a [40, 30] int64 input drawn from 25
    values, or rows along axis 0 of a [50, 3] float32 input of 0/1 entries."""
    if axis is None:
        x = RNG.integers(0, 25, (40, 30)).astype(np.int64)
        et, attrs = T.INT64, {}
    else:
        x = RNG.integers(0, 2, (50, 3)).astype(np.float32)
        et, attrs = T.FLOAT, {"axis": axis}
    node = h.make_node("Unique", ["x"], ["y", "indices", "inverse_indices", "counts"], sorted=sorted_, **attrs)
    m = model(node, [("x", et, ["a", "b"])], [et, T.INT64, T.INT64, T.INT64], opset=11)
    return m, {"x": x}


def with_declared_shape(node, inputs, output_type, inits, opset, feeds):
    """The model of `node` declaring the shape of y that onnxruntime computes
    on `feeds` (for operators whose output length depends on the data)."""
    probe = model(node, inputs, output_type, inits, opset=opset)
    shape = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, feeds)[0].shape
    return model(node, inputs, output_type, inits, opset=opset, output_shape=list(shape))


def unique(sorted_, axis):
    x = RNG.integers(0, 3, (3, 4, 2)).astype(np.float32)
    attrs = {"sorted": sorted_} if axis is None else {"sorted": sorted_, "axis": axis}
    node = h.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"], **attrs)
    types = [T.FLOAT, T.INT64, T.INT64, T.INT64]
    return with_declared_shape(node, [("x", T.FLOAT, [3, 4, 2])], types, [], 11, {"x": x}), {"x": x}


def tfidf(length=10, dims=(3, 10)):
    # Uni-, bi- and trigrams, skips up to 2, TFIDF weights, batched int64 rows
    # (of symbolic dims: rows of 4 are too short for the trigrams' widest skips).
    node = h.make_node("TfIdfVectorizer", ["x"], ["y"], mode="TFIDF", min_gram_length=1, max_gram_length=3,
                       max_skip_count=2, ngram_counts=[0, 3, 7], ngram_indexes=[4, 0, 1, 2, 5, 3],
                       pool_int64s=[1, 2, 3, 1, 2, 2, 3, 1, 2, 3], weights=[0.5, 1, 1.5, 2, 2.5, 3])
    x = RNG.integers(0, 5, (3, length)).astype(np.int64)
    return model(node, [("x", T.INT64, list(dims))], T.FLOAT, opset=9), {"x": x}


def dft_runtime(kind):
    """DFT of symbolic dims (the cos/sin tables computed at run time): a
    one-sided real transform along axis 2 with a dft_length that pads the
    signal, or the inverse one-sided (irfft) of complex input along axis 1."""
    if kind == "rfft":
        node = h.make_node("DFT", ["x", "n"], ["y"], axis=2, onesided=1)
        n = nh.from_array(np.array(12, np.int64), "n")
        m = model(node, [("x", T.FLOAT, ["b", "r", "l", "c"])], T.FLOAT, [n], opset=17)
        return m, {"x": RNG.standard_normal((2, 3, 9, 1)).astype(np.float32)}
    node = h.make_node("DFT", ["x"], ["y"], axis=1, inverse=1, onesided=1)
    m = model(node, [("x", T.FLOAT, ["b", "l", "c"])], T.FLOAT, opset=17)
    return m, {"x": RNG.standard_normal((2, 7, 2)).astype(np.float32)}


def batchnorm_training():
    # Batch statistics, and the running statistics updated by the momentum.
    inits = [nh.from_array(RNG.standard_normal(c).astype(np.float32), n) for n, c in
             (("s", 3), ("b", 3), ("m", 3))] + [nh.from_array(RNG.uniform(0.5, 2, 3).astype(np.float32), "v")]
    node = h.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"], training_mode=1,
                       momentum=0.8, epsilon=1e-3)
    feeds = {"x": RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 3, 4, 5])], T.FLOAT, inits, opset=15), feeds


def maxpool_indices(storage_order):
    # Pads, strides, ceil_mode; indices over the whole [N, C, H, W] tensor.
    node = h.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1],
                       ceil_mode=1, storage_order=storage_order)
    feeds = {"x": RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 3, 7, 6])], [T.FLOAT, T.INT64], opset=12), feeds


def roi_align(mode):
    # 5 rois over 2 images (some partly outside), scale 0.5, 2x2 samples.
    rois = np.concatenate([RNG.uniform(-4, 20, (5, 2)), RNG.uniform(4, 30, (5, 2))], axis=1).astype(np.float32)
    rois[:, 2:] = np.maximum(rois[:, 2:], rois[:, :2] + 1)
    inits = [nh.from_array(rois, "rois"), nh.from_array(np.array([0, 1, 1, 0, 1], np.int64), "b")]
    node = h.make_node("RoiAlign", ["x", "rois", "b"], ["y"], output_height=3, output_width=4, sampling_ratio=2,
                       spatial_scale=0.5, mode=mode, coordinate_transformation_mode="half_pixel")
    feeds = {"x": RNG.standard_normal((2, 3, 12, 14)).astype(np.float32)}
    return model(node, [("x", T.FLOAT, [2, 3, 12, 14])], T.FLOAT, inits, opset=16), feeds


def _minifloat_values(to):
    """Every finite value of float8 type `to`, sorted (the conformance runner's decoder)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
    from run_conformance import _table  # noqa: E402 - the runner is not a package
    t = _table(to)
    return np.unique(t[np.isfinite(t)])


def cast_float8_all_bit_patterns(to):
    """Cast of every bit pattern of float8 type `to` (an initializer) to float32."""
    pattern = onnx.TensorProto(name="p", data_type=to, dims=[256], raw_data=bytes(range(256)))
    node = h.make_node("Cast", ["p"], ["y"], to=T.FLOAT)
    return model(node, [], T.FLOAT, [pattern], opset=19), {}


def cast_to_float8(to, saturate):
    """float32 -> float8 `to` -> float32: every value of the format, the ties
    between neighbours and the floats either side of each tie, random values
    over the whole range, subnormals, infinities and NaN; saturating casts
    also overflow. Without saturation, magnitudes past the largest value are
    left to the ONNX test data: there onnxruntime 1.32 departs from the ONNX
    spec (it truncates 464..496 to 448 in E4M3FN and makes E5M2 overflow NaN,
    where round-to-nearest-even gives NaN and infinity)."""
    v = _minifloat_values(to)
    mid = (v[:-1] + v[1:]) / 2
    big = float(v[-1])
    span = 1.2 * big if saturate else big
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30]
    if saturate:
        special += [1e30, -1e30, big * 1.01, big * 1.1]
    x = np.concatenate([v, mid, np.nextafter(mid, np.float32(np.inf)), np.nextafter(mid, np.float32(-np.inf)),
                        RNG.uniform(-span, span, 200), np.exp2(RNG.uniform(-24, 8, 200)), special])
    x = x.astype(np.float32)
    nodes = [h.make_node("Cast", ["x"], ["q"], to=to, saturate=saturate), h.make_node("Cast", ["q"], ["y"], to=T.FLOAT)]
    graph = h.make_graph(nodes, "case", [h.make_tensor_value_info("x", T.FLOAT, [x.size])],
                         [h.make_tensor_value_info("y", T.FLOAT, [x.size])])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 19)])
    m.ir_version = 9
    return m, {"x": x}


def cast_to_int4(to):
    """float32 -> int4/uint4 (rounding half away from zero, wrapping) -> float32."""
    x = np.concatenate([np.arange(-40, 41), np.arange(-40, 41) + 0.5, RNG.uniform(-40, 40, 100)]).astype(np.float32)
    nodes = [h.make_node("Cast", ["x"], ["q"], to=to), h.make_node("Cast", ["q"], ["y"], to=T.FLOAT)]
    graph = h.make_graph(nodes, "case", [h.make_tensor_value_info("x", T.FLOAT, [x.size])],
                         [h.make_tensor_value_info("y", T.FLOAT, [x.size])])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 21)])
    m.ir_version = 10
    return m, {"x": x}


def col2im():
    """Strides, dilations and uneven pads; the shapes as graph inputs."""
    node = h.make_node("Col2Im", ["x", "image", "block"], ["y"], strides=[2, 1], dilations=[1, 2], pads=[1, 0, 0, 1])
    feeds = {"x": RNG.standard_normal((2, 8, 15)).astype(np.float32), "image": np.array([5, 6], np.int64),
             "block": np.array([2, 2], np.int64)}
    inputs = [("x", T.FLOAT, [2, 8, 15]), ("image", T.INT64, [2]), ("block", T.INT64, [2])]
    return model(node, inputs, T.FLOAT, opset=18, output_shape=[2, 2, 5, 6]), feeds


def full_reduction(op):
    """A reduction over every element of a 64 x 1000 tensor (the CUDA target
    folds it on a block of threads, in another order than a loop). The sums
    add small integers, which float32 adds exactly in any order."""
    x = RNG.integers(-8, 9, (64, 1000)).astype(np.float32)
    if op == "ReduceMax":
        x = RNG.standard_normal((64, 1000)).astype(np.float32)
    node = h.make_node(op, ["x"], ["y"], keepdims=0 if op == "ReduceSum" else 1)
    shape = [] if op == "ReduceSum" else [1, 1]
    return model(node, [("x", T.FLOAT, [64, 1000])], T.FLOAT, opset=13, output_shape=shape), {"x": x}


def dot_product():
    """MatMul of two vectors: a scalar, a full reduction; exact integer sums."""
    node = h.make_node("MatMul", ["a", "b"], ["y"])
    feeds = {"a": RNG.integers(-8, 9, 4096).astype(np.float32),
             "b": RNG.integers(-8, 9, 4096).astype(np.float32)}
    return model(node, [("a", T.FLOAT, [4096]), ("b", T.FLOAT, [4096])], T.FLOAT, output_shape=[]), feeds


# TensorProto numbers (the onnx package here may predate the names).
FLOAT8 = {"e4m3fn": 17, "e4m3fnuz": 18, "e5m2": 19, "e5m2fnuz": 20}
UINT4, INT4 = 21, 22

CASES = {
    "qlinearconv_uint8_groups_bias": lambda: qlinear_conv(np.uint8),
    "qlinearconv_int8_groups_bias": lambda: qlinear_conv(np.int8),
    "matmulinteger_uint8_column_zero_points": lambda: matmul_integer(np.uint8),
    "matmulinteger_int8_column_zero_points": lambda: matmul_integer(np.int8),
    "quantizelinear_int8_per_axis": quantize_per_axis,
    "pad_reflect_3d": lambda: pad("reflect"),
    "pad_edge_3d": lambda: pad("edge"),
    "pad_wrap_3d": lambda: pad("wrap"),
    "attention_gqa_causal_past_softcap": attention,
    "groupnormalization_21": group_normalization,
    "lrn_size_5": lrn,
    "gathernd_batch_dims_negative_indices": gather_nd,
    "reversesequence_batch_first": reverse_sequence,
    "dft_real_onesided_padded": lambda: dft(0, 1, 8),
    "dft_complex_inverse_cropped": lambda: dft(1, 0, 5),
    "stft_complex_two_sided_runtime_length": stft_complex_runtime_length,
    "melweightmatrix_16khz": mel_weight_matrix,
    "det_3x3_batched": det,
    "affinegrid_3d_align_corners": affine_grid,
    "maxunpool_2x2_windows": max_unpool,
    "hannwindow_symmetric_runtime_size": hann_window,
    "scan_reverse_axis_1": scan_reverse,
    "if_runtime_condition": if_computed,
    "loop_constant_trip_count": loop_constant_trips,
    "conv_residual_relu": lambda: conv_residual(False),
    "conv_residual_of_its_own_input": lambda: conv_residual(True),
    "conv_gemm_matmul_runtime_batch": runtime_batch_head,
    "compress_runtime_condition": compress,
    "nonzero_int32": nonzero,
    "nonzero_runtime_count": lambda: nonzero_runtime_count(False),
    "nonzero_runtime_count_empty": lambda: nonzero_runtime_count(True),
    "compress_runtime_count": compress_runtime_count,
    "nonzero_runtime_count_1m": nonzero_runtime_count_large,
    "split_to_sequence_runtime_length": lambda: split_sequence_runtime("piece"),
    "split_to_sequence_runtime_sizes": lambda: split_sequence_runtime("sizes"),
    "convtranspose_runtime_dims_grouped_dilated": lambda: conv_transpose_runtime("grouped"),
    "convtranspose_runtime_weights_output_shape": lambda: conv_transpose_runtime("shape"),
    "topk_runtime_k_symbolic_dims_ties": lambda: top_k("large"),
    "topk_smallest_int64_outer_axis": lambda: top_k("smallest"),
    "cumsum_int64_200000_reverse_exclusive": lambda: cumsum("long"),
    "cumsum_float_outer_axis": lambda: cumsum("inner"),
    "scatterelements_add_300000_updates": lambda: scatter_elements("add"),
    "scatterelements_uint8_narrow_updates": lambda: scatter_elements("uint8"),
    "scatternd_20000_rows_add": lambda: scatter_nd_rows("add"),
    "scatternd_20000_rows_max": lambda: scatter_nd_rows("max"),
    "loop_runtime_trip_count": lambda: loop_runtime_trips(6),
    "loop_runtime_trip_count_zero": lambda: loop_runtime_trips(0),
    "loop_runtime_condition_false": lambda: loop_runtime_trips(5, False),
    "scan_runtime_length_axes_directions": scan_runtime_length,
    "scan_runtime_row_shape": scan_runtime_row_shape,
    "gru_runtime_sequence_bidirectional": lambda: recurrent_runtime("gru"),
    "lstm_runtime_sequence_lens_peepholes": lambda: recurrent_runtime("lstm"),
    "loop_runtime_carried_shape_changes": lambda: loop_runtime_shape_change(3),
    "loop_runtime_carried_shape_changes_zero_trips": lambda: loop_runtime_shape_change(0),
    "if_lengths_differ_then": lambda: if_lengths_differ(True),
    "if_lengths_differ_else": lambda: if_lengths_differ(False),
    "non_max_suppression_runtime_large": lambda: non_max_suppression_runtime("large"),
    "non_max_suppression_runtime_ties_center": lambda: non_max_suppression_runtime("ties"),
    "non_max_suppression_runtime_empty": lambda: non_max_suppression_runtime("empty"),
    "nonmaxsuppression_2x2x12": non_max_suppression,
    "unique_sorted_axis_1": lambda: unique(1, 1),
    "unique_unsorted_flat": lambda: unique(0, None),
    "unique_runtime_length_sorted_flat": lambda: unique_runtime(None, 1),
    "unique_runtime_length_unsorted_rows": lambda: unique_runtime(0, 0),
    "tfidf_trigrams_skips_weights": tfidf,
    "tfidf_symbolic_dims_short_rows": lambda: tfidf(4, ("n", "c")),
    "dft_runtime_rfft_padded_length": lambda: dft_runtime("rfft"),
    "dft_runtime_irfft": lambda: dft_runtime("irfft"),
    "batchnorm_training_mode": batchnorm_training,
    "maxpool_indices_row_major": lambda: maxpool_indices(0),
    "maxpool_indices_column_major": lambda: maxpool_indices(1),
    "roialign_avg_half_pixel": lambda: roi_align("avg"),
    **{f"cast_float8{k}_all_bit_patterns": (lambda t=t: cast_float8_all_bit_patterns(t)) for k, t in FLOAT8.items()},
    **{f"cast_float_to_float8{k}{'' if s else '_no_saturate'}": (lambda t=t, s=s: cast_to_float8(t, s))
       for k, t in FLOAT8.items() for s in (1, 0)},
    "col2im_strided_dilated_padded": col2im,
    "cast_float_to_int4_wrapping": lambda: cast_to_int4(INT4),
    "cast_float_to_uint4_wrapping": lambda: cast_to_int4(UINT4),
    "reducesum_all_64000": lambda: full_reduction("ReduceSum"),
    "reducemax_all_64000_keepdims": lambda: full_reduction("ReduceMax"),
    "reducemean_all_64000_keepdims": lambda: full_reduction("ReduceMean"),
    "matmul_dot_product_4096": dot_product,
}


def check(name, mlc, work, mlc_args=()):
    m, feeds = CASES[name]()
    path = os.path.join(work, name + ".onnx")
    onnx.save(m, path)
    args = [mlc, "run", path, "--output-dir", os.path.join(work, name), *mlc_args]
    for k, v in feeds.items():
        np.save(os.path.join(work, f"{name}_{k}.npy"), v)
        args += ["--input", f"{k}={os.path.join(work, f'{name}_{k}.npy')}"]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        return f"mlc run failed: {r.stderr.strip()[-300:]}"
    try:
        refs = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)
    except Exception as e:  # noqa: BLE001 - report any reference failure as the case's failure
        return f"onnxruntime failed: {str(e)[-300:]}"
    for out, ref in zip(m.graph.output, refs):
        ours = np.load(os.path.join(work, name, out.name + ".npy"))
        if ours.shape != ref.shape or ours.dtype != ref.dtype:
            return f"{out.name}: got {ours.dtype}{list(ours.shape)}, onnxruntime {ref.dtype}{list(ref.shape)}"
        if np.issubdtype(ref.dtype, np.integer) or ref.dtype == np.bool_:
            bad = int((ours != ref).sum())
            if bad:
                return f"{out.name}: {bad}/{ref.size} elements differ (exact compare)"
        elif not np.allclose(ours, ref, rtol=1e-5, atol=1e-5, equal_nan=True):
            return f"{out.name}: max abs err {np.abs(ours - ref).max():.3g}"
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mlc", required=True)
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--mlc-arg", action="append", default=[],
                   help="extra argument for mlc run (repeatable), e.g. --mlc-arg=--target=cuda")
    args = p.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="mlc-op-configs-") as work:
        for name in args.cases.split(","):
            why = check(name, args.mlc, work, args.mlc_arg)
            print(f"{'FAIL' if why else 'PASS'} {name}" + (f": {why}" if why else ""), flush=True)
            failed += why is not None
    print(f"{len(args.cases.split(',')) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

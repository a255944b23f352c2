#!/usr/bin/env python3
"""Export the benchmark / end-to-end test models to ONNX.

All models use random weights (torch.manual_seed(0) before each model is
built; norm scales/shifts, zero biases and ConvNeXt layer scales are then
randomised, and for the image models BatchNorm running statistics are
recomputed from one random batch and the classifier head is scaled to unit-std
logits, so every parameter matters and activations stay O(1) -- see
randomize_affine / calibrate_batchnorm / normalize_head), eval mode,
opset 17, do_constant_folding=True, batch 1 and static shapes.  Image models
take one input named `input` ([1,3,224,224] float32); `bert_encoder` takes
`input_ids` ([1,seq] int64).  Every model has a single output named `output`.

The detection models (torchvision.models.detection) take one image `input`
([3,320,320] float32; the models resize it to their own minimum size) and
give `boxes` [N,4], `labels` [N] and `scores` [N] (Mask R-CNN adds `masks`,
Keypoint R-CNN `keypoints` and `keypoints_scores`), N known only when they
run.  Their backbones' BatchNorm statistics are recomputed from a random
batch as above, so that random weights still give detections above the
models' own score thresholds (RetinaNet and FCOS get lower ones, see
DETECTION_MODELS).

Usage:
    python scripts/export_models.py OUT_DIR [--models resnet18,bert_encoder]
        [--force] [--bert-layers 2] [--bert-seq 128]

Existing `<name>.onnx` files are skipped unless --force is given.
"""

import argparse
import math
import os
import sys
import time

import onnx
import torch
import torch.nn as nn
import torchvision

OPSET = 17

# name -> (builder, input shape). Builders take the parsed args.
IMAGE_MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), (1, 3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(weights=None),
                           (1, 3, 224, 224)),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(weights=None), (1, 3, 224, 224)),
    "squeezenet1_0": (lambda: torchvision.models.squeezenet1_0(weights=None), (1, 3, 224, 224)),
    "densenet121": (lambda: torchvision.models.densenet121(weights=None), (1, 3, 224, 224)),
    "googlenet": (lambda: torchvision.models.googlenet(weights=None, aux_logits=False,
                                                        init_weights=True,
                                                        transform_input=False),
                  (1, 3, 224, 224)),
    "convnext_tiny": (lambda: torchvision.models.convnext_tiny(weights=None), (1, 3, 224, 224)),
    "vit_b_16": (lambda: torchvision.models.vit_b_16(weights=None), (1, 3, 224, 224)),
    # One of each further classification family of torchvision 0.14 (not in
    # the default e2e run: test/e2e/run_e2e.py --models ... checks them).
    "alexnet": (lambda: torchvision.models.alexnet(weights=None), (1, 3, 224, 224)),
    "vgg11_bn": (lambda: torchvision.models.vgg11_bn(weights=None), (1, 3, 224, 224)),
    "resnext50_32x4d": (lambda: torchvision.models.resnext50_32x4d(weights=None), (1, 3, 224, 224)),
    "wide_resnet50_2": (lambda: torchvision.models.wide_resnet50_2(weights=None), (1, 3, 224, 224)),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(weights=None), (1, 3, 224, 224)),
    "mnasnet1_0": (lambda: torchvision.models.mnasnet1_0(weights=None), (1, 3, 224, 224)),
    "mobilenet_v3_large": (lambda: torchvision.models.mobilenet_v3_large(weights=None), (1, 3, 224, 224)),
    "regnet_y_400mf": (lambda: torchvision.models.regnet_y_400mf(weights=None), (1, 3, 224, 224)),
    "inception_v3": (lambda: torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True,
                                                             transform_input=False), (1, 3, 299, 299)),
    "efficientnet_v2_s": (lambda: torchvision.models.efficientnet_v2_s(weights=None), (1, 3, 224, 224)),
    "swin_t": (lambda: torchvision.models.swin_t(weights=None), (1, 3, 224, 224)),
}

# name -> keyword arguments of the torchvision.models.detection builder
# (their own score thresholds except where noted; the ResNet ones at 320
# pixels, as the MobileNet 320 model is).
DETECTION_MODELS = {
    "fasterrcnn_mobilenet_v3_large_320_fpn": dict(),
    "fasterrcnn_mobilenet_v3_large_fpn": dict(min_size=320, max_size=320),
    "fasterrcnn_resnet50_fpn": dict(min_size=320, max_size=320),
    "fasterrcnn_resnet50_fpn_v2": dict(min_size=320, max_size=320),
    # RetinaNet's and FCOS's class heads start at a prior of 0.01, so random
    # weights score about 0.015 (RetinaNet) and 0.13 (FCOS), under their
    # thresholds of 0.05 and 0.2: thresholds in the middle of those scores.
    "retinanet_resnet50_fpn": dict(min_size=320, max_size=320, score_thresh=0.015),
    "retinanet_resnet50_fpn_v2": dict(min_size=320, max_size=320, score_thresh=0.015),
    "fcos_resnet50_fpn": dict(min_size=320, max_size=320, score_thresh=0.13),
    "ssd300_vgg16": dict(),
    "ssdlite320_mobilenet_v3_large": dict(),
    "maskrcnn_resnet50_fpn": dict(min_size=320, max_size=320),
    "maskrcnn_resnet50_fpn_v2": dict(min_size=320, max_size=320),
    "keypointrcnn_resnet50_fpn": dict(min_size=320, max_size=320),
}
DETECTION_IMAGE = (3, 320, 320)

ALL_MODELS = list(IMAGE_MODELS) + ["bert_encoder"] + list(DETECTION_MODELS)

BERT_VOCAB = 30522
BERT_HIDDEN = 768
BERT_HEADS = 12
BERT_FFN = 3072


class SelfAttention(nn.Module):
    """Multi-head self-attention written out with Linear/matmul/softmax."""

    def __init__(self, hidden, heads, seq):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.hidden = hidden
        self.seq = seq  # static shapes: keep reshape targets constant
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, hidden)
        self.scale = 1.0 / math.sqrt(self.head_dim)

    def _split(self, x):  # [1, S, H] -> [1, heads, S, head_dim]
        return x.reshape(1, self.seq, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x):
        q = self._split(self.q(x))
        k = self._split(self.k(x))
        v = self._split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v)  # [1, heads, S, head_dim]
        ctx = ctx.transpose(1, 2).reshape(1, self.seq, self.hidden)
        return self.out(ctx)


class EncoderLayer(nn.Module):
    """Post-LayerNorm transformer encoder layer (original BERT layout)."""

    def __init__(self, hidden, heads, ffn, seq):
        super().__init__()
        self.attn = SelfAttention(hidden, heads, seq)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
        self.fc1 = nn.Linear(hidden, ffn)
        self.act = nn.GELU()  # approximate='none' -> erf form
        self.fc2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        x = self.ln1(x + self.attn(x))
        x = self.ln2(x + self.fc2(self.act(self.fc1(x))))
        return x


class BertEncoder(nn.Module):
    def __init__(self, layers, seq, vocab=BERT_VOCAB, hidden=BERT_HIDDEN, heads=BERT_HEADS,
                 ffn=BERT_FFN):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(seq, hidden)
        self.register_buffer("positions", torch.arange(seq, dtype=torch.int64).unsqueeze(0),
                             persistent=False)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(EncoderLayer(hidden, heads, ffn, seq) for _ in range(layers))
        # BERT-style init: N(0, 0.02) for embeddings and linear weights keeps
        # activations in a realistic range.
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, input_ids):
        x = self.tok(input_ids) + self.pos(self.positions)
        x = self.ln(x)
        for layer in self.layers:
            x = layer(x)
        return x


def randomize_affine(model):
    """Make parameters that default to trivial constants random.

    Default init leaves norm scales at 1, shifts and most biases at 0 and
    ConvNeXt's layer_scale at 1e-6 (which hides every block's contribution);
    those would mask compiler bugs in how they are applied. Called after
    torch.manual_seed(0) and model construction, so it is deterministic.
    """
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm)) and \
                    getattr(m, "weight", None) is not None:
                m.weight.uniform_(0.8, 1.2)
                m.bias.uniform_(-0.1, 0.1)
            elif isinstance(m, (nn.Linear, nn.Conv2d)) and m.bias is not None and \
                    not m.bias.any():
                m.bias.normal_(0.0, 0.02)
        for pname, prm in model.named_parameters():
            if pname.endswith("layer_scale"):
                prm.uniform_(0.5, 1.0)


def calibrate_batchnorm(model, shape, batch=8):
    """Set BatchNorm running stats from a random batch.

    With random weights and the default running stats (mean 0, var 1) the
    activations of e.g. mobilenet/efficientnet decay to ~1e-9 by the output,
    which would make any numerical comparison pass trivially. Recomputing the
    statistics from the network's own activations keeps every layer O(1).
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = 1.0  # running stats := statistics of this one batch
    gen = torch.Generator().manual_seed(1)
    model.train()
    with torch.no_grad():
        model(torch.randn(batch, *shape[1:], generator=gen))
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.eval()


def normalize_head(model, shape, batch=8):
    """Scale the classifier layer so the logits have unit standard deviation.

    Random-init classifier heads (std 0.01) give logits of ~1e-2, where the
    absolute tolerance of the e2e comparison would dominate; O(1) logits keep
    the relative tolerance meaningful.
    """
    # The last Linear, or the final 1x1 conv for squeezenet (Conv-ReLU-AvgPool
    # head: positively homogeneous, so scaling weight and bias scales the output).
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)] or \
        [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not linears:
        return
    head = linears[-1]
    model.eval()
    gen = torch.Generator().manual_seed(2)
    with torch.no_grad():
        std = model(torch.randn(batch, *shape[1:], generator=gen)).std().item()
        if std > 0:
            head.weight.mul_(1.0 / std)
            if head.bias is not None:
                head.bias.mul_(1.0 / std)


def detection_outputs(model):
    """The outputs' names: the keys of the model's result dict, in the order
    the export flattens them (R-CNNs: boxes, labels, scores, then masks or
    keypoints; RetinaNet, FCOS, SSD: boxes, scores, labels)."""
    with torch.no_grad():
        return list(model([torch.rand(*DETECTION_IMAGE)])[0].keys())


def build_detection(name):
    """A detection model with random weights and its backbone's BatchNorm
    statistics taken from a random batch (the defaults, mean 0 and variance
    1, let the features decay to ~1e-8, where every score ties)."""
    torch.manual_seed(0)
    model = getattr(torchvision.models.detection, name)(weights=None, weights_backbone=None,
                                                        **DETECTION_MODELS[name])
    bns = [m for m in model.backbone.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = 1.0
    model.backbone.train()
    with torch.no_grad():
        model.backbone(torch.randn(4, *DETECTION_IMAGE, generator=torch.Generator().manual_seed(1)))
    model.eval()
    return model


def build(name, args):
    """Return (model, example input, input name)."""
    torch.manual_seed(0)
    if name == "bert_encoder":
        model = BertEncoder(args.bert_layers, args.bert_seq)
        randomize_affine(model)
        example = torch.randint(0, BERT_VOCAB, (1, args.bert_seq), dtype=torch.int64)
        return model, example, "input_ids"
    builder, shape = IMAGE_MODELS[name]
    model = builder()
    if name == "vit_b_16":
        # torchvision zero-initialises the classification head, which would make
        # the output identically 0 and the numerical comparison meaningless.
        nn.init.normal_(model.heads.head.weight, std=0.02)
        nn.init.normal_(model.heads.head.bias, std=0.02)
    randomize_affine(model)
    calibrate_batchnorm(model, shape)
    normalize_head(model, shape)
    return model, torch.randn(*shape), "input"


def export(name, path, args):
    if name in DETECTION_MODELS:
        model = build_detection(name)
        torch.onnx.export(model, ([torch.rand(*DETECTION_IMAGE)],), path, export_params=True,
                          opset_version=OPSET, do_constant_folding=True, input_names=["input"],
                          output_names=detection_outputs(model), dynamic_axes=None)
        onnx.checker.check_model(path)
        return
    model, example, input_name = build(name, args)
    model.eval()
    # Deliberately NOT under torch.no_grad(): with grad disabled,
    # nn.MultiheadAttention (vit_b_16) takes its fused fast path
    # (aten::_native_multi_head_attention), which has no ONNX export.
    torch.onnx.export(
        model,
        (example,),
        path,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=[input_name],
        output_names=["output"],
        dynamic_axes=None,
    )
    # Path-based check also works for models with external data.
    onnx.checker.check_model(path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", help="directory to write <name>.onnx into")
    p.add_argument("--models", default=",".join(ALL_MODELS),
                   help="comma-separated subset of: " + ",".join(ALL_MODELS))
    p.add_argument("--force", action="store_true", help="re-export existing files")
    p.add_argument("--bert-layers", type=int, default=2,
                   help="encoder layers in bert_encoder (default 2; benchmark uses 12)")
    p.add_argument("--bert-seq", type=int, default=128, help="bert_encoder sequence length")
    args = p.parse_args(argv)

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_MODELS]
    if unknown:
        p.error("unknown model(s): %s (known: %s)" % (",".join(unknown), ",".join(ALL_MODELS)))

    os.makedirs(args.out_dir, exist_ok=True)
    failed = 0
    for name in names:
        path = os.path.join(args.out_dir, name + ".onnx")
        if os.path.exists(path) and not args.force:
            print("%-20s skipped (exists, %.1f MB)" % (name, os.path.getsize(path) / 1e6),
                  flush=True)
            continue
        t0 = time.time()
        try:
            export(name, path, args)
        except Exception as e:  # keep going with the other models
            failed += 1
            print("%-20s FAILED: %s" % (name, str(e).splitlines()[0] if str(e) else repr(e)),
                  flush=True)
            if os.path.exists(path):
                os.remove(path)
            continue
        print("%-20s %8.1f MB  %6.1fs" % (name, os.path.getsize(path) / 1e6, time.time() - t0),
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

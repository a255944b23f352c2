#!/usr/bin/env python3
"""Regenerate examples/model/tiny_cnn.onnx (a small CNN with fixed random weights).

Usage: python examples/model/make_example.py [-o examples/model/tiny_cnn.onnx]

Exported at opset 17 in eval mode with do_constant_folding=False so that
BatchNormalization stays in the graph (the compiler folds it itself).
"""

import argparse
import os

import onnx
import torch
import torch.nn as nn


class TinyCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.shortcut = nn.Conv2d(8, 16, 1, stride=2)  # residual branch
        self.gap = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.fc = nn.Linear(16, num_classes)  # exports as Gemm

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))  # [1,8,32,32]
        x = self.pool(x)  # [1,8,16,16]
        x = torch.relu(self.conv2(x)) + self.shortcut(x)  # [1,16,8,8]
        x = torch.flatten(self.gap(x), 1)  # [1,16]
        return torch.softmax(self.fc(x), dim=1)  # [1,10]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("-o", "--output", default=os.path.join(here, "tiny_cnn.onnx"))
    args = p.parse_args()

    torch.manual_seed(0)
    model = TinyCNN()
    # Non-trivial BatchNorm statistics so that folding it is actually tested.
    with torch.no_grad():
        model.bn1.running_mean.uniform_(-0.5, 0.5)
        model.bn1.running_var.uniform_(0.5, 2.0)
        model.bn1.weight.uniform_(0.5, 1.5)
        model.bn1.bias.uniform_(-0.2, 0.2)
    model.eval()

    example = torch.randn(1, 3, 32, 32)
    torch.onnx.export(model, (example,), args.output, export_params=True, opset_version=17,
                      do_constant_folding=False, input_names=["input"],
                      output_names=["output"],
                      # PRESERVE (model is in eval mode) skips the exporter's eval-mode
                      # Conv+BatchNorm fusion peephole, keeping BatchNormalization.
                      training=torch.onnx.TrainingMode.PRESERVE)
    m = onnx.load(args.output)
    onnx.checker.check_model(m)
    print("wrote %s (%d bytes): %s" % (args.output, os.path.getsize(args.output),
                                       ", ".join(n.op_type for n in m.graph.node)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Rebuilds the training code's PyTorch model (scoring/training/train.py: RiskModel inside ProbabilityModel) from a
shipped model folder, with the weights of its model.onnx, for the PyTorch eager side of the scorer benchmark.

The training run keeps no checkpoint beside the ONNX file, so the weights are read back from the graph: initializers
that keep their parameter names are copied as they are; the weights of nn.Linear layers applied to [B, L, d] inputs
were exported as constant MatMul operands (named onnx::MatMul_N, transposed), and each is matched to its layer by the
bias initializer of the Add that consumes the MatMul's output (<layer>.bias). The rebuilt model must reproduce the
folder's validation/expected.npy (ONNX Runtime's outputs) within --tolerance, otherwise nothing is written.

usage: onnx_to_torch.py MODEL_DIR OUT.pt [--tolerance 1e-5]
Writes {"config": RiskModel keyword arguments, "state": state_dict of ProbabilityModel, "model": name and sha256}.
Needs torch, numpy and onnx (Debian: python3-torch python3-onnx).
"""
import argparse
import hashlib
import importlib.util
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.join(HERE, "..", "training", "train.py")


def load_train_module(path=TRAIN):
    spec = importlib.util.spec_from_file_location("riskstream_train", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def model_config(card):
    h = card["hyperparameters"]
    return {"vocab_size": int(card["vocab_size"]), "outcomes": len(card["outcomes"]), "d_model": int(h["d_model"]),
            "layers": int(h["layers"]), "heads": int(h["heads"]), "ff_dim": int(h["ff_dim"]), "dropout": 0.0}


def onnx_state(graph):
    """state_dict entries of the wrapped RiskModel (keys 'model.<parameter>') read from the ONNX graph."""
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = {name: array for name, array in init.items() if name.startswith("model.")}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    for node in graph.node:
        if node.op_type != "MatMul" or len(node.input) != 2 or node.input[1] not in init \
                or node.input[1].startswith("model."):
            continue
        biases = [i for c in consumers.get(node.output[0], []) if c.op_type == "Add"
                  for i in c.input if i.startswith("model.") and i.endswith(".bias")]
        if len(biases) != 1:
            raise SystemExit(f"cannot tell which layer the constant MatMul operand {node.input[1]} belongs to")
        weight = biases[0][: -len(".bias")] + ".weight"
        if weight in state:
            raise SystemExit(f"two MatMul operands map to {weight}")
        state[weight] = init[node.input[1]].T.copy()
    return state


def rebuild(model_dir, tolerance):
    card = json.load(open(os.path.join(model_dir, "model-card.json")))
    onnx_path = os.path.join(model_dir, "model.onnx")
    sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    train = load_train_module()
    config = model_config(card)
    model = train.ProbabilityModel(train.RiskModel(**config)).eval()
    state = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in onnx_state(onnx.load(onnx_path).graph).items()}
    expected_keys = set(model.state_dict().keys())
    missing, unexpected = expected_keys - set(state), set(state) - expected_keys
    if missing or unexpected:
        raise SystemExit(f"weights do not match the training code's model: missing {sorted(missing)}, "
                         f"unexpected {sorted(unexpected)}")
    model.load_state_dict(state, strict=True)
    v = os.path.join(model_dir, "validation")
    tokens, ages, recency = (torch.from_numpy(np.load(os.path.join(v, f + ".npy"))) for f in ("tokens", "ages", "recency"))
    expected = np.load(os.path.join(v, "expected.npy"))
    with torch.inference_mode():
        got = model(tokens, ages, recency).numpy()
    diff = float(np.max(np.abs(got - expected)))
    if not diff <= tolerance:
        raise SystemExit(f"rebuilt model differs from ONNX Runtime's expected outputs by {diff:.3g} > {tolerance:g}")
    return model, config, sha, diff, len(expected)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir")
    p.add_argument("out")
    p.add_argument("--tolerance", type=float, default=1e-5)
    a = p.parse_args()
    torch.set_num_threads(min(4, os.cpu_count() or 1))
    model, config, sha, diff, n = rebuild(a.model_dir, a.tolerance)
    name = os.path.basename(os.path.normpath(a.model_dir))
    torch.save({"config": config, "state": model.state_dict(), "model": {"name": name, "sha256": sha}}, a.out)
    print(f"{name}: rebuilt from model.onnx ({sha[:12]}), max |PyTorch - ONNX Runtime| = {diff:.2e} on {n} "
          f"validation samples; wrote {a.out}")


if __name__ == "__main__":
    sys.exit(main())

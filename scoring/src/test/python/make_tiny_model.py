"""Builds the tiny test-only model bundle under scoring/src/test/resources/models/test-tiny/.

A 2-layer, d=32 transformer encoder with random (seeded) weights and the real model contract (inputs `tokens`
int64 [batch, length] with 0 = padding, `ages` and `recency` float32 [batch, length]; output `risk` float32
[batch, outcomes]), plus its encoder spec, model card, sha256 and a validation set whose `expected` holds
PyTorch's probabilities. It only exercises the ONNX Runtime scorer, the batcher and the bundle loader in tests.

Run from the repository root:  /usr/bin/python3 scoring/src/test/python/make_tiny_model.py
"""
import hashlib
import json
import math
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "models", "test-tiny")
VOCAB, D, HEADS, LAYERS, OUTCOMES, MAX_LEN = 64, 32, 2, 2, 3, 64


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.ff = nn.Sequential(nn.Linear(D, 2 * D), nn.GELU(), nn.Linear(2 * D, D))

    def forward(self, x, bias):
        b, l, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(b, l, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // HEADS) + bias, dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, l, D))
        return x + self.ff(self.ln2(x))


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D, padding_idx=0)
        self.feat = nn.Linear(2, D)
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.head = nn.Linear(D, OUTCOMES)

    def forward(self, tokens, ages, recency):
        mask = (tokens != 0).float()
        x = self.emb(tokens) + self.feat(torch.stack([ages, recency], dim=-1))
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for block in self.blocks:
            x = block(x, bias)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return torch.sigmoid(self.head(pooled))


def spec():
    bands = [0, 18, 30, 40, 50, 60, 70, 80, 90]
    tokens = ["[PAD]", "[OOV]"] + ["sex:" + s for s in ("male", "female", "other", "unknown")]
    tokens += ["age:%d-%d" % (lo, hi - 1) for lo, hi in zip(bands, bands[1:])] + ["age:90+"]
    tokens += ["diagnosis:SNOMED-CT:%d" % i for i in range(VOCAB - len(tokens))]
    return {
        "formatVersion": 1, "vocabulary": {t: i for i, t in enumerate(tokens)}, "minCount": 1, "binCount": 5,
        "binEdges": {}, "maxLength": MAX_LEN, "ageBands": bands, "ageScale": 100.0,
        "recency": "log1p(days)/recencyScale", "recencyScale": 10.0,
        "outcomes": [{"name": "a", "snomedCodes": ["1"], "horizonDays": 365},
                     {"name": "b", "snomedCodes": ["2"], "horizonDays": 365},
                     {"name": "c", "snomedCodes": ["3"], "horizonDays": 180}],
    }


def main():
    torch.manual_seed(7)
    model = Tiny().eval()
    os.makedirs(os.path.join(OUT, "validation"), exist_ok=True)
    path = os.path.join(OUT, "model.onnx")
    example = (torch.ones(2, 8, dtype=torch.long), torch.zeros(2, 8), torch.zeros(2, 8))
    torch.onnx.export(model, example, path, input_names=["tokens", "ages", "recency"], output_names=["risk"],
                      dynamic_axes={n: {0: "batch", 1: "length"} for n in ("tokens", "ages", "recency")}
                      | {"risk": {0: "batch"}}, opset_version=17)
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    with open(path + ".sha256", "w") as f:
        f.write(digest + "  model.onnx\n")
    with open(os.path.join(OUT, "encoder-spec.json"), "w") as f:
        json.dump(spec(), f, indent=2)
    with open(os.path.join(OUT, "model-card.json"), "w") as f:
        json.dump({"name": "test-tiny", "version": "0.0.1-test",
                   "population": {"min_age_years": 0,
                                  "description": "test model: every age (the tests score newborns and expect alerts)"},
                   "purpose": "tests only: random weights",
                   "script": "scoring/src/test/python/make_tiny_model.py", "onnxSha256": digest}, f, indent=2)
    rng = np.random.default_rng(11)
    n, length = 16, 40
    tokens = np.zeros((n, length), dtype=np.int64)
    ages = np.zeros((n, length), dtype=np.float32)
    recency = np.zeros((n, length), dtype=np.float32)
    for i in range(n):
        m = int(rng.integers(1, length + 1))
        tokens[i, :m] = rng.integers(1, VOCAB, m)
        ages[i, :m] = rng.uniform(0.18, 0.9, m)
        recency[i, :m] = rng.uniform(0.0, 1.0, m)
    with torch.no_grad():
        expected = model(torch.from_numpy(tokens), torch.from_numpy(ages), torch.from_numpy(recency)).numpy()
    labels = (rng.uniform(size=(n, OUTCOMES)) < 0.3).astype(np.float32)
    for name, array in (("tokens", tokens), ("ages", ages), ("recency", recency), ("labels", labels),
                        ("expected", expected.astype(np.float32))):
        np.save(os.path.join(OUT, "validation", name + ".npy"), array)
    print("wrote", OUT, digest)


if __name__ == "__main__":
    main()

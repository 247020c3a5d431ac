"""Exports a tiny, randomly initialised transformer risk model with the RiskStream model contract, for tests.

Inputs: tokens int64 [batch, length] (0 = padding, right-padded), ages float32 [batch, length],
recency float32 [batch, length]. Output: risk float32 [batch, outcomes] (sigmoid probabilities).
Plain attention ops (no fused kernels) so that the legacy ONNX exporter of PyTorch 1.13+ handles it.

usage: tiny_risk_model.py OUT.onnx [--outcomes K] [--seed S] [--d D --layers N --heads H --vocab V] [--state OUT.pt]
(--state also saves the weights, so that a PyTorch benchmark can run the very same model eagerly)
"""
import argparse

import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.dk = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x, bias):
        b, n, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(b, n, 3, self.heads, self.dk).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / self.dk ** 0.5 + bias, dim=-1)
        x = x + self.out((att @ v).transpose(1, 2).reshape(b, n, d))
        return x + self.ff(self.norm2(x))


class TinyRisk(nn.Module):
    def __init__(self, vocab=512, d=64, heads=4, layers=2, outcomes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, padding_idx=0)
        self.time = nn.Linear(2, d)
        self.layers = nn.ModuleList(Layer(d, heads) for _ in range(layers))
        self.head = nn.Linear(d, outcomes)

    def forward(self, tokens, ages, recency):
        x = self.embed(tokens) + self.time(torch.stack([ages / 100.0, recency], dim=-1))
        keep = (tokens != 0).to(x.dtype)                             # [b, n]; x's dtype, so FP16 eager runs too
        bias = ((1.0 - keep) * -10000.0)[:, None, None, :]           # finite mask: safe in FP16
        for layer in self.layers:
            x = layer(x, bias)
        pooled = (x * keep[..., None]).sum(1) / keep.sum(1, keepdim=True).clamp(min=1.0)
        return torch.sigmoid(self.head(pooled))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--outcomes", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--vocab", type=int, default=512)
    p.add_argument("--state")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    model = TinyRisk(vocab=a.vocab, d=a.d, heads=a.heads, layers=a.layers, outcomes=a.outcomes).eval()
    if a.state:
        torch.save({"config": {"vocab": a.vocab, "d": a.d, "heads": a.heads, "layers": a.layers,
                               "outcomes": a.outcomes}, "state": model.state_dict()}, a.state)
    b, n = 2, 16
    example = (torch.randint(1, a.vocab, (b, n)), torch.rand(b, n) * 90, torch.rand(b, n))
    axes = {0: "batch", 1: "length"}
    kwargs = {}
    if tuple(int(x) for x in torch.__version__.split(".")[:2]) >= (2, 5):
        kwargs["dynamo"] = False  # the legacy TorchScript exporter: same graph on every PyTorch version
    torch.onnx.export(model, example, a.out, input_names=["tokens", "ages", "recency"], output_names=["risk"],
                      dynamic_axes={"tokens": axes, "ages": axes, "recency": axes, "risk": {0: "batch"}},
                      opset_version=17, **kwargs)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Train a RiskStream risk model on a dataset exported by `riskstream dataset export`, export it to ONNX, check
ONNX Runtime against PyTorch, fit the bag-of-codes baseline and write the model card.

    /usr/bin/python3 scoring/training/train.py --data DIR --out DIR --name emr-risk-small [options]

Dataset directory (written by the Java HistoryEncoder, the same code that builds serving inputs):
  tokens.npy int64 [N,L] right-padded (0 = pad, 1 = OOV), ages.npy float32 [N,L], recency.npy float32 [N,L],
  labels.npy float32 [N,K] (1, 0, -1 = masked), split.npy int8 [N] (0 train, 1 val, 2 test),
  patient.npy int32 [N], dataset.json, encoder-spec.json.

Output directory: model.onnx, model.onnx.sha256, encoder-spec.json (copied byte for byte), model-card.json,
model-card.md and validation/ (tokens, ages, recency, labels and expected = ONNX Runtime outputs, 256 test samples).

The ONNX model (opset 17) takes `tokens` int64 [batch, length], `ages` and `recency` float32 [batch, length], both
axes dynamic, and returns `risk` float32 [batch, outcomes] = probabilities. Padding (token 0) never changes a result.

Logs print counts and metrics only, never patient data.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import inspect
import json
import math
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

# Idle OpenMP threads sleep instead of spinning: on a CPU shared with other work, spinning threads made each training
# step several times slower in our measurements. Set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

OPSET = 17
VALIDATION_SAMPLES = 256
MASK_VALUE = -1.0e4  # additive attention mask: exp() underflows to exactly 0 in fp32, and it is finite in fp16
INPUT_NAMES = ("tokens", "ages", "recency")
CALIBRATION_BINS = 10
OUTPUT_NAME = "risk"

# Hyper-parameter presets; every value can be overridden on the command line.
PRESETS = {
    "emr-risk-small": dict(d_model=64, layers=2, heads=4, ff_mult=4, dropout=0.1, epochs=30, patience=4,
                           batch_size=128, lr=1e-3, weight_decay=0.01, max_length_range=(1, 128)),
    "emr-risk-base": dict(d_model=192, layers=4, heads=6, ff_mult=4, dropout=0.1, epochs=40, patience=5,
                          batch_size=128, lr=5e-4, weight_decay=0.01, max_length_range=(256, 512)),
}


def log(msg: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    tokens: np.ndarray    # int64 [N, L]
    ages: np.ndarray      # float32 [N, L]
    recency: np.ndarray   # float32 [N, L]
    labels: np.ndarray    # float32 [N, K]
    split: np.ndarray     # int8 [N]
    patient: np.ndarray   # int32 [N]
    lengths: np.ndarray   # int64 [N], number of non-padding tokens
    meta: dict            # dataset.json
    spec: dict            # encoder-spec.json
    spec_path: str
    outcomes: tuple       # outcome names, in label column order
    vocab_size: int       # embedding rows

    @property
    def max_length(self) -> int:
        return self.tokens.shape[1]

    def indices(self, split: int) -> np.ndarray:
        return np.flatnonzero(self.split == split)


def _load_array(directory: str, name: str, dtype, ndim: int) -> np.ndarray:
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        raise SystemExit(f"dataset error: {path} is missing")
    arr = np.load(path, allow_pickle=False)
    if arr.dtype != np.dtype(dtype) or arr.ndim != ndim:
        raise SystemExit(f"dataset error: {name} has dtype {arr.dtype} and {arr.ndim} dims, expected {np.dtype(dtype)} "
                         f"with {ndim} dims")
    return arr


def outcome_names(spec: dict, meta: dict, k: int) -> tuple:
    for source in (spec.get("outcomes"), meta.get("outcomes")):
        if isinstance(source, list) and len(source) == k:
            return tuple(o["name"] if isinstance(o, dict) else str(o) for o in source)
    raise SystemExit(f"dataset error: neither encoder-spec.json nor dataset.json lists {k} outcomes for the {k} "
                     f"label columns")


def spec_max_length(spec: dict):
    for key in ("maxLength", "max_length"):
        if key in spec:
            return int(spec[key])
    return None


def load_dataset(directory: str) -> Dataset:
    tokens = _load_array(directory, "tokens.npy", np.int64, 2)
    ages = _load_array(directory, "ages.npy", np.float32, 2)
    recency = _load_array(directory, "recency.npy", np.float32, 2)
    labels = _load_array(directory, "labels.npy", np.float32, 2)
    split = _load_array(directory, "split.npy", np.int8, 1)
    patient = _load_array(directory, "patient.npy", np.int32, 1)
    n, length = tokens.shape
    if ages.shape != (n, length) or recency.shape != (n, length):
        raise SystemExit(f"dataset error: ages {ages.shape} and recency {recency.shape} must match tokens {tokens.shape}")
    if labels.shape[0] != n or split.shape[0] != n or patient.shape[0] != n:
        raise SystemExit("dataset error: labels, split and patient must have one row per sample")
    if not np.isin(labels, (-1.0, 0.0, 1.0)).all():
        raise SystemExit("dataset error: labels must be 1, 0 or -1")
    if not np.isin(split, (0, 1, 2)).all():
        raise SystemExit("dataset error: split must be 0, 1 or 2")
    if not (np.isfinite(ages).all() and np.isfinite(recency).all()):
        raise SystemExit("dataset error: ages and recency must be finite")
    if tokens.min() < 0:
        raise SystemExit("dataset error: negative token ids")
    valid = tokens != 0
    lengths = valid.sum(axis=1)
    if (lengths == 0).any():
        raise SystemExit(f"dataset error: {(lengths == 0).sum()} samples have no tokens")
    if not (valid == (np.arange(length)[None, :] < lengths[:, None])).all():
        raise SystemExit("dataset error: tokens must be right-padded (a 0 is followed by a non-zero token)")
    for name in ("dataset.json", "encoder-spec.json"):
        if not os.path.isfile(os.path.join(directory, name)):
            raise SystemExit(f"dataset error: {name} is missing in {directory}")
    with open(os.path.join(directory, "dataset.json"), encoding="utf-8") as f:
        meta = json.load(f)
    spec_path = os.path.join(directory, "encoder-spec.json")
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    recorded = meta.get("specSha256")
    if recorded and recorded != sha256_file(spec_path):
        raise SystemExit("dataset error: encoder-spec.json's sha256 differs from dataset.json's specSha256 (the spec "
                         "was changed after the export)")
    vocabulary = spec.get("vocabulary")
    if not isinstance(vocabulary, dict) or not vocabulary:
        raise SystemExit("dataset error: encoder-spec.json has no vocabulary map")
    vocab_size = max(len(vocabulary), max(int(v) for v in vocabulary.values()) + 1)
    if tokens.max() >= vocab_size:
        raise SystemExit(f"dataset error: token id {tokens.max()} is outside the vocabulary of {vocab_size}")
    spec_len = spec_max_length(spec)
    if spec_len is not None and spec_len != length:
        raise SystemExit(f"dataset error: arrays have length {length} but encoder-spec.json says maxLength {spec_len}")
    for s, name in ((0, "train"), (1, "validation"), (2, "test")):
        if not (split == s).any():
            raise SystemExit(f"dataset error: the {name} split is empty")
    if len(set(patient[split == 0]) & set(patient[split == 2])) or len(set(patient[split == 0]) & set(patient[split == 1])):
        raise SystemExit("dataset error: a patient appears in more than one split")
    outcomes = outcome_names(spec, meta, labels.shape[1])
    return Dataset(tokens, ages, recency, labels, split, patient, lengths.astype(np.int64), meta, spec, spec_path,
                   outcomes, int(vocab_size))


# --------------------------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------------------------

class SelfAttention(nn.Module):
    """Multi-head self-attention written as matmul + additive key mask + softmax, so the ONNX graph is plain
    MatMul/Add/Softmax that TensorRT fuses, with no data-dependent control flow."""

    def __init__(self, d_model: int, heads: int, dropout: float):
        super().__init__()
        if d_model % heads:
            raise SystemExit(f"--d-model {d_model} must be a multiple of --heads {heads}")
        self.heads = heads
        self.head_dim = d_model // heads
        self.scale = 1.0 / math.sqrt(self.head_dim)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        b, length, d = x.shape
        qkv = self.qkv(x).reshape(b, length, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                          # [B, H, L, Dh]
        scores = torch.matmul(q * self.scale, k.transpose(-2, -1)) + key_mask  # key_mask [B, 1, 1, L]
        weights = self.dropout(torch.softmax(scores, dim=-1))
        context = torch.matmul(weights, v).transpose(1, 2).reshape(b, length, d)
        return self.out(context)


class EncoderBlock(nn.Module):
    """Pre-LayerNorm Transformer encoder block."""

    def __init__(self, d_model: int, heads: int, ff_dim: int, dropout: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = SelfAttention(d_model, heads, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, ff_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff_dim, d_model))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.norm1(x), key_mask))
        return x + self.dropout(self.ff(self.norm2(x)))


class RiskModel(nn.Module):
    """Token embedding + a projection of (age, recency) per position, a Transformer encoder with a key-padding
    mask from tokens == 0, masked mean pooling over real positions and one logit per outcome."""

    def __init__(self, vocab_size: int, outcomes: int, d_model: int, layers: int, heads: int, ff_dim: int,
                 dropout: float):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
        self.features = nn.Sequential(nn.Linear(2, d_model), nn.GELU(), nn.Linear(d_model, d_model))
        self.input_dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([EncoderBlock(d_model, heads, ff_dim, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, outcomes)
        # Per-outcome Platt scaling of the logits, fitted on the validation split after training (identity before).
        self.register_buffer("calibration_scale", torch.ones(outcomes))
        self.register_buffer("calibration_bias", torch.zeros(outcomes))

    def forward(self, tokens: torch.Tensor, ages: torch.Tensor, recency: torch.Tensor) -> torch.Tensor:
        valid = (tokens != 0).to(ages.dtype)                                  # [B, L]
        key_mask = ((1.0 - valid) * MASK_VALUE)[:, None, None, :]             # [B, 1, 1, L]
        x = self.embedding(tokens) + self.features(torch.stack([ages, recency], dim=-1))
        x = self.input_dropout(x)
        for block in self.blocks:
            x = block(x, key_mask)
        x = self.norm(x)
        # Masked mean: padded positions contribute exact zeros, so the length of the padding cannot matter.
        pooled = (x * valid[:, :, None]).sum(dim=1) / valid.sum(dim=1, keepdim=True).clamp(min=1.0)
        return self.head(pooled)


class ProbabilityModel(nn.Module):
    """The exported graph: logits -> calibrated sigmoid, output `risk` = probabilities."""

    def __init__(self, model: RiskModel):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor, ages: torch.Tensor, recency: torch.Tensor) -> torch.Tensor:
        logits = self.model(tokens, ages, recency)
        return torch.sigmoid(logits * self.model.calibration_scale + self.model.calibration_bias)


def parameter_count(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def flops_per_sequence(d: int, layers: int, ff_dim: int, outcomes: int, length: int) -> dict:
    """Analytic forward FLOPs for one sequence of `length` tokens (a multiply-add counts 2). Counts the matrix
    products; layer norms, softmax, GELU and the embedding gather (together well under 5%) are left out."""
    feature = 2 * length * (2 * d + d * d)
    per_layer = (2 * length * d * 3 * d          # Q, K, V projections
                 + 2 * length * length * d       # Q K^T
                 + 2 * length * length * d       # attention x V
                 + 2 * length * d * d            # output projection
                 + 2 * 2 * length * d * ff_dim)  # feed-forward
    head = 2 * d * outcomes
    total = feature + layers * per_layer + head
    return {"length": length, "total": int(total), "per_layer": int(per_layer), "features": int(feature),
            "head": int(head), "method": "analytic: 2 x multiply-adds of all matrix products; norms, softmax, GELU "
                                        "and the embedding gather not counted"}


# --------------------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------------------

def set_determinism(seed: int, device: torch.device) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if device.type == "cuda":
        torch.cuda.manual_seed_all(seed)
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.use_deterministic_algorithms(True, warn_only=True)


def to_tensors(data: Dataset, idx: np.ndarray, device: torch.device):
    """Rows idx, cut to the longest real length among them (valid because padding never changes a result)."""
    width = int(data.lengths[idx].max())
    tokens = torch.from_numpy(data.tokens[idx, :width]).to(device)
    ages = torch.from_numpy(data.ages[idx, :width]).to(device)
    recency = torch.from_numpy(data.recency[idx, :width]).to(device)
    return tokens, ages, recency


def length_sorted_batches(lengths: np.ndarray, idx: np.ndarray, batch_size: int, rng: np.random.Generator):
    """Shuffled batches of similar lengths (sorted within pools of 50 batches), so little time goes into padding."""
    idx = idx[rng.permutation(len(idx))]
    pool = batch_size * 50
    batches = []
    for start in range(0, len(idx), pool):
        chunk = idx[start:start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    order = rng.permutation(len(batches))
    return [batches[i] for i in order]


@torch.no_grad()
def predict(model: RiskModel, data: Dataset, idx: np.ndarray, device: torch.device, batch_size: int = 512,
            logits: bool = False) -> np.ndarray:
    """Calibrated probabilities (as the exported graph computes them) or, with logits=True, the raw logits."""
    model.eval()
    net = model if logits else ProbabilityModel(model)
    order = np.argsort(data.lengths[idx], kind="stable")
    out = np.empty((len(idx), len(data.outcomes)), dtype=np.float32)
    for start in range(0, len(idx), batch_size):
        rows = order[start:start + batch_size]
        out[rows] = net(*to_tensors(data, idx[rows], device)).float().cpu().numpy()
    return out


def fit_platt(logits: np.ndarray, labels: np.ndarray) -> tuple:
    """Per-outcome Platt scaling p = sigmoid(a * logit + b) fitted on non-masked labels (sklearn, almost no
    regularisation). The pos_weight of the loss inflates probabilities; this maps them back to observed rates
    without changing their order (a > 0 is checked), so AUROC and AUPRC stay as they are."""
    from sklearn.linear_model import LogisticRegression
    scale, bias = np.ones(labels.shape[1], np.float32), np.zeros(labels.shape[1], np.float32)
    for k in range(labels.shape[1]):
        m = labels[:, k] >= 0
        y = labels[m, k]
        if not 0 < y.sum() < len(y):
            continue
        clf = LogisticRegression(C=1e6, max_iter=1000).fit(logits[m, k:k + 1].astype(np.float64), y)
        if clf.coef_[0, 0] > 0:
            scale[k], bias[k] = clf.coef_[0, 0], clf.intercept_[0]
    return scale, bias


def auroc(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> float:
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, p, sample_weight=w))


def auprc(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> float:
    from sklearn.metrics import average_precision_score
    return float(average_precision_score(y, p, sample_weight=w))


def mean_auroc(labels: np.ndarray, probs: np.ndarray) -> tuple:
    """Mean AUROC over outcomes that have both classes among the non-masked labels; also the per-outcome list."""
    values = []
    for k in range(labels.shape[1]):
        m = labels[:, k] >= 0
        y = labels[m, k]
        values.append(auroc(y, probs[m, k]) if 0 < y.sum() < len(y) else float("nan"))
    finite = [v for v in values if not math.isnan(v)]
    return (float(np.mean(finite)) if finite else float("nan")), values


def pos_weights(labels: np.ndarray, mode: str) -> np.ndarray:
    pos = (labels == 1).sum(axis=0).astype(np.float64)
    neg = (labels == 0).sum(axis=0).astype(np.float64)
    ratio = neg / np.maximum(pos, 1.0)
    if mode == "none":
        return np.ones_like(ratio, dtype=np.float32)
    if mode == "sqrt":
        return np.sqrt(ratio).astype(np.float32)
    return ratio.astype(np.float32)


def masked_bce(logits: torch.Tensor, labels: torch.Tensor, pos_weight: torch.Tensor) -> torch.Tensor:
    mask = (labels >= 0).to(logits.dtype)
    loss = F.binary_cross_entropy_with_logits(logits, labels.clamp(min=0.0), pos_weight=pos_weight, reduction="none")
    return (loss * mask).sum() / mask.sum().clamp(min=1.0)


def train_model(data: Dataset, args, device: torch.device) -> tuple:
    model = RiskModel(data.vocab_size, len(data.outcomes), args.d_model, args.layers, args.heads,
                      args.ff_mult * args.d_model, args.dropout).to(device)
    train_idx, val_idx = data.indices(0), data.indices(1)
    rng = np.random.default_rng(args.seed)
    if args.max_val_samples and len(val_idx) > args.max_val_samples:
        val_idx = np.sort(rng.choice(val_idx, size=args.max_val_samples, replace=False))
    per_epoch = min(len(train_idx), args.samples_per_epoch or len(train_idx))
    weights = pos_weights(data.labels[train_idx], args.pos_weight)
    pos_weight = torch.from_numpy(weights).to(device)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "norm" in name else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = math.ceil(per_epoch / args.batch_size)
    total_steps = steps_per_epoch * args.epochs
    warmup = max(1, min(total_steps // 20, steps_per_epoch))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    best = {"val_mean_auroc": -1.0, "epoch": 0, "state": None}
    history = []
    started = time.time()
    stop_reason = "max epochs"
    stale = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, batches = 0.0, 0
        epoch_idx = train_idx if per_epoch == len(train_idx) else rng.choice(train_idx, size=per_epoch, replace=False)
        for batch in length_sorted_batches(data.lengths, epoch_idx, args.batch_size, rng):
            labels = torch.from_numpy(data.labels[batch]).to(device)
            loss = masked_bce(model(*to_tensors(data, batch, device)), labels, pos_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += float(loss.detach())
            batches += 1
            if batches % 50 == 0:
                log(f"epoch {epoch}: {batches} batches, train loss {total / batches:.4f}, {time.time() - started:.0f} s")
        val_mean, val_per = mean_auroc(data.labels[val_idx], predict(model, data, val_idx, device))
        elapsed = time.time() - started
        history.append({"epoch": epoch, "train_loss": round(total / max(batches, 1), 6),
                        "val_mean_auroc": round(val_mean, 6), "val_auroc": [round(v, 6) for v in val_per],
                        "seconds": round(elapsed, 1)})
        log(f"epoch {epoch}: train loss {total / max(batches, 1):.4f}, val mean AUROC {val_mean:.4f}, {elapsed:.0f} s")
        if val_mean > best["val_mean_auroc"]:
            best = {"val_mean_auroc": val_mean, "epoch": epoch,
                    "state": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
            stale = 0
        else:
            stale += 1
            if stale >= args.patience:
                stop_reason = f"early stopping: no validation improvement for {args.patience} epochs"
                break
        if args.time_budget_min and elapsed > args.time_budget_min * 60 and epoch < args.epochs:
            stop_reason = (f"time budget of {args.time_budget_min} min reached (to reproduce on another machine, "
                           f"replace --time-budget-min by --stop-after-epochs {epoch})")
            break
        if args.stop_after_epochs and epoch >= args.stop_after_epochs and epoch < args.epochs:
            stop_reason = f"--stop-after-epochs {args.stop_after_epochs}"
            break
    model.load_state_dict(best["state"])
    model.eval()
    all_val = data.indices(1)
    scale, bias = fit_platt(predict(model, data, all_val, device, logits=True), data.labels[all_val])
    model.calibration_scale.copy_(torch.from_numpy(scale))
    model.calibration_bias.copy_(torch.from_numpy(bias))
    model = model.cpu()
    info = {"best_epoch": best["epoch"], "best_val_mean_auroc": round(best["val_mean_auroc"], 6),
            "epochs_run": len(history), "stop_reason": stop_reason, "history": history,
            "calibration": {"method": "Platt scaling per outcome on the validation split, inside the ONNX graph",
                            "scale": [round(float(v), 6) for v in scale], "bias": [round(float(v), 6) for v in bias]},
            "pos_weight": [round(float(w), 4) for w in weights], "samples_per_epoch": int(per_epoch),
            "validation_samples_for_early_stopping": int(len(val_idx)), "seconds": round(time.time() - started, 1)}
    return model, info


# --------------------------------------------------------------------------------------------------------------
# ONNX export and ONNX Runtime
# --------------------------------------------------------------------------------------------------------------

def export_onnx(model: RiskModel, example: tuple, path: str) -> None:
    import onnx
    wrapper = ProbabilityModel(model).eval()
    axes = {name: {0: "batch", 1: "length"} for name in INPUT_NAMES}
    axes[OUTPUT_NAME] = {0: "batch"}
    kwargs = dict(input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME], dynamic_axes=axes,
                  opset_version=OPSET, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: plain opset-17 graph with named dynamic axes
    with torch.no_grad():
        torch.onnx.export(wrapper, example, path, **kwargs)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    names = [i.name for i in proto.graph.input]
    if names != list(INPUT_NAMES) or [o.name for o in proto.graph.output] != [OUTPUT_NAME]:
        raise RuntimeError(f"exported graph has inputs {names} and outputs {[o.name for o in proto.graph.output]}")
    for i in proto.graph.input:
        dims = [d.dim_param for d in i.type.tensor_type.shape.dim]
        if dims != ["batch", "length"]:
            raise RuntimeError(f"input {i.name} is not dynamic in batch and length: {dims}")


def find_ort_jar():
    jar = os.environ.get("RISKSTREAM_ORT_JAR")
    if jar:
        return jar if os.path.isfile(jar) else None
    candidates = glob.glob(os.path.expanduser("~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/*/onnxruntime-*.jar"))
    candidates = [c for c in candidates if not c.endswith(("-sources.jar", "-javadoc.jar"))]
    if not candidates:
        return None

    def version_key(path):
        return tuple(int(p) if p.isdigit() else 0 for p in os.path.basename(os.path.dirname(path)).split("."))

    return max(candidates, key=version_key)


class OrtRunner:
    """ONNX Runtime on the CPU, from the Python package when it is installed, else through the Java ONNX Runtime
    (OrtRun.java launched with the onnxruntime jar from the local Maven repository or $RISKSTREAM_ORT_JAR)."""

    def __init__(self, threads: int):
        self.threads = threads
        try:
            import onnxruntime  # noqa: F401
            self.kind = "python onnxruntime " + onnxruntime.__version__
            self._ort = onnxruntime
            return
        except ImportError:
            self._ort = None
        self.jar = find_ort_jar()
        self.java = shutil.which("java")
        if not self.jar or not self.java:
            raise SystemExit("ONNX Runtime not found: install the Python package onnxruntime, or provide java and "
                             "the com.microsoft.onnxruntime jar (set RISKSTREAM_ORT_JAR, or run `mvn -pl scoring -am "
                             "dependency:resolve` once so it is in ~/.m2)")
        self.kind = "java onnxruntime " + os.path.basename(os.path.dirname(self.jar))

    def run(self, model_path: str, input_sets: list) -> list:
        """input_sets: list of (tokens int64 [B,L], ages float32 [B,L], recency float32 [B,L]) -> list of risk [B,K]."""
        if self._ort is not None:
            options = self._ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            session = self._ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
            return [session.run([OUTPUT_NAME], dict(zip(INPUT_NAMES, s)))[0] for s in input_sets]
        with tempfile.TemporaryDirectory(prefix="ortrun-") as tmp:
            args = [self.java, "-cp", self.jar, os.path.join(os.path.dirname(os.path.abspath(__file__)), "OrtRun.java"),
                    model_path, str(self.threads)]
            outputs = []
            for i, arrays in enumerate(input_sets):
                d = os.path.join(tmp, f"in{i}")
                os.makedirs(d)
                for name, arr in zip(INPUT_NAMES, arrays):
                    np.save(os.path.join(d, name + ".npy"), np.ascontiguousarray(arr))
                outputs.append(os.path.join(tmp, f"out{i}.npy"))
                args += [d, outputs[-1]]
            proc = subprocess.run(args, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"OrtRun failed with exit code {proc.returncode}: {proc.stderr[-2000:]}")
            return [np.load(o) for o in outputs]


def chunks(n: int, size: int):
    return [np.arange(s, min(n, s + size)) for s in range(0, n, size)]


@torch.no_grad()
def torch_probs(model: RiskModel, tokens, ages, recency) -> np.ndarray:
    wrapper = ProbabilityModel(model).eval()
    return wrapper(torch.from_numpy(tokens), torch.from_numpy(ages), torch.from_numpy(recency)).numpy()


# --------------------------------------------------------------------------------------------------------------
# Evaluation and baseline
# --------------------------------------------------------------------------------------------------------------

def weighted_auroc_auprc(y: np.ndarray, p: np.ndarray, weights: np.ndarray) -> tuple:
    """AUROC (ties count 1/2) and average precision (sklearn's definition) for many weightings of one sample at
    once: weights [R, n] -> two arrays [R] (nan where a weighting leaves one class only). Hand-written because the
    bootstrap needs 1,000 weightings per outcome and sklearn takes one per call (about 100x slower here); a test
    checks it against sklearn.metrics."""
    order = np.argsort(-p, kind="mergesort")
    ps, ys = p[order], y[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(ps)) + 1))  # groups of tied scores, highest first
    w = weights[:, order]
    tp = np.add.reduceat(w * ys, starts, axis=1)
    fp = np.add.reduceat(w * (1.0 - ys), starts, axis=1)
    cum_tp, cum_fp = np.cumsum(tp, axis=1), np.cumsum(fp, axis=1)
    pos, neg = cum_tp[:, -1], cum_fp[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        # each positive beats the negatives in lower-score groups, and ties with half of those in its own group
        auc = np.sum(tp * (neg[:, None] - cum_fp) + 0.5 * tp * fp, axis=1) / (pos * neg)
        precision = np.where(cum_tp + cum_fp > 0, cum_tp / np.maximum(cum_tp + cum_fp, 1e-300), 0.0)
        ap = np.sum(tp * precision, axis=1) / pos
    bad = (pos <= 0) | (neg <= 0)
    auc[bad], ap[bad] = np.nan, np.nan
    return auc, ap


def patient_weights(groups: np.ndarray, resamples: int, seed: int):
    """Bootstrap weights by patient (cluster), in blocks of at most 100 resamples: each sample's weight is the number of
    times its patient was drawn with replacement. The same seed gives the same draws to every caller."""
    uniq, inverse = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(seed)
    for start in range(0, resamples, 100):
        r = min(100, resamples - start)
        counts = np.stack([np.bincount(rng.integers(0, len(uniq), len(uniq)), minlength=len(uniq)) for _ in range(r)])
        yield counts[:, inverse].astype(np.float64)


def bootstrap_metrics(y: np.ndarray, p: np.ndarray, groups: np.ndarray, resamples: int, seed: int) -> dict:
    """Point estimates and 95% percentile intervals of AUROC, AUPRC and Brier, resampling patients (clusters) with
    replacement: each sample's weight is the number of times its patient was drawn."""
    draws = {"auroc": [], "auprc": [], "brier": []}
    for w in patient_weights(groups, resamples, seed):
        auc, ap = weighted_auroc_auprc(y, p, w)
        draws["auroc"].append(auc)
        draws["auprc"].append(ap)
        draws["brier"].append((w * (p - y) ** 2).sum(axis=1) / w.sum(axis=1))
    draws = {k: np.concatenate(v) for k, v in draws.items()}
    skipped = int(np.isnan(draws["auroc"]).sum())
    out = {"auroc": auroc(y, p), "auprc": auprc(y, p), "brier": float(np.mean((p - y) ** 2))}
    for key, values in draws.items():
        values = values[~np.isnan(values)]
        out[key + "_ci95"] = [float(v) for v in np.percentile(values, [2.5, 97.5])] if len(values) else None
    out["bootstrap"] = {"resamples": resamples, "by": "patient", "skipped_single_class": skipped, "seed": seed}
    return out


def calibration_curve(y: np.ndarray, p: np.ndarray, groups: np.ndarray, bins: int, resamples: int, seed: int) -> dict:
    """Reliability of probabilities p for labels y: `bins` equal-count bins of p, each with its mean probability
    (expected) and observed rate, the latter with a 95% percentile interval from resampling patients (clusters) with
    replacement on the fixed bin edges; plus observed/expected over all samples (O/E, with its interval) and the
    expected calibration error (count-weighted |observed - expected|)."""
    order = np.argsort(p, kind="stable")
    bin_of = np.empty(len(p), dtype=np.int64)
    bin_of[order] = np.minimum(np.arange(len(p)) * bins // max(len(p), 1), bins - 1)
    n = np.bincount(bin_of, minlength=bins).astype(np.float64)
    expected = np.bincount(bin_of, weights=p, minlength=bins) / np.maximum(n, 1)
    observed = np.bincount(bin_of, weights=y, minlength=bins) / np.maximum(n, 1)
    obs_draws, oe_draws = [], []
    for w in patient_weights(groups, resamples, seed):
        r = len(w)
        offsets = (np.arange(r) * bins)[:, None] + bin_of[None, :]
        wn = np.bincount(offsets.ravel(), weights=w.ravel(), minlength=r * bins).reshape(r, bins)
        wy = np.bincount(offsets.ravel(), weights=(w * y).ravel(), minlength=r * bins).reshape(r, bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            obs_draws.append(wy / wn)
            oe_draws.append((w * y).sum(axis=1) / (w * p).sum(axis=1))
    obs_draws, oe_draws = np.concatenate(obs_draws), np.concatenate(oe_draws)
    table = []
    for b in range(bins):
        members = p[bin_of == b]
        draws = obs_draws[:, b][~np.isnan(obs_draws[:, b])]
        table.append({"n": int(n[b]), "p_min": float(members.min()) if len(members) else None,
                      "p_max": float(members.max()) if len(members) else None,
                      "expected": float(expected[b]), "observed": float(observed[b]),
                      "observed_ci95": [float(v) for v in np.percentile(draws, [2.5, 97.5])] if len(draws) else None})
    oe = float(y.sum() / p.sum()) if p.sum() > 0 else None
    oe_ok = oe_draws[np.isfinite(oe_draws)]
    return {"bins": table, "binning": f"{bins} equal-count bins of the predicted probability",
            "observed_to_expected": oe,
            "observed_to_expected_ci95": [float(v) for v in np.percentile(oe_ok, [2.5, 97.5])] if len(oe_ok) else None,
            "ece": float(np.sum(n * np.abs(observed - expected)) / max(n.sum(), 1)),
            "bootstrap": {"resamples": resamples, "by": "patient", "seed": seed}}


def calibration_lines(card: dict) -> list:
    """The model card's "Calibration" section (Markdown lines)."""
    lines = ["## Calibration (test split)", "",
             "Observed onset rate against the mean predicted probability in 10 equal-count bins of the prediction "
             "(95% intervals: bootstrap resamples of test patients; all bins in model-card.json). O/E = observed / "
             "expected onsets over all test samples; ECE = count-weighted mean |observed - expected| over the bins. "
             "Plot: `calibration.png` (log axes; a bin without an onset is drawn on the lower axis).", "",
             "| outcome | O/E (95% CI) | ECE | top bin: predicted | top bin: observed (95% CI) | top bin n |",
             "|---|---|---|---|---|---|"]
    for m in card["metrics"]["per_outcome"]:
        c = m.get("calibration")
        if not c:
            lines.append(f"| {m['outcome']} | – | – | – | – | – |")
            continue
        oe_ci, top = c["observed_to_expected_ci95"], c["bins"][-1]
        top_ci = top["observed_ci95"]
        lines.append(f"| {m['outcome']} | {fmt(c['observed_to_expected'], 2)}"
                     + (f" ({fmt(oe_ci[0], 2)}–{fmt(oe_ci[1], 2)})" if oe_ci else "")
                     + f" | {fmt(c['ece'], 4)} | {fmt(top['expected'], 4)} | {fmt(top['observed'], 4)}"
                     + (f" ({fmt(top_ci[0], 4)}–{fmt(top_ci[1], 4)})" if top_ci else "") + f" | {top['n']:,} |")
    return lines + [""]


def display_names(spec: dict) -> dict:
    """Outcome name -> the encoder spec's displayName (what a clinician reads), where it has one."""
    return {o["name"]: o.get("displayName") or o["name"] for o in spec.get("outcomes", []) if isinstance(o, dict)}


def plot_calibration(card: dict, path: str, names: dict) -> bool:
    """calibration.png: one reliability panel per outcome (log axes, bins with their 95% intervals, the diagonal).
    Returns False, with a warning, where matplotlib is missing (the card's JSON and table still hold the numbers)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("warning: matplotlib is not installed, calibration.png not drawn (apt-get install python3-matplotlib)")
        return False
    outcomes = [m for m in card["metrics"]["per_outcome"] if m.get("calibration")]
    fig, axes = plt.subplots(1, max(len(outcomes), 1), figsize=(3.6 * max(len(outcomes), 1), 3.8), squeeze=False)
    for ax, m in zip(axes[0], outcomes):
        bins = [b for b in m["calibration"]["bins"] if b["n"] > 0 and b["expected"] > 0]
        ax.set_title(names.get(m["outcome"], m["outcome"]), fontsize=9)
        if not bins:
            continue
        x = np.array([b["expected"] for b in bins])
        y = np.array([b["observed"] for b in bins])
        lo = np.array([b["observed_ci95"][0] if b["observed_ci95"] else b["observed"] for b in bins])
        hi = np.array([b["observed_ci95"][1] if b["observed_ci95"] else b["observed"] for b in bins])
        floor = max(min(x.min(), 1e-5), 1e-6)
        ax.errorbar(x, np.maximum(y, floor), yerr=[np.maximum(y, floor) - np.maximum(lo, floor),
                                                    np.maximum(hi, floor) - np.maximum(y, floor)],
                    fmt="o", ms=4, capsize=2)
        top = max(x.max(), hi.max()) * 1.5
        ax.plot([floor, top], [floor, top], color="grey", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(floor, top)
        ax.set_ylim(floor, top)
        ax.set_xlabel("mean predicted probability", fontsize=8)
        ax.set_ylabel("observed onset rate", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{card['name']} {card['version']}: calibration on the test split (95% CI, patient bootstrap)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def evaluate_test(data: Dataset, probs: np.ndarray, test_idx: np.ndarray, resamples: int, seed: int) -> list:
    results = []
    for k, name in enumerate(data.outcomes):
        y_all = data.labels[test_idx, k]
        m = y_all >= 0
        y, p, g = y_all[m].astype(np.float64), probs[m, k].astype(np.float64), data.patient[test_idx][m]
        entry = {"outcome": name, "n": int(m.sum()), "positives": int(y.sum()), "patients": int(len(np.unique(g)))}
        if 0 < y.sum() < len(y):
            entry.update(bootstrap_metrics(y, p, g, resamples, seed + k))
            entry["calibration"] = calibration_curve(y, p, g, CALIBRATION_BINS, resamples, seed + k)
        else:
            entry["note"] = "single class on the test split: AUROC/AUPRC undefined"
            entry["brier"] = float(np.mean((p - y) ** 2)) if len(y) else None
        results.append(entry)
    return results


def bag_of_codes(data: Dataset, idx: np.ndarray):
    """log1p of per-sample token counts (padding excluded) plus the age at the newest event before the index time
    (the `ages` feature of the last real position), as a sparse matrix."""
    from scipy import sparse
    tokens = data.tokens[idx]
    rows, cols = np.nonzero(tokens)
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, tokens[rows, cols])),
                               shape=(len(idx), data.vocab_size))
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    age = data.ages[idx, data.lengths[idx] - 1].astype(np.float64)[:, None]
    return sparse.hstack([counts, sparse.csr_matrix(age)]).tocsr()


def baseline(data: Dataset, seed: int, jobs: int = 1) -> list:
    """Logistic regression per outcome on bag-of-codes features; C chosen on the validation split by AUROC. The fits
    (outcomes x C) run in `jobs` processes at once (joblib); each fit is independent, so the result does not depend
    on `jobs`."""
    from joblib import Parallel, delayed
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import MaxAbsScaler
    tr, va, te = data.indices(0), data.indices(1), data.indices(2)
    scaler = MaxAbsScaler().fit(bag_of_codes(data, tr))
    x = {s: scaler.transform(bag_of_codes(data, i)) for s, i in (("tr", tr), ("va", va), ("te", te))}
    y = {k: {s: data.labels[i, k] for s, i in (("tr", tr), ("va", va), ("te", te))} for k in range(len(data.outcomes))}
    m = {k: {s: y[k][s] >= 0 for s in y[k]} for k in y}
    fittable = [k for k in y if 0 < y[k]["tr"][m[k]["tr"]].sum() < m[k]["tr"].sum()]
    grid = [(k, c) for k in fittable for c in (0.01, 0.1, 1.0)]

    def fit(k, c):
        return LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(x["tr"][m[k]["tr"]], y[k]["tr"][m[k]["tr"]])

    fitted = dict(zip(grid, Parallel(n_jobs=max(1, min(jobs, len(grid))))(delayed(fit)(k, c) for k, c in grid)))
    results = []
    for k, name in enumerate(data.outcomes):
        entry = {"outcome": name}
        if k not in fittable:
            entry["note"] = "single class on the train split"
            results.append(entry)
            continue
        best = None
        for c in (0.01, 0.1, 1.0):
            clf = fitted[(k, c)]
            yv = y[k]["va"][m[k]["va"]]
            score = auroc(yv, clf.predict_proba(x["va"][m[k]["va"]])[:, 1]) if 0 < yv.sum() < len(yv) else 0.0
            if best is None or score > best[0]:
                best = (score, c, clf)
        yt = y[k]["te"][m[k]["te"]]
        entry.update({"C": best[1], "val_auroc": round(best[0], 6)})
        if 0 < yt.sum() < len(yt):
            entry["test_auroc"] = auroc(yt, best[2].predict_proba(x["te"][m[k]["te"]])[:, 1])
            entry["test_auprc"] = auprc(yt, best[2].predict_proba(x["te"][m[k]["te"]])[:, 1])
        results.append(entry)
    return results


def prevalence(data: Dataset) -> list:
    out = []
    for k, name in enumerate(data.outcomes):
        per_split = {}
        for s, split in ((0, "train"), (1, "validation"), (2, "test")):
            y = data.labels[data.split == s, k]
            n, pos = int((y >= 0).sum()), int((y == 1).sum())
            per_split[split] = {"n": n, "positives": pos, "masked": int((y < 0).sum()),
                                "prevalence": round(pos / n, 6) if n else None}
        out.append({"outcome": name, **per_split})
    return out


# --------------------------------------------------------------------------------------------------------------
# Card
# --------------------------------------------------------------------------------------------------------------

def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def git_commit() -> str | None:
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10,
                              cwd=os.path.dirname(os.path.abspath(__file__)))
        return proc.stdout.strip() or None if proc.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def outcome_specs(data: Dataset) -> list:
    specs = []
    for k, name in enumerate(data.outcomes):
        raw = data.spec.get("outcomes", [])
        o = raw[k] if k < len(raw) and isinstance(raw[k], dict) else {}
        specs.append({"name": name,
                      "codes": o.get("snomedCodes", o.get("codes")),
                      "horizon_days": o.get("horizonDays", o.get("horizon_days", data.meta.get("horizonDays")))})
    return specs


def find_cohort_manifest(data_dir: str, meta: dict, explicit: str | None):
    """The cohort's cohort.json (written by `riskstream cohort generate`): --cohort-manifest, else beside the dataset
    arrays, else in the cohort directory that dataset.json names; for a dataset exported from several directories
    (dataset.json's `cohorts`, e.g. a cohort generated in chunks), their manifests merged (merge_manifests), each from
    the dataset's cohort-manifests/ copy or else from its directory."""
    candidates = [explicit] if explicit else []
    candidates.append(os.path.join(data_dir, "cohort.json"))
    if isinstance(meta.get("cohort"), str):
        candidates.append(os.path.join(meta["cohort"], "cohort.json"))
    for path in candidates:
        if path and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return path, json.load(f)
    if explicit:
        raise SystemExit(f"--cohort-manifest {explicit} does not exist")
    dirs = meta.get("cohorts") if isinstance(meta.get("cohorts"), list) else []
    copies = os.path.join(data_dir, "cohort-manifests")  # what `dataset export` copied beside the arrays
    manifests = []
    for i, d in enumerate(dirs):
        path = os.path.join(copies, f"{i:02d}-{os.path.basename(str(d))}.json")
        if not os.path.isfile(path):
            path = os.path.join(str(d), "cohort.json")
        if not os.path.isfile(path):
            return None, {}  # one chunk without its manifest: the card says "not recorded" rather than half a story
        with open(path, encoding="utf-8") as f:
            manifests.append(json.load(f))
    if len(manifests) > 1:
        return f"{len(manifests)} cohort.json files, one per directory", merge_manifests(manifests)
    return None, {}


def seed_list(seeds: list) -> str:
    """Seeds as ranges, e.g. [101, 102, 103, 107] -> '101-103, 107'."""
    parts, run = [], []
    for v in sorted(seeds):
        if run and v == run[-1] + 1:
            run.append(v)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [v]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(parts)


def merge_manifests(manifests: list) -> dict:
    """One manifest for a cohort generated in chunks: patients, alive and dead summed; seeds as ranges; what every
    chunk shares (reference date, state, Synthea version) once, else each chunk's value; `chunks` keeps each chunk's
    options for the regeneration commands."""
    opts = [m.get("options", {}) if isinstance(m.get("options"), dict) else {} for m in manifests]

    def shared(values):
        distinct = sorted({str(v) for v in values})
        return values[0] if len(distinct) == 1 else ", ".join(distinct)

    def total(values):
        return sum(values) if all(isinstance(v, int) for v in values) else None

    seeds = [o.get("seed") for o in opts]
    clinician = [o.get("clinicianSeed") for o in opts]
    return {"syntheaVersion": shared([m.get("syntheaVersion") for m in manifests]),
            "alive": total([m.get("alive") for m in manifests]), "dead": total([m.get("dead") for m in manifests]),
            "options": {"patients": total([o.get("patients") for o in opts]),
                        "seed": seed_list(seeds) if all(isinstance(v, int) for v in seeds) else shared(seeds),
                        "clinicianSeed": (seed_list(clinician) if all(isinstance(v, int) for v in clinician)
                                          else shared(clinician)),
                        "referenceDate": shared([o.get("referenceDate") for o in opts]),
                        "state": shared([o.get("state") for o in opts])},
            "chunks": opts}


def cohort_info(meta: dict, manifest_path, manifest: dict) -> dict:
    """Cohort facts for the card, from cohort.json (options) and dataset.json; None where neither records them."""
    opts = manifest.get("options", {}) if isinstance(manifest.get("options"), dict) else {}
    sampling = meta.get("sampling") if isinstance(meta.get("sampling"), dict) else {}
    dirs = meta.get("cohorts") if isinstance(meta.get("cohorts"), list) and len(meta["cohorts"]) > 1 else None
    info = {"patients_generated": opts.get("patients"), "patients_in_dataset": meta.get("patients"),
            "alive": manifest.get("alive"), "dead": manifest.get("dead"),
            "synthea_seed": opts.get("seed"), "synthea_clinician_seed": opts.get("clinicianSeed"),
            "reference_date": opts.get("referenceDate"), "state": opts.get("state"),
            "synthea_version": manifest.get("syntheaVersion"),
            "index_sampling": sampling or None,
            "cohort_directory": meta.get("cohort") if isinstance(meta.get("cohort"), str) else None,
            "cohort_manifest": manifest_path}
    if dirs:
        info["cohort_directory"] = f"{len(dirs)} directories, {dirs[0]} to {dirs[-1]}"
    return info


def regeneration_commands(args, data: Dataset, manifest: dict, argv: list) -> list:
    """The commands that regenerate this model: cohort (one command per chunk of a chunked cohort), dataset export,
    training."""
    cmds = []
    opts = manifest.get("options", {}) if isinstance(manifest.get("options"), dict) else {}
    dirs = data.meta.get("cohorts") if isinstance(data.meta.get("cohorts"), list) else []
    cohort_dir = (data.meta.get("cohort") if isinstance(data.meta.get("cohort"), str)
                  else ",".join(str(d) for d in dirs) if len(dirs) > 1 else opts.get("outDir"))
    for o in manifest.get("chunks") or ([opts] if opts else []):
        cmds.append(f"riskstream cohort generate --patients {o.get('patients')} --seed {o.get('seed')} "
                    f"--clinician-seed {o.get('clinicianSeed')} --reference-date {o.get('referenceDate')} "
                    f"--out {shlex.quote(str(o.get('outDir', cohort_dir)))}")
    if isinstance(data.meta.get("commands"), list):
        cmds += [str(c) for c in data.meta["commands"]]
    elif cohort_dir:
        sampling = data.meta.get("sampling") if isinstance(data.meta.get("sampling"), dict) else {}
        extra = "".join(f" {flag} {value}" for flag, value in (
            ("--min-count", data.spec.get("minCount")), ("--bins", data.spec.get("binCount")),
            ("--seed", sampling.get("seed")), ("--min-days-between", sampling.get("minDaysBetween")),
            # the exporter leaves QALY, DALY, QOLS out unless told otherwise: name what this spec left out
            ("--exclude-codes", shlex.quote(",".join(data.spec.get("excludedCodes") or [])) or "''"))
            if value is not None)
        cmds.append(f"riskstream dataset export --cohort {shlex.quote(cohort_dir)} --out {shlex.quote(args.data)} "
                    f"--max-length {data.max_length}{extra}")
    cmds.append("/usr/bin/python3 scoring/training/train.py " + " ".join(shlex.quote(a) for a in argv))
    return cmds


def fmt(v, digits=3):
    return "–" if v is None else f"{v:.{digits}f}"


def write_markdown(card: dict, path: str) -> None:
    c = card
    lines = [f"# Model card: {c['name']} (version {c['version']})", "",
             c["description"], "",
             "## Files", "",
             f"- `model.onnx` sha256 `{c['onnx']['sha256']}` ({c['onnx']['bytes']:,} bytes, opset {c['onnx']['opset']})",
             f"- `encoder-spec.json` sha256 `{c['encoder_spec']['sha256']}`",
             f"- `validation/`: {c['validation']['samples']} test samples and ONNX Runtime outputs (`expected.npy`)", "",
             "## Data", ""]
    for key, value in c["cohort"].items():
        lines.append(f"- {key.replace('_', ' ')}: {value if value is not None else 'not recorded'}")
    lines += [f"- samples: {c['samples']['total']:,} (train {c['samples']['train']:,}, validation "
              f"{c['samples']['validation']:,}, test {c['samples']['test']:,}); maximum length {c['max_length']}",
              f"- vocabulary: {c['vocab_size']:,} ids", "",
              "## Outcomes", "",
              "| outcome | codes | horizon (days) | train pos / n | val pos / n | test pos / n | test prevalence |",
              "|---|---|---|---|---|---|---|"]
    for o, p in zip(c["outcomes"], c["prevalence"]):
        codes = ", ".join(o["codes"]) if isinstance(o["codes"], list) else str(o["codes"])
        lines.append(f"| {o['name']} | {codes} | {o['horizon_days']} | {p['train']['positives']} / {p['train']['n']} | "
                     f"{p['validation']['positives']} / {p['validation']['n']} | {p['test']['positives']} / "
                     f"{p['test']['n']} | {fmt(p['test']['prevalence'], 4)} |")
    lines += ["", "## Test metrics", "",
              f"95% intervals: {c['metrics']['bootstrap_resamples']} bootstrap resamples of test patients. "
              f"Mean AUROC {fmt(c['metrics']['mean_auroc'])} (baseline {fmt(c['metrics']['baseline_mean_auroc'])}).", "",
              "| outcome | AUROC (95% CI) | AUPRC (95% CI) | Brier | baseline AUROC |", "|---|---|---|---|---|"]
    for m, b in zip(c["metrics"]["per_outcome"], c["baseline"]["per_outcome"]):
        def ci(key):
            v = m.get(key + "_ci95")
            return f"{fmt(m.get(key))} ({fmt(v[0])}–{fmt(v[1])})" if v else fmt(m.get(key))
        lines.append(f"| {m['outcome']} | {ci('auroc')} | {ci('auprc')} | {fmt(m.get('brier'), 4)} | "
                     f"{fmt(b.get('test_auroc'))} |")
    t = c["training"]
    lines += ["", f"Baseline: {c['baseline']['method']}", ""]
    lines += calibration_lines(c)
    lines += ["## Model", "",
              f"- architecture: {c['architecture']['description']}",
              f"- parameters: {c['parameters']:,}",
              f"- FLOPs per sequence at L={c['flops_per_sequence']['length']}: {c['flops_per_sequence']['total']:,} "
              f"({c['flops_per_sequence']['method']})",
              f"- hyper-parameters: `{json.dumps(c['hyperparameters'], sort_keys=True)}`",
              f"- training: {t['epochs_run']} epochs, best epoch {t['best_epoch']} (validation mean AUROC "
              f"{fmt(t['best_val_mean_auroc'])}), stopped by {t['stop_reason']}; {t['seconds']:.0f} s on {t['device']} "
              f"({t['torch']}, {t['threads']} threads)",
              f"- parity: {c['parity']['runtime']} vs PyTorch on {c['parity']['samples']} test samples, max abs diff "
              f"{c['parity']['max_abs_diff']:.2e} (limit {c['parity']['limit']:.0e})",
              f"- padding invariance: max abs diff {c['padding_invariance']['max_abs_diff']:.2e} between "
              f"{c['padding_invariance']['samples']} test samples at their own length and padded to L", "",
              "## Reproduce", ""]
    lines += [f"    {cmd}" for cmd in c["commands"]]
    lines += ["", "## Limitations", ""] + [f"- {x}" for x in c["limitations"]] + [""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset directory from `riskstream dataset export`")
    p.add_argument("--out", required=True, help="output model directory, e.g. scoring/src/main/resources/models/NAME")
    p.add_argument("--name", required=True, choices=sorted(PRESETS), help="model name and hyper-parameter preset")
    p.add_argument("--model-version", default="1.0.0")
    p.add_argument("--d-model", type=int)
    p.add_argument("--layers", type=int)
    p.add_argument("--heads", type=int)
    p.add_argument("--ff-mult", type=int, help="feed-forward width as a multiple of d-model")
    p.add_argument("--dropout", type=float)
    p.add_argument("--max-length", type=int, help="must equal the dataset's L (the encoder spec's maxLength)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--patience", type=int, help="early-stopping patience in epochs (validation mean AUROC)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--weight-decay", type=float)
    p.add_argument("--samples-per-epoch", type=int, default=0,
                   help="train samples drawn (without replacement) per epoch; 0 = all")
    p.add_argument("--max-val-samples", type=int, default=20000,
                   help="validation samples (a fixed seeded subset) for early stopping; 0 = all")
    p.add_argument("--pos-weight", choices=("ratio", "sqrt", "none"), default="sqrt",
                   help="BCE pos_weight per outcome: neg/pos, its square root (default; keeps probabilities closer "
                        "to calibrated), or none")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch and ONNX Runtime")
    p.add_argument("--time-budget-min", type=float, default=0.0,
                   help="stop after the epoch that passes this many minutes (0 = no limit); the best epoch is kept")
    p.add_argument("--stop-after-epochs", type=int, default=0,
                   help="end training after this many epochs without changing the learning-rate schedule (which "
                        "spans --epochs); reproduces a run that a time budget stopped")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    p.add_argument("--parity-samples", type=int, default=1024, help="test samples for the ORT-vs-PyTorch check (>= 256)")
    p.add_argument("--cohort-manifest", help="the cohort's cohort.json, if it is neither beside the dataset arrays nor "
                                             "in the cohort directory that dataset.json names")
    p.add_argument("--allow-small-validation", action="store_true",
                   help="tests only: accept a test split smaller than 256 samples")
    args = p.parse_args(argv)
    for key, value in PRESETS[args.name].items():
        if key != "max_length_range" and getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv=None) -> dict:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda, but PyTorch sees no CUDA device")
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    device = torch.device(args.device)
    set_determinism(args.seed, device)
    ort = OrtRunner(args.threads)  # fail before training if there is no ONNX Runtime to check against

    data = load_dataset(args.data)
    lo, hi = PRESETS[args.name]["max_length_range"]
    if args.max_length is not None and args.max_length != data.max_length:
        raise SystemExit(f"--max-length {args.max_length} differs from the dataset's L={data.max_length}: export the "
                         f"dataset with `riskstream dataset export --max-length {args.max_length}` (the encoder "
                         f"truncates; the trainer never does, so training and serving inputs stay identical)")
    if not lo <= data.max_length <= hi:
        raise SystemExit(f"{args.name} needs L in [{lo}, {hi}], the dataset has L={data.max_length}")
    test_idx = data.indices(2)
    if len(test_idx) < VALIDATION_SAMPLES and not args.allow_small_validation:
        raise SystemExit(f"the test split has {len(test_idx)} samples; the validation set needs {VALIDATION_SAMPLES}")
    log(f"dataset: {len(data.split)} samples (train {len(data.indices(0))}, val {len(data.indices(1))}, test "
        f"{len(test_idx)}), L={data.max_length}, vocabulary {data.vocab_size}, {len(data.outcomes)} outcomes; "
        f"device {device}, ONNX Runtime via {ort.kind}")

    model, train_info = train_model(data, args, device)
    train_info.update({"device": (torch.cuda.get_device_name(0) if device.type == "cuda" else
                                  f"cpu ({platform.processor() or platform.machine()})"),
                       "torch": "torch " + torch.__version__, "threads": args.threads})

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    example = tuple(torch.from_numpy(a[test_idx[:2]]) for a in (data.tokens, data.ages, data.recency))
    export_onnx(model, example, onnx_path)
    onnx_sha = sha256_file(onnx_path)
    with open(onnx_path + ".sha256", "w", encoding="utf-8") as f:
        f.write(f"{onnx_sha}  model.onnx\n")
    shutil.copyfile(data.spec_path, os.path.join(args.out, "encoder-spec.json"))
    spec_sha = sha256_file(os.path.join(args.out, "encoder-spec.json"))
    log(f"exported {onnx_path} ({os.path.getsize(onnx_path)} bytes, sha256 {onnx_sha[:12]}…)")

    # Validation set and parity: deterministic choice of test samples, arrays at the full length L.
    rng = np.random.default_rng(args.seed)
    n_parity = max(VALIDATION_SAMPLES, min(args.parity_samples, len(test_idx)))
    parity_idx = np.sort(rng.choice(test_idx, size=min(n_parity, len(test_idx)), replace=False))
    val_set = parity_idx[:VALIDATION_SAMPLES]
    arrays = [a[parity_idx] for a in (data.tokens, data.ages, data.recency)]
    pieces = chunks(len(parity_idx), 64)
    ort_out = np.concatenate(ort.run(onnx_path, [tuple(a[c] for a in arrays) for c in pieces]))
    torch_out = np.concatenate([torch_probs(model, *(a[c] for a in arrays)) for c in pieces])
    parity = float(np.abs(ort_out - torch_out).max())
    log(f"parity: {ort.kind} vs PyTorch on {len(parity_idx)} test samples, max abs diff {parity:.3e}")
    if parity > 1e-4:
        raise SystemExit(f"parity check failed: max abs diff {parity:.3e} > 1e-4")

    # Padding invariance: the validation samples at their own length vs padded to L, in PyTorch.
    own = np.stack([torch_probs(model, *(a[i:i + 1, :int(data.lengths[val_set[i]])] for a in arrays))[0]
                    for i in range(len(val_set))])
    padding_diff = float(np.abs(own - torch_out[:len(val_set)]).max())
    log(f"padding invariance: max abs diff {padding_diff:.3e}")
    if padding_diff > 1e-6:
        raise SystemExit(f"padding changes the output by {padding_diff:.3e} > 1e-6")

    vdir = os.path.join(args.out, "validation")
    os.makedirs(vdir, exist_ok=True)
    for name, arr in zip(INPUT_NAMES, arrays):
        np.save(os.path.join(vdir, name + ".npy"), np.ascontiguousarray(arr[:len(val_set)]))
    np.save(os.path.join(vdir, "labels.npy"), data.labels[val_set])
    np.save(os.path.join(vdir, "expected.npy"), ort_out[:len(val_set)].astype(np.float32))

    log("evaluating on the test split")
    test_probs = predict(model.to(device), data, test_idx, device)  # on the training device (fast on a GPU)
    model = model.cpu()
    metrics = evaluate_test(data, test_probs, test_idx, args.bootstrap, args.seed)
    log("fitting the bag-of-codes baseline")
    base = baseline(data, args.seed, jobs=max(1, os.cpu_count() or 1))
    for m, b in zip(metrics, base):
        log(f"test {m['outcome']}: AUROC {fmt(m.get('auroc'))}, AUPRC {fmt(m.get('auprc'))}, baseline AUROC "
            f"{fmt(b.get('test_auroc'))}")

    def mean_of(values):
        values = [v for v in values if v is not None]
        return float(np.mean(values)) if values else None

    ff_dim = args.ff_mult * args.d_model
    hyper = {k: getattr(args, k) for k in ("d_model", "layers", "heads", "ff_mult", "dropout", "epochs", "patience",
                                          "samples_per_epoch", "max_val_samples", "batch_size", "lr",
                                          "weight_decay", "pos_weight", "seed", "threads", "time_budget_min",
                                          "stop_after_epochs")}
    hyper.update({"max_length": data.max_length, "ff_dim": ff_dim, "optimizer": "AdamW, linear warm-up + cosine",
                  "grad_clip": 1.0, "loss": "masked BCE with logits (labels -1 ignored), pos_weight per outcome"})
    manifest_path, manifest = find_cohort_manifest(args.data, data.meta, args.cohort_manifest)
    card = {
        "name": args.name, "version": args.model_version,
        "description": ("Multi-label risk of first onset within the horizon, for adults, from the encoded EHR history "
                        "before the index time (synthetic Synthea patients)."),
        "population": {"min_age_years": 18,
                       "description": ("adults: training index times start at age 18; the stream scores every age "
                                       "but raises no alert below min_age_years")},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": git_commit(),
        "onnx": {"file": "model.onnx", "sha256": onnx_sha, "bytes": os.path.getsize(onnx_path), "opset": OPSET,
                 "inputs": {"tokens": "int64 [batch, length] (0 = padding, right-padded)",
                            "ages": "float32 [batch, length]", "recency": "float32 [batch, length]"},
                 "outputs": {"risk": "float32 [batch, outcomes], probabilities"}},
        "encoder_spec": {"file": "encoder-spec.json", "sha256": spec_sha},
        "cohort": cohort_info(data.meta, manifest_path, manifest),
        "dataset": data.meta,
        "samples": {"total": int(len(data.split)), "train": int(len(data.indices(0))),
                    "validation": int(len(data.indices(1))), "test": int(len(test_idx)),
                    "test_patients": int(len(np.unique(data.patient[test_idx])))},
        "max_length": data.max_length, "vocab_size": data.vocab_size,
        "outcomes": outcome_specs(data),
        "prevalence": prevalence(data),
        "metrics": {"split": "test", "per_outcome": metrics, "bootstrap_resamples": args.bootstrap,
                    "mean_auroc": mean_of([m.get("auroc") for m in metrics]),
                    "baseline_mean_auroc": mean_of([b.get("test_auroc") for b in base])},
        "baseline": {"method": ("sklearn LogisticRegression per outcome on log1p(token counts) + the age at the newest "
                                "event before the index time, MaxAbs-scaled; C in {0.01, 0.1, 1} chosen by validation "
                                "AUROC; same train/validation/test split"),
                     "per_outcome": base},
        "architecture": {"description": (f"token embedding + MLP(age, recency), {args.layers} pre-LN Transformer "
                                         f"encoder layers (d={args.d_model}, {args.heads} heads, FF {ff_dim}, GELU), "
                                         "key-padding mask from tokens == 0, masked mean pooling, linear head, "
                                         "per-outcome Platt-calibrated sigmoid")},
        "parameters": parameter_count(model),
        "flops_per_sequence": flops_per_sequence(args.d_model, args.layers, ff_dim, len(data.outcomes), data.max_length),
        "hyperparameters": hyper,
        "training": train_info,
        "parity": {"runtime": ort.kind, "reference": "PyTorch fp32 on the CPU", "samples": int(len(parity_idx)),
                   "max_abs_diff": parity, "limit": 1e-4},
        "padding_invariance": {"samples": int(len(val_set)), "max_abs_diff": padding_diff, "limit": 1e-6},
        "validation": {"samples": int(len(val_set)), "files": ["tokens.npy", "ages.npy", "recency.npy", "labels.npy",
                                                               "expected.npy"],
                       "expected": f"{ort.kind} outputs for the arrays as stored (padded to L={data.max_length})"},
        "commands": regeneration_commands(args, data, manifest, argv),
        "limitations": [
            "Trained and tested on synthetic Synthea patients only; not validated on real EHR data or for clinical use.",
            "The loss uses pos_weight (" + args.pos_weight + "); probabilities are recalibrated by per-outcome Platt "
            "scaling on the validation split (see the Brier scores); set alert thresholds on held-out data.",
            "Test metrics are for index times sampled by the dataset exporter; other sampling gives other numbers.",
        ],
    }
    with open(os.path.join(args.out, "model-card.json"), "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2, sort_keys=False)
        f.write("\n")
    write_markdown(card, os.path.join(args.out, "model-card.md"))
    plot_calibration(card, os.path.join(args.out, "calibration.png"), display_names(data.spec))
    log(f"wrote {args.out}: mean test AUROC {fmt(card['metrics']['mean_auroc'])}, baseline "
        f"{fmt(card['metrics']['baseline_mean_auroc'])}")
    return card


if __name__ == "__main__":
    main()

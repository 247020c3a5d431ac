"""Merges the Java scorer benchmark (TensorRT, ONNX Runtime) and the PyTorch eager baseline of one model into one
JSON with the headline ratios, and plots throughput and p50 latency against batch size.

Model FLOPs per sequence: train.py's flops_per_sequence (2 x multiply-adds of every matrix product) for the model's
configuration (from PYTORCH.json), averaged over the inputs' real lengths (padding not counted), compared with the
GPU's dense FP16 tensor peak given by --peak-tflops (989 for an H100/H200 SXM).

usage: plot_bench.py SCORER.json PYTORCH.json OUT_PREFIX [--peak-tflops 989]
       plot_bench.py --replot MERGED.json OUT.png      (the plot again, from a merged document)
"""
import argparse
import importlib.util
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scorer")
    p.add_argument("pytorch")
    p.add_argument("prefix")
    p.add_argument("--peak-tflops", type=float, default=989.0)
    p.add_argument("--train-script", default=os.path.join(os.path.dirname(__file__), "..", "training", "train.py"))
    a = p.parse_args()
    scorer = json.load(open(a.scorer))
    torch_run = json.load(open(a.pytorch))
    spec = importlib.util.spec_from_file_location("riskstream_train", a.train_script)
    train = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = train
    spec.loader.exec_module(train)
    c = torch_run["config"]
    counts = {int(k): int(v) for k, v in scorer["lengthCounts"].items()}
    flops_per_sequence = sum(train.flops_per_sequence(c["d_model"], c["layers"], c["ff_dim"], c["outcomes"], n)["total"]
                             * k for n, k in counts.items()) / sum(counts.values())
    points = scorer["points"] + torch_run["points"]

    def get(runtime, precision, batch):
        for q in points:
            if q["runtime"] == runtime and q["precision"] == precision and q["batch"] == batch:
                return q
        return None

    headline = {}
    ratios = {}
    for q in points:
        if q["runtime"] == "tensorrt":
            e = get("pytorch-eager", q["precision"], q["batch"])
            if e:
                ratios.setdefault(q["precision"], {})[str(q["batch"])] = q["sequencesPerSecond"] / e["sequencesPerSecond"]
    for batch in (1, 256):
        t, e = get("tensorrt", "fp16", batch), get("pytorch-eager", "fp16", batch)
        if t and e:
            headline[f"trtFp16OverEagerFp16Batch{batch}"] = t["sequencesPerSecond"] / e["sequencesPerSecond"]
    for q in points:
        if q["runtime"].startswith("tensorrt-") and q["precision"] == "fp16" and q["batch"] in (1, 256):
            e = get("pytorch-eager", "fp16", q["batch"])
            if e:
                headline[f"{q['runtime']}Fp16OverEagerFp16Batch{q['batch']}"] = \
                    q["sequencesPerSecond"] / e["sequencesPerSecond"]
    best = max((q for q in points if q["runtime"].startswith("tensorrt") and q["precision"] == "fp16"),
               key=lambda q: q["tokensPerSecond"], default=None)
    if best:
        tflops = best["sequencesPerSecond"] * flops_per_sequence / 1e12
        headline["bestTrtFp16Batch"] = best["batch"]
        headline["bestTrtFp16Runtime"] = best["runtime"]
        headline["bestTrtFp16ModelTflops"] = tflops
        headline["fractionOfFp16DensePeak"] = tflops / a.peak_tflops
    merged = {"benchmark": "riskstream bench scorer + scoring/bench/pytorch_bench.py", "gpu": scorer["gpu"],
              "date": scorer["date"], "tensorrt": scorer["tensorrt"], "torch": torch_run["torch"],
              "model": {"name": scorer["model"], "version": scorer.get("modelVersion"), "sha256": scorer["modelSha256"],
                        "config": c, "maxLength": scorer.get("maxLength")},
              "inputs": scorer["inputs"], "meanLength": scorer["meanLength"], "profiles": scorer["profiles"],
              "builds": scorer["builds"], "parity": scorer.get("parity"), "gpuMemoryBytes": scorer["gpuMemoryBytes"],
              "pytorchPeakMemoryBytes": {q["precision"] + "@" + str(q["batch"]): q["peakMemoryBytes"]
                                         for q in torch_run["points"]},
              "peakTflopsAssumed": a.peak_tflops, "flopsPerSequence": flops_per_sequence, "headline": headline,
              "trtOverEagerByBatch": ratios, "points": points}
    with open(a.prefix + ".json", "w") as f:
        json.dump(merged, f, indent=2)
    plot(merged, a.prefix + ".png")
    print(json.dumps(headline, indent=2))


def plot(merged, png):
    """Throughput and p50 latency per batch size, one line per (runtime, precision), from a merged document."""
    points, c = merged["points"], merged["model"]["config"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    series = sorted({(q["runtime"], q["precision"]) for q in points})
    runtimes = sorted({r for r, _ in series})
    colors = plt.get_cmap("tab20")
    for runtime, precision in series:
        qs = sorted((q for q in points if q["runtime"] == runtime and q["precision"] == precision),
                    key=lambda q: q["batch"])
        label = f"{runtime} {precision}"
        # one colour per runtime, FP32 dashed: a dozen series stay apart
        style = dict(marker="o", label=label, color=colors(runtimes.index(runtime) % 20),
                     linestyle="--" if precision == "fp32" else "-")
        left.plot([q["batch"] for q in qs], [q["sequencesPerSecond"] for q in qs], **style)
        right.plot([q["batch"] for q in qs], [q["p50Ms"] for q in qs], **style)
    for ax, title, ylabel in ((left, "throughput (one caller unless named '<N>threads')", "sequences / s"),
                              (right, "latency per batch (p50)", "ms")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"{merged['gpu']} {merged['date']}: {merged['model']['name']} (d={c['d_model']}, {c['layers']} layers), "
                 f"mean length {merged['meanLength']:.0f} (cohort distribution), TensorRT {merged['tensorrt']}, "
                 f"PyTorch {merged['torch']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(png, dpi=120)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--replot":  # plot_bench.py --replot MERGED.json OUT.png
        plot(json.load(open(sys.argv[2])), sys.argv[3])
    else:
        main()

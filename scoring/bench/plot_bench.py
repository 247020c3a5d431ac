"""Merges the Java scorer benchmark (TensorRT, ONNX Runtime) and the PyTorch eager baseline into one JSON with the
headline ratios, and plots throughput and p50 latency against batch size.

Model FLOPs per sequence of n tokens (the transformer of tiny_risk_model.py, d model width, L layers):
L * (16 d^2 n + 4 d n^2) (QKV, output and the 2d feed-forward matmuls; QK^T and AV), counted on the inputs' real
lengths (padding not counted), compared with the GPU's dense FP16 tensor peak given by --peak-tflops.

usage: plot_bench.py SCORER.json PYTORCH.json INPUTS.bin OUT_PREFIX [--d 128 --layers 4 --peak-tflops 989]
"""
import argparse
import json

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scorer")
    p.add_argument("pytorch")
    p.add_argument("inputs")
    p.add_argument("prefix")
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--peak-tflops", type=float, default=989.0)
    a = p.parse_args()
    scorer = json.load(open(a.scorer))
    torch_run = json.load(open(a.pytorch))
    with open(a.inputs, "rb") as f:
        n, _ = np.frombuffer(f.read(8), dtype="<i4")
        lengths = np.frombuffer(f.read(4 * n), dtype="<i4").astype(np.float64)
    flops_per_token = a.layers * (16 * a.d ** 2 + 4 * a.d * (lengths ** 2).sum() / lengths.sum())
    points = scorer["points"] + torch_run["points"]

    def get(runtime, precision, batch):
        for q in points:
            if q["runtime"] == runtime and q["precision"] == precision and q["batch"] == batch:
                return q
        return None

    headline = {}
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
        tflops = best["tokensPerSecond"] * flops_per_token / 1e12
        headline["bestTrtFp16Batch"] = best["batch"]
        headline["bestTrtFp16Runtime"] = best["runtime"]
        headline["bestTrtFp16ModelTflops"] = tflops
        headline["fractionOfFp16DensePeak"] = tflops / a.peak_tflops
    merged = {"gpu": scorer["gpu"], "date": scorer["date"], "tensorrt": scorer["tensorrt"], "torch": torch_run["torch"],
              "model": {"d": a.d, "layers": a.layers, "file": scorer["model"], "sha256": scorer["modelSha256"]},
              "meanLength": scorer["meanLength"], "profiles": scorer["profiles"], "builds": scorer["builds"],
              "gpuMemoryBytes": scorer["gpuMemoryBytes"], "peakTflopsAssumed": a.peak_tflops,
              "flopsPerToken": flops_per_token, "headline": headline, "points": points}
    with open(a.prefix + ".json", "w") as f:
        json.dump(merged, f, indent=2)

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    series = sorted({(q["runtime"], q["precision"]) for q in points})
    for runtime, precision in series:
        qs = sorted((q for q in points if q["runtime"] == runtime and q["precision"] == precision),
                    key=lambda q: q["batch"])
        label = f"{runtime} {precision}"
        left.plot([q["batch"] for q in qs], [q["sequencesPerSecond"] for q in qs], marker="o", label=label)
        right.plot([q["batch"] for q in qs], [q["p50Ms"] for q in qs], marker="o", label=label)
    for ax, title, ylabel in ((left, "throughput (one thread)", "sequences / s"),
                              (right, "latency per batch (p50)", "ms")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"{scorer['gpu']} {scorer['date']}: d={a.d}, {a.layers} layers, mean length "
                 f"{scorer['meanLength']:.0f} (cohort distribution), TensorRT {scorer['tensorrt']}, "
                 f"PyTorch {torch_run['torch']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(a.prefix + ".png", dpi=120)
    print(json.dumps(headline, indent=2))


if __name__ == "__main__":
    main()

"""PyTorch eager baseline for the scorer benchmark: the training code's model (scoring/training/train.py, RiskModel
inside ProbabilityModel) with the shipped model's weights (MODEL.pt, written by onnx_to_torch.py and checked there
against ONNX Runtime), on the same inputs (written by `riskstream bench scorer`), FP32 and FP16, per batch size: pad
to the batch's longest input, copy to the GPU, forward, copy back, synchronise -- the work one TensorRT score() call
does. One thread.

usage: pytorch_bench.py MODEL.pt INPUTS.bin OUT.json [--batches 1,2,...] [--seconds 1.0] [--train-script train.py]
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np
import torch


def load_inputs(path):
    with open(path, "rb") as f:
        n, max_len = np.frombuffer(f.read(8), dtype="<i4")
        lengths = np.frombuffer(f.read(4 * n), dtype="<i4")
        tokens = np.frombuffer(f.read(8 * n * max_len), dtype="<i8").reshape(n, max_len)
        ages = np.frombuffer(f.read(4 * n * max_len), dtype="<f4").reshape(n, max_len)
        recency = np.frombuffer(f.read(4 * n * max_len), dtype="<f4").reshape(n, max_len)
    return lengths, tokens, ages, recency


def main():
    p = argparse.ArgumentParser()
    p.add_argument("state")
    p.add_argument("inputs")
    p.add_argument("out")
    p.add_argument("--batches", default="1,2,4,8,16,32,64,128,256,512,1024")
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--device", default="cuda")
    p.add_argument("--precisions", default="fp32,fp16")
    p.add_argument("--train-script", default=os.path.join(os.path.dirname(__file__), "..", "training", "train.py"))
    a = p.parse_args()
    spec = importlib.util.spec_from_file_location("riskstream_train", a.train_script)
    train = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = train  # dataclasses look their module up while the file executes
    spec.loader.exec_module(train)
    saved = torch.load(a.state, map_location="cpu")
    lengths, tokens, ages, recency = load_inputs(a.inputs)
    n = len(lengths)
    points = []
    dtypes = {"fp32": torch.float32, "fp16": torch.float16}
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    for precision in a.precisions.split(","):
        dtype = dtypes[precision]
        model = train.ProbabilityModel(train.RiskModel(**saved["config"]))
        model.load_state_dict(saved["state"])
        model = model.to(a.device, dtype=dtype).eval()
        for batch in [int(b) for b in a.batches.split(",")]:
            if a.device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            offset, times, seqs, toks = 0, [], 0, 0
            iterations_min, start, warm = 20, None, max(3, 4)
            with torch.inference_mode():
                i = 0
                while True:
                    idx = (np.arange(batch) + offset) % n
                    offset = (offset + batch) % n
                    width = int(lengths[idx].max())
                    t0 = time.perf_counter()
                    tk = torch.from_numpy(np.ascontiguousarray(tokens[idx, :width])).to(a.device)
                    ag = torch.from_numpy(np.ascontiguousarray(ages[idx, :width])).to(a.device).to(dtype)
                    rc = torch.from_numpy(np.ascontiguousarray(recency[idx, :width])).to(a.device).to(dtype)
                    out = model(tk, ag, rc).float().cpu()
                    sync()
                    t1 = time.perf_counter()
                    i += 1
                    if i <= warm:
                        continue
                    if start is None:
                        start = t0
                    times.append(t1 - t0)
                    seqs += batch
                    toks += int(lengths[idx].sum())
                    if len(times) >= iterations_min and t1 - start >= a.seconds:
                        break
            assert out.shape == (batch, saved["config"]["outcomes"]), out.shape
            times.sort()
            total = sum(times)
            point = {"runtime": "pytorch-eager", "precision": precision, "batch": batch, "iterations": len(times),
                     "p50Ms": 1e3 * times[int(np.ceil(0.5 * len(times))) - 1],
                     "p99Ms": 1e3 * times[int(np.ceil(0.99 * len(times))) - 1],
                     "meanMs": 1e3 * total / len(times), "sequencesPerSecond": seqs / total,
                     "tokensPerSecond": toks / total,
                     "peakMemoryBytes": torch.cuda.max_memory_allocated() if a.device == "cuda" else None}
            print(json.dumps(point), flush=True)
            points.append(point)
    with open(a.out, "w") as f:
        json.dump({"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu",
                   "model": saved.get("model"), "config": saved["config"], "points": points}, f, indent=2)


if __name__ == "__main__":
    main()

"""PyTorch eager baseline for the scorer benchmark: the training code's model (scoring/training/train.py, RiskModel
inside ProbabilityModel) with the shipped model's weights (MODEL.pt, written by onnx_to_torch.py and checked there
against ONNX Runtime), on the same inputs (written by `riskstream bench scorer`), FP32 and FP16, per batch size: pad
to the batch's longest input, copy to the GPU, forward, copy back, synchronise -- the work one TensorRT score() call
does. One thread; with --threads N also N Python threads at once, each on a CUDA stream of its own and waiting
only for that stream (runtime `pytorch-eager-<N>threads`: throughput = all their sequences over the span from the
first thread's start to the last one's end), the counterpart of `tensorrt-<N>threads`.

usage: pytorch_bench.py MODEL.pt INPUTS.bin OUT.json [--batches 1,2,...] [--seconds 1.0] [--threads 2,4]
                        [--train-script train.py]
"""
import argparse
import contextlib
import importlib.util
import json
import os
import sys
import threading
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
    p.add_argument("--threads", default="", help="also time this many threads at once (comma-separated counts)")
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
            for threads in [int(t) for t in a.threads.split(",") if t]:
                point = concurrent_point(model, dtype, precision, batch, threads, a.seconds, lengths, tokens, ages,
                                         recency, a.device)
                print(json.dumps(point), flush=True)
                points.append(point)
    with open(a.out, "w") as f:
        json.dump({"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu",
                   "model": saved.get("model"), "config": saved["config"], "points": points}, f, indent=2)


def concurrent_point(model, dtype, precision, batch, threads, seconds, lengths, tokens, ages, recency, device):
    """`threads` threads, each doing what one timed call above does on its own CUDA stream, for `seconds`."""
    n = len(lengths)
    results = [None] * threads
    barrier = threading.Barrier(threads)

    def work(t):
        stream = torch.cuda.Stream() if device == "cuda" else None
        on_stream = torch.cuda.stream(stream) if stream is not None else contextlib.nullcontext()
        offset, times, seqs, toks = (t * 997 * batch) % n, [], 0, 0
        with torch.inference_mode(), on_stream:
            for i in range(4 + 20 * 100_000):
                if i == 4:
                    barrier.wait()
                    start = time.perf_counter()
                idx = (np.arange(batch) + offset) % n
                offset = (offset + batch) % n
                width = int(lengths[idx].max())
                t0 = time.perf_counter()
                tk = torch.from_numpy(np.ascontiguousarray(tokens[idx, :width])).to(device)
                ag = torch.from_numpy(np.ascontiguousarray(ages[idx, :width])).to(device).to(dtype)
                rc = torch.from_numpy(np.ascontiguousarray(recency[idx, :width])).to(device).to(dtype)
                out = model(tk, ag, rc).float().cpu()
                if stream is not None:
                    stream.synchronize()
                t1 = time.perf_counter()
                if i < 4:
                    continue
                times.append(t1 - t0)
                seqs += batch
                toks += int(lengths[idx].sum())
                if len(times) >= 20 and t1 - start >= seconds:
                    break
        assert out.shape[0] == batch
        results[t] = (start, time.perf_counter(), times, seqs, toks)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if any(r is None for r in results):
        raise SystemExit(f"pytorch_bench: a thread failed at batch {batch} x {threads} threads")
    span = max(r[1] for r in results) - min(r[0] for r in results)
    times = sorted(x for r in results for x in r[2])
    seqs, toks = sum(r[3] for r in results), sum(r[4] for r in results)
    return {"runtime": f"pytorch-eager-{threads}threads", "precision": precision, "batch": batch,
            "iterations": len(times), "p50Ms": 1e3 * times[int(np.ceil(0.5 * len(times))) - 1],
            "p99Ms": 1e3 * times[int(np.ceil(0.99 * len(times))) - 1], "meanMs": 1e3 * sum(times) / len(times),
            "sequencesPerSecond": seqs / span, "tokensPerSecond": toks / span}


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Diagnostic graph variants of a shipped model's ONNX file, for EngineProbe on the GPU host: which form of the
attention lets TensorRT fuse it into one kernel. Same inputs and outputs as the model; the weights are unchanged.

  nomask  the additive key-padding mask removed from every attention (NOT the model: a different function; it only
          shows what the attention costs when TensorRT fuses it)
  split   Q, K, V taken from the packed projection with one Split instead of three Gathers (same function)

usage: attention_variants.py MODEL_ONNX OUT_DIR
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def attention_adds(graph):
    """The Add nodes that add the key mask to Q K^T: their output feeds a Softmax."""
    softmax_inputs = {n.input[0] for n in graph.node if n.op_type == "Softmax"}
    return [n for n in graph.node if n.op_type == "Add" and n.output[0] in softmax_inputs]


def without_mask(model):
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    for add in attention_adds(g):
        scores = next(i for i in add.input if "MatMul" in i)
        for n in g.node:
            for k, name in enumerate(n.input):
                if name == add.output[0]:
                    n.input[k] = scores
        g.node.remove(add)
    return m


def with_split(model):
    """Gather(index 0|1|2, axis 0) on the [3, B, H, L, Dh] projection -> one Split(3) + Squeeze per output."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    consts = {n.output[0]: n for n in g.node if n.op_type == "Constant"}
    by_source = {}
    for n in g.node:
        if n.op_type == "Gather" and "attention/Transpose_output_0" in n.input[0]:
            value = numpy_helper.to_array(consts[n.input[1]].attribute[0].t)
            by_source.setdefault(n.input[0], {})[int(value)] = n
    axes = helper.make_node("Constant", [], ["split_variant_axes0"],
                            value=numpy_helper.from_array(np.array([0], dtype="int64")))
    g.node.insert(0, axes)
    for source, gathers in by_source.items():
        if sorted(gathers) != [0, 1, 2]:
            raise SystemExit(f"{source}: expected gathers of 0, 1, 2, got {sorted(gathers)}")
        parts = [f"{source}_part{i}" for i in range(3)]
        sizes = helper.make_node("Constant", [], [f"{source}_sizes"],
                                 value=numpy_helper.from_array(np.array([1, 1, 1], dtype="int64")))
        split = helper.make_node("Split", [source, f"{source}_sizes"], parts, axis=0)  # opset 13-17 form
        at = list(g.node).index(gathers[0])
        new = [sizes, split] + [helper.make_node("Squeeze", [parts[i], "split_variant_axes0"], [gathers[i].output[0]])
                         for i in range(3)]
        for gather in gathers.values():
            g.node.remove(gather)
        for k, n in enumerate(new):
            g.node.insert(at + k, n)
    return m


def main():
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    model = onnx.load(str(source))
    print(f"{len(attention_adds(model.graph))} attention mask adds")
    for name, make in (("nomask", without_mask), ("split", with_split)):
        variant = make(model)
        onnx.checker.check_model(variant)
        path = out / f"{source.parent.name}-{name}.onnx"
        onnx.save(variant, str(path))
        print(path)


if __name__ == "__main__":
    main()

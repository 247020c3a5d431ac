package io.riskstream.scoring.tensorrt;

/** A GPU as the engine cache sees it: its product name and compute capability ({@code 9.0}), and its memory. */
public record GpuDescription(int device, String name, String computeCapability, long totalMemoryBytes) {
}

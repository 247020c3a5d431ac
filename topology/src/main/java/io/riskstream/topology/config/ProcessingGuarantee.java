package io.riskstream.topology.config;

import java.util.Locale;

/** Kafka Streams' processing guarantees RiskStream runs with ({@code processing.guarantee}). */
public enum ProcessingGuarantee {
  /** Every score and alert is produced exactly once (the default). */
  EXACTLY_ONCE_V2,
  /** Outputs may repeat after a crash (deterministic ids let consumers drop repeats). */
  AT_LEAST_ONCE;

  /** The value of Kafka Streams' {@code processing.guarantee}. */
  public String streamsValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}

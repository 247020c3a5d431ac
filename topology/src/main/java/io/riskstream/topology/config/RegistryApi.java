package io.riskstream.topology.config;

/** The REST API of the schema registry at {@code registry.url} ({@code registry.api}). */
public enum RegistryApi {
  /** Apicurio Registry's own v3 API ({@code .../apis/registry/v3}). */
  APICURIO,
  /**
   * The Confluent Schema Registry API: Confluent Schema Registry, Redpanda, Karapace, Apicurio's
   * {@code .../apis/ccompat/v7}.
   */
  CONFLUENT
}

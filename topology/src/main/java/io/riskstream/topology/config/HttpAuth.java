package io.riskstream.topology.config;

/** How the HTTP endpoints that return patient data authenticate callers ({@code http.auth}). */
public enum HttpAuth {
  /** A bearer token from {@code http.auth.tokens.file} (the default). */
  TOKEN,
  /** A client certificate trusted by {@code http.tls.truststore.path} (needs TLS). */
  MTLS,
  /** Either of the two. */
  TOKEN_OR_MTLS,
  /** No authentication: anyone who reaches the port reads patient data (must be chosen explicitly). */
  NONE;

  /** Whether a bearer token is accepted. */
  public boolean acceptsToken() {
    return this == TOKEN || this == TOKEN_OR_MTLS;
  }

  /** Whether a trusted client certificate is accepted. */
  public boolean acceptsClientCertificate() {
    return this == MTLS || this == TOKEN_OR_MTLS;
  }
}

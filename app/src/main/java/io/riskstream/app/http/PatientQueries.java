package io.riskstream.app.http;

import io.riskstream.topology.AlertState;

/** Answers {@code GET /patients/{id}/risk}: from a local copy of the patient's alert state or from another instance. */
@FunctionalInterface
public interface PatientQueries {

  /**
   * The request as far as answering needs it.
   *
   * @param authorization the caller's Authorization header (null when it authenticated otherwise), passed on when
   *     the query is forwarded
   * @param forwardedBy the instance that forwarded this query to this one, or null: a forwarded query is answered here
   *     and never forwarded again
   */
  record Caller(String authorization, String forwardedBy) {
    public boolean forwarded() {
      return forwardedBy != null;
    }
  }

  /** An answer about one patient. */
  sealed interface Answer {
  }

  /**
   * The patient's alert state from a copy on {@code servedBy}: the owner's up-to-date copy ({@code stale} false), or
   * a standby or restoring copy during a rebalance or while the owner is gone ({@code stale} true, {@code lag} the
   * records it is behind when known, else null).
   */
  record Found(AlertState state, boolean stale, Long lag, String servedBy) implements Answer {
  }

  /** The owner's up-to-date copy holds no score of the patient. */
  record NotFound(String servedBy) implements Answer {
  }

  /** No copy that can answer is queryable now (rebalance, restoration, owner unreachable): retry. */
  record Unavailable(String reason) implements Answer {
  }

  /** The answer of the instance the query was forwarded to, passed on as it came (200 or 404 with its JSON). */
  record Relayed(int status, String body) implements Answer {
  }

  Answer query(String patientId, Caller caller);
}

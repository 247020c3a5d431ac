package io.riskstream.app.http;

import com.sun.net.httpserver.HttpExchange;
import io.riskstream.app.http.HttpExchanges.Response;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a clinician request about one patient (CDS Hooks cards, FHIR search, the inbox's history) or one alert (CDS
 * Hooks and inbox feedback) is answered: here
 * when this instance owns the patient's partition (or runs alone), else by the owner, to which the request is relayed
 * as it came ({@link PeerClient#relay}: method, path and query, body, the caller's credentials, marked with
 * {@value PeerClient#FORWARDED_BY}) within {@code http.forward.timeout.ms}. The owner is found as for
 * {@code /patients/{id}/risk} ({@link PatientRouting.StoreCopies#owner}: the stores these routes read are in the same
 * tasks as the alert state, keyed by patient). A relayed request is never relayed again. Where no owner is known
 * (a rebalance), the owner did not answer in time, or a relayed request reached an instance that no longer owns the
 * patient, the answer is "unavailable; retry" (503): these routes answer only from the owner's up-to-date copy, since
 * a stale copy's cards or resources cannot be marked as such in CDS Hooks or a FHIR Bundle without misleading readers.
 */
public final class OwnerRouting {

  private final PatientRouting.StoreCopies copies;
  private final HostInfo self;
  private final PeerClient peers;

  /**
   * @param self this instance's {@code application.server}, or null for one instance (then the others may be null)
   */
  public OwnerRouting(PatientRouting.StoreCopies copies, HostInfo self, PeerClient peers) {
    this.copies = copies;
    this.self = self;
    this.peers = peers;
    if (self != null) {
      Objects.requireNonNull(copies, "copies");
      Objects.requireNonNull(peers, "peers");
    }
  }

  /** One instance: every request is answered here. */
  public static OwnerRouting local() {
    return new OwnerRouting(null, null, null);
  }

  /**
   * The answer to {@code exchange}, about {@code patientId} (its body {@code body} already read), from elsewhere: the
   * owner's response when another instance owns the patient, {@code unavailable}'s response (503) with the reason
   * when no owner can answer now; empty when this instance answers it.
   */
  Optional<Response> forPatient(HttpExchange exchange, String patientId, byte[] body,
      Function<String, Response> unavailable) {
    if (self == null) {
      return Optional.empty();
    }
    KeyQueryMetadata owner = copies.owner(patientId);
    if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.partition() < 0) {
      return Optional.of(unavailable.apply("rebalancing: the owner of this patient is not known now; retry"));
    }
    if (self.equals(owner.activeHost())) {
      return Optional.empty();
    }
    if (exchange.getRequestHeaders().containsKey(PeerClient.FORWARDED_BY)) {
      return Optional.of(unavailable.apply("this instance no longer owns the patient (rebalancing); retry"));
    }
    return Optional.of(peers.relay(owner.activeHost(), exchange, body).orElseGet(
        () -> unavailable.apply("the instance that owns this patient did not answer; retry")));
  }

  /**
   * The answer to {@code exchange}, about an alert this instance does not know (feedback names only the alert; its
   * index entry is kept by the owner of the alert's patient), from the first other instance that answers other than
   * 404; {@code unavailable}'s response when one did not answer; empty (answer here: unknown) when none knows it or
   * the request was relayed already.
   */
  Optional<Response> forUnknownAlert(HttpExchange exchange, byte[] body, Function<String, Response> unavailable) {
    if (self == null || exchange.getRequestHeaders().containsKey(PeerClient.FORWARDED_BY)) {
      return Optional.empty();
    }
    boolean allAnswered = true;
    for (HostInfo other : copies.hosts()) {
      if (!self.equals(other)) {
        Optional<Response> answer = peers.relay(other, exchange, body);
        if (answer.isPresent() && answer.get().status() != 404) {
          return answer;
        }
        allAnswered &= answer.isPresent();
      }
    }
    return allAnswered ? Optional.empty()
        : Optional.of(unavailable.apply("an instance that may know this alert did not answer; retry"));
  }
}

package io.riskstream.app.http;

import com.sun.net.httpserver.HttpExchange;
import io.riskstream.app.http.HttpExchanges.Response;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a clinician request about one patient (CDS Hooks cards, FHIR search, the inbox's history) is answered: here
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

  /** Where a request is answered. */
  sealed interface Route {
  }

  /** Here, from this instance's stores. */
  record Here() implements Route {
  }

  /** By the owner: its response, passed on as it came. */
  record Relayed(Response response) implements Route {
  }

  /** Nowhere now: 503 with this reason. */
  record Unavailable(String reason) implements Route {
  }

  private static final Route HERE = new Here();

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

  /** Where {@code exchange}, about {@code patientId}, with the request body {@code body} already read, is answered. */
  Route route(HttpExchange exchange, String patientId, byte[] body) {
    if (self == null) {
      return HERE;
    }
    KeyQueryMetadata owner = copies.owner(patientId);
    if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.partition() < 0) {
      return new Unavailable("rebalancing: the owner of this patient is not known now; retry");
    }
    if (self.equals(owner.activeHost())) {
      return HERE;
    }
    if (exchange.getRequestHeaders().containsKey(PeerClient.FORWARDED_BY)) {
      return new Unavailable("this instance no longer owns the patient (rebalancing); retry");
    }
    Optional<Response> relayed = peers.relay(owner.activeHost(), exchange, body);
    return relayed.<Route>map(Relayed::new)
        .orElseGet(() -> new Unavailable("the instance that owns this patient did not answer; retry"));
  }
}

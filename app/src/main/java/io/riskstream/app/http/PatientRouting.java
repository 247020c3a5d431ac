package io.riskstream.app.http;

import io.riskstream.topology.AlertProcessor;
import io.riskstream.topology.AlertState;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StreamsMetadata;

/**
 * Patient queries over the {@value AlertProcessor#STORE} store of a Kafka Streams client, routed to the instance that
 * owns the patient ({@link KafkaStreams#queryMetadataForKey}, keyed as the store's partitions are: the patient id as a
 * UTF-8 string, the default partitioner):
 * <ol>
 *   <li>this instance is the active owner and its store is queryable: its answer (404 when the patient has no score);</li>
 *   <li>another instance is the owner and the query was not forwarded to this one: forwarded to the owner
 *       ({@link PeerClient}, bounded timeout);</li>
 *   <li>otherwise (rebalance, owner restoring or unreachable, a forwarded query that reached a non-owner): a local
 *       standby or restoring copy answers, marked stale with its lag; then, for a query not forwarded yet, the
 *       standbys of the other instances in turn;</li>
 *   <li>503 when no copy answered. A stale copy without the patient also answers 503, not 404: it may be behind.</li>
 * </ol>
 * Without {@code application.server} (one instance) the local stores answer, stale ones only during a rebalance.
 */
public final class PatientRouting implements PatientQueries {

  private static final Serializer<String> KEYS = Serdes.String().serializer();

  /** The copies of the {@value AlertProcessor#STORE} store as this instance sees them. */
  public interface StoreCopies {
    /** The partition of the patient and its active and standby hosts; {@link KeyQueryMetadata#NOT_AVAILABLE} when unknown. */
    KeyQueryMetadata owner(String patientId);

    /**
     * The patient's state in this instance's active, running copy of {@code partition} (null: of every local
     * partition), or null; throws {@link InvalidStateStoreException} when there is no such copy.
     */
    AlertState active(String patientId, Integer partition);

    /** As {@link #active}, from any local copy: active, restoring or standby. */
    AlertState anyCopy(String patientId, Integer partition);

    /** How many records the local copy of {@code partition} is behind, or null when unknown. */
    Long lag(int partition);

    /** The {@code application.server} of every instance of the application (this one included), as far as known. */
    default Collection<HostInfo> hosts() {
      return List.of();
    }
  }

  private final StoreCopies copies;
  private final HostInfo self;
  private final PeerClient peers;
  private final String selfName;

  /**
   * @param self this instance's {@code application.server}, or null for one instance (then {@code peers} may be null)
   */
  public PatientRouting(KafkaStreams streams, HostInfo self, PeerClient peers) {
    this(copiesOf(streams), self, peers);
  }

  /** Routing over {@code copies} (the Kafka Streams client's, or a test's). */
  public PatientRouting(StoreCopies copies, HostInfo self, PeerClient peers) {
    this.copies = Objects.requireNonNull(copies, "copies");
    this.self = self;
    this.peers = peers;
    this.selfName = self == null ? "local" : self.host() + ":" + self.port();
    if (self != null) {
      Objects.requireNonNull(peers, "peers");
    }
  }

  @Override
  public Answer query(String patientId, Caller caller) {
    if (self == null) {
      return local(patientId, null);
    }
    KeyQueryMetadata owner = copies.owner(patientId);
    if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.partition() < 0) {
      // no metadata during a rebalance: whatever copy this instance has, active or not
      Answer here = local(patientId, null);
      return staleOnly(here instanceof Unavailable ? stale(patientId, null) : here);
    }
    int partition = owner.partition();
    if (self.equals(owner.activeHost())) {
      Answer active = local(patientId, partition);
      if (!(active instanceof Unavailable)) {
        return active;
      }
    } else if (!caller.forwarded()) {
      Optional<Relayed> relayed = peers.query(owner.activeHost(), patientId, caller);
      if (relayed.isPresent()) {
        return relayed.get();
      }
    }
    Answer copy = stale(patientId, partition);
    if (copy instanceof Found || caller.forwarded()) {
      return copy;
    }
    for (HostInfo standby : owner.standbyHosts()) {
      if (!self.equals(standby)) {
        Optional<Relayed> relayed = peers.query(standby, patientId, caller);
        if (relayed.isPresent() && relayed.get().status() == 200) {
          return relayed.get();
        }
      }
    }
    return new Unavailable("no queryable copy of this patient's partition; retry");
  }

  /** The active local copy of {@code partition} (null: every local partition); stale copies when it is not queryable. */
  private Answer local(String patientId, Integer partition) {
    try {
      AlertState state = copies.active(patientId, partition);
      return state == null ? new NotFound(selfName) : new Found(state, false, null, selfName);
    } catch (InvalidStateStoreException notActiveOrNotQueryable) {
      return self == null ? stale(patientId, null) : new Unavailable("not the owner's queryable copy");
    }
  }

  /** A standby or restoring local copy of {@code partition} (null: of any local partition), marked stale. */
  private Answer stale(String patientId, Integer partition) {
    try {
      AlertState state = copies.anyCopy(patientId, partition);
      if (state == null) {
        return new Unavailable("the copy here may be behind and holds no score of this patient; retry");
      }
      return new Found(state, true, partition == null ? null : copies.lag(partition), selfName);
    } catch (InvalidStateStoreException noLocalCopy) {
      return new Unavailable("no queryable copy here; retry");
    }
  }

  private static Answer staleOnly(Answer answer) {
    if (answer instanceof Found f && !f.stale()) {
      // active, but without metadata this instance cannot tell whether a rebalance is moving it away
      return new Found(f.state(), true, null, f.servedBy());
    }
    return answer instanceof NotFound ? new Unavailable("rebalancing; retry") : answer;
  }

  /** The copies of a Kafka Streams client's {@value AlertProcessor#STORE} store (interactive queries). */
  public static StoreCopies copiesOf(KafkaStreams streams) {
    Objects.requireNonNull(streams, "streams");
    return new StoreCopies() {
      @Override
      public KeyQueryMetadata owner(String patientId) {
        try {
          return streams.queryMetadataForKey(AlertProcessor.STORE, patientId, KEYS);
        } catch (IllegalStateException notRunning) {
          return KeyQueryMetadata.NOT_AVAILABLE;
        }
      }

      @Override
      public AlertState active(String patientId, Integer partition) {
        return read(patientId, partition, false);
      }

      @Override
      public AlertState anyCopy(String patientId, Integer partition) {
        return read(patientId, partition, true);
      }

      private AlertState read(String patientId, Integer partition, boolean stale) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, AlertState>> params = StoreQueryParameters.fromNameAndType(
            AlertProcessor.STORE, QueryableStoreTypes.<String, AlertState>keyValueStore());
        params = partition == null ? params : params.withPartition(partition);
        return streams.store(stale ? params.enableStaleStores() : params).get(patientId);
      }

      @Override
      public Collection<HostInfo> hosts() {
        try {
          return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo).toList();
        } catch (IllegalStateException notRunning) {
          return List.of();
        }
      }

      @Override
      public Long lag(int partition) {
        try {
          Map<Integer, LagInfo> lags = streams.allLocalStorePartitionLags().get(AlertProcessor.STORE);
          LagInfo info = lags == null ? null : lags.get(partition);
          return info == null ? null : info.offsetLag();
        } catch (RuntimeException unknown) {
          return null; // the lag is extra information; the answer does not depend on it
        }
      }
    };
  }
}

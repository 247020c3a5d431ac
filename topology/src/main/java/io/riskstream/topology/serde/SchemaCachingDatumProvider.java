package io.riskstream.topology.serde;

import io.apicurio.registry.serde.avro.AvroDatumProvider;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Apicurio's datum provider ({@link DefaultAvroDatumProvider}) with the readers and writers it builds kept per
 * {@link Schema} instance. The default provider keys its own caches by the schema's parsing fingerprint, which it
 * recomputes (a walk over the whole schema's canonical form) for every record: about 7% of the stream threads' time
 * in {@code riskstream bench e2e}. Writers are looked up by the record's schema (the generated class's one instance),
 * readers by the writer schema the resolver returns (one cached instance per schema id), so a record costs an
 * identity lookup. Written here because Apicurio 3.1 has no such cache; a schema instance seen for the first time
 * goes to the default provider, which stays the one that decides how records are read and written.
 */
public final class SchemaCachingDatumProvider<T> implements AvroDatumProvider<T> {

  /** More distinct schema instances than this (a resolver that parses a new instance per lookup) empties the cache. */
  static final int MAX_ENTRIES = 1024;

  private final DefaultAvroDatumProvider<T> delegate = new DefaultAvroDatumProvider<>();
  private final ConcurrentHashMap<Identity, DatumWriter<T>> specificWriters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Identity, DatumWriter<T>> otherWriters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Identity, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /** A map key that compares schemas by identity: Schema.equals and hashCode walk the whole schema. */
  private record Identity(Schema schema) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity other && other.schema == schema;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(schema);
    }
  }

  @Override
  public void configure(AvroSerdeConfig config) {
    delegate.configure(config);
    specificWriters.clear();
    otherWriters.clear();
    readers.clear();
  }

  @Override
  public DatumWriter<T> createDatumWriter(T data, Schema schema) {
    return cached(data instanceof SpecificRecord ? specificWriters : otherWriters, schema,
        s -> delegate.createDatumWriter(data, s));
  }

  @Override
  public DatumReader<T> createDatumReader(Schema schema) {
    return cached(readers, schema, delegate::createDatumReader);
  }

  @Override
  public Schema toSchema(T data) {
    return delegate.toSchema(data);
  }

  private static <V> V cached(ConcurrentHashMap<Identity, V> cache, Schema schema, Function<Schema, V> create) {
    Identity key = new Identity(schema);
    V v = cache.get(key);
    if (v == null) {
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
      v = cache.computeIfAbsent(key, k -> create.apply(k.schema()));
    }
    return v;
  }

  /** Entries held (for tests). */
  int cachedEntries() {
    return specificWriters.size() + otherWriters.size() + readers.size();
  }
}

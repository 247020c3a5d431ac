package io.riskstream.topology.serde;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An in-memory schema registry behind Apicurio's {@link RegistryClientFacade}, for the embedded demo and tests.
 * Identical schema text gets one content id (and is found again by content); each (group, artifact) keeps its
 * versions and the references (named types of other artifacts) it was created with. Ids are derived from what they
 * name (31 bits of the SHA-256 of the schema text; of group, artifact and content id for a version), not from the
 * order of registration: records written by one process (e.g. a demo or test app that was killed) stay readable by
 * the next one, whichever order its stream threads register the schemas in. Thread-safe:
 * every method synchronizes on the instance (registration is rare, and the serdes cache what they resolve).
 */
public final class InMemorySchemaRegistry implements RegistryClientFacade {

  private record Version(long globalId, long contentId, String groupId, String artifactId, String version) {
    RegistryVersionCoordinates coordinates() {
      return RegistryVersionCoordinates.create(globalId, contentId, groupId, artifactId, version);
    }
  }

  private final Map<String, Long> contentIdByText = new HashMap<>();
  private final Map<Long, List<RegistryArtifactReference>> referencesByContentId = new HashMap<>();
  private final Map<Long, String> textByContentId = new HashMap<>();
  private final Map<String, Long> contentIdByHash = new HashMap<>();
  private final Map<Long, Version> versionByGlobalId = new HashMap<>();
  private final Map<String, List<Version>> versionsByArtifact = new HashMap<>();
  /** Set once the RiskStream schemas are in: then any other schema content is refused (its id would not survive). */
  private boolean onlyKnownContent;

  /**
   * A registry that knows the contents of the RiskStream topic value schemas (EmrEvent, RiskScore, RiskAlert,
   * DeadLetter, RiskAlertFeedback) from the start, with the ids their serializers register them under, registered in a fixed order (so
   * even an id collision resolves the same way in every process), and that refuses any other schema content with an
   * {@link IllegalStateException}: every id it hands out is one that a restarted process of the same version
   * reproduces exactly. A reader can then resolve records that an earlier process wrote before this one wrote any
   * (e.g. a restarted app reading {@code emr-events}). What {@code registry.url=mem://} gives {@code riskstream run}.
   */
  public static InMemorySchemaRegistry withRiskStreamSchemas() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    AvroSerdes serdes = AvroSerdes.withClient(registry);
    // Registered by the serializers themselves, so that the contents (Apicurio splits out named types as references)
    // are exactly what they register later. The serializer resolves and registers the schema before it writes the
    // record; an empty record then fails to write, which is expected here.
    preload(serdes, new io.riskstream.schemas.EmrEvent(), io.riskstream.schemas.EmrEvent.class);
    preload(serdes, new io.riskstream.schemas.RiskScore(), io.riskstream.schemas.RiskScore.class);
    preload(serdes, new io.riskstream.schemas.RiskAlert(), io.riskstream.schemas.RiskAlert.class);
    preload(serdes, new io.riskstream.schemas.DeadLetter(), io.riskstream.schemas.DeadLetter.class);
    preload(serdes, new io.riskstream.schemas.RiskAlertFeedback(), io.riskstream.schemas.RiskAlertFeedback.class);
    preload(serdes, new io.riskstream.schemas.CalibrationDrift(), io.riskstream.schemas.CalibrationDrift.class);
    synchronized (registry) {
      registry.onlyKnownContent = true;
    }
    return registry;
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> void preload(AvroSerdes serdes, T empty,
      Class<T> type) {
    try (var serializer = serdes.value(type).serializer()) {
      serializer.serialize("preload", empty);
    } catch (RuntimeException expectedForAnEmptyRecord) {
      // the schema is registered; only the write of the empty record failed
    }
  }

  private synchronized long content(String artifact, String schemaString, Set<RegistryArtifactReference> references) {
    if (onlyKnownContent && !contentIdByText.containsKey(schemaString)) {
      throw new IllegalStateException("the in-memory schema registry (registry.url=mem://) holds only RiskStream's own"
          + " schemas, whose ids a restarted process reproduces; the schema of " + artifact + " is not one of them"
          + " (records written with it would be unreadable after a restart): set registry.url to a durable registry");
    }
    return contentIdByText.computeIfAbsent(schemaString, s -> {
      long id = freeId(sha256(s), textByContentId.keySet());
      textByContentId.put(id, s);
      contentIdByHash.put(sha256(s), id);
      referencesByContentId.put(id, references == null ? List.of() : List.copyOf(references));
      return id;
    });
  }

  private static String ga(String groupId, String artifactId) {
    return (groupId == null ? "default" : groupId) + "/" + artifactId;
  }

  @Override
  public synchronized String getSchemaByContentId(Long contentId) {
    String s = textByContentId.get(contentId);
    if (s == null) {
      throw new IllegalArgumentException("no schema with content id " + contentId + " in the in-memory registry"
          + (onlyKnownContent ? " (registry.url=mem://, which holds only this version's RiskStream schemas)" : ""));
    }
    return s;
  }

  @Override
  public synchronized String getSchemaByGlobalId(long globalId, boolean dereferenced) {
    Version v = versionByGlobalId.get(globalId);
    if (v == null) {
      throw new IllegalArgumentException("no schema with global id " + globalId);
    }
    return textByContentId.get(v.contentId());
  }

  @Override
  public synchronized String getSchemaByGAV(String groupId, String artifactId, String version) {
    return textByContentId.get(find(groupId, artifactId, version).contentId());
  }

  @Override
  public synchronized String getSchemaByContentHash(String contentHash) {
    Long id = contentIdByHash.get(contentHash);
    if (id == null) {
      throw new IllegalArgumentException("no schema with content hash " + contentHash);
    }
    return textByContentId.get(id);
  }

  @Override
  public synchronized List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
    return referencesByContentId.getOrDefault(contentId, List.of());
  }

  @Override
  public synchronized List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
    Version v = versionByGlobalId.get(globalId);
    return v == null ? List.of() : getReferencesByContentId(v.contentId());
  }

  @Override
  public synchronized List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
    return getReferencesByContentId(find(groupId, artifactId, version).contentId());
  }

  @Override
  public synchronized List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
    Long id = contentIdByHash.get(contentHash);
    return id == null ? List.of() : getReferencesByContentId(id);
  }

  @Override
  public synchronized List<RegistryVersionCoordinates> searchVersionsByContent(String schemaString, String artifactType,
      ArtifactReference reference, boolean canonical) {
    Long contentId = contentIdByText.get(schemaString);
    if (contentId == null) {
      return List.of();
    }
    List<RegistryVersionCoordinates> out = new ArrayList<>();
    for (List<Version> versions : versionsByArtifact.values()) {
      for (Version v : versions) {
        boolean sameArtifact = reference == null || reference.getArtifactId() == null
            || (Objects.equals(reference.getArtifactId(), v.artifactId()));
        if (v.contentId() == contentId && sameArtifact) {
          out.add(v.coordinates());
        }
      }
    }
    return out;
  }

  @Override
  public synchronized RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId,
      String version, String autoCreateBehavior, boolean canonical, String schemaString,
      Set<RegistryArtifactReference> references) {
    long contentId = content(ga(groupId, artifactId), schemaString, references);
    List<Version> versions = versionsByArtifact.computeIfAbsent(ga(groupId, artifactId), k -> new ArrayList<>());
    for (Version v : versions) {
      if (v.contentId() == contentId) {
        return v.coordinates(); // FIND_OR_CREATE_VERSION: the same content is the same version
      }
    }
    Version v = new Version(freeId(sha256(ga(groupId, artifactId) + "\n" + contentId), versionByGlobalId.keySet()),
        contentId, groupId, artifactId,
        version != null ? version : String.valueOf(versions.size() + 1));
    versions.add(v);
    versionByGlobalId.put(v.globalId(), v);
    return v.coordinates();
  }

  @Override
  public synchronized RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
    return find(groupId, artifactId, version).coordinates();
  }

  @Override
  public Object getClient() {
    return this;
  }

  /** Number of distinct schema contents registered. */
  public synchronized int size() {
    return textByContentId.size();
  }

  private Version find(String groupId, String artifactId, String version) {
    List<Version> versions = versionsByArtifact.get(ga(groupId, artifactId));
    if (versions == null || versions.isEmpty()) {
      throw new IllegalArgumentException("no artifact " + ga(groupId, artifactId));
    }
    if (version == null || "latest".equals(version) || "branch=latest".equals(version)) {
      return versions.get(versions.size() - 1);
    }
    return versions.stream().filter(v -> v.version().equals(version)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no version " + version + " of " + ga(groupId, artifactId)));
  }

  /**
   * The first 31 bits of a SHA-256 (hex) as an id in 1..2^31-1 (ids travel as 4-byte ints in the Confluent framing),
   * the next free one on a collision.
   */
  private static long freeId(String sha256Hex, Set<Long> taken) {
    long id = Long.parseLong(sha256Hex.substring(0, 8), 16) & 0x7fff_ffffL;
    while (id == 0 || taken.contains(id)) {
      id = (id + 1) & 0x7fff_ffffL;
    }
    return id;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

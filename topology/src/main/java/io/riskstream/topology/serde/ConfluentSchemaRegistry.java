package io.riskstream.topology.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client of the Confluent Schema Registry REST API (Confluent Schema Registry, Redpanda, Karapace, Apicurio's
 * {@code /apis/ccompat/v7}) behind Apicurio's {@link RegistryClientFacade}, so that Apicurio's Avro serde writes and
 * reads through it exactly as through its own client: a subject is an artifact id (Apicurio's TopicIdStrategy gives
 * {@code <topic>-value}, Confluent's TopicNameStrategy), and a Confluent schema id (global over all subjects) is both
 * the content id and the global id, so the 4-byte id of the Confluent framing is the Confluent id. Schemas are
 * registered whole (the serde is configured to dereference them), so any Confluent consumer reads them without
 * references; schemas that other clients registered with references are read with them.
 *
 * <p>Registering looks the schema up first (no write when it is there), then asks the compatibility endpoint against
 * the subject's latest version, and registers only a compatible schema. Basic authentication and TLS with a
 * truststore; connect and request timeouts. Every failure is a {@link SchemaRegistryException} that names
 * {@code registry.url} and the subject or id. Hand-written on the JDK's HTTP client and Jackson because Confluent's
 * own client is not published to Maven Central. Thread-safe; schemas by id are immutable and cached.
 */
public final class ConfluentSchemaRegistry implements RegistryClientFacade {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
  /** Longest piece of a registry's error message kept in an exception. */
  private static final int MAX_MESSAGE = 400;
  /** Distinct schema ids (or registrations) cached before the cache is emptied (a serde meets a handful). */
  private static final int MAX_CACHED_IDS = 1024;

  /** A schema as the registry returned it: its text, its type (AVRO unless said) and its references. */
  public record RegisteredSchema(int id, String schema, String schemaType, List<Reference> references) {
    public RegisteredSchema {
      references = List.copyOf(references);
    }
  }

  /** One version of a subject. */
  public record SubjectVersion(String subject, int version, int id, String schema, List<Reference> references) {
    public SubjectVersion {
      references = List.copyOf(references);
    }
  }

  /** A schema reference of the Confluent API: the referenced type's name, and the subject version that holds it. */
  public record Reference(String name, String subject, int version) {
  }

  /** Connection settings. {@code password} is used only for the Authorization header and never kept in messages. */
  public record Settings(String url, String username, String password, SSLContext sslContext, Duration connectTimeout,
      Duration requestTimeout) {
    public Settings {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** Without authentication or a truststore of its own, with the given timeouts. */
    public static Settings of(String url, Duration connectTimeout, Duration requestTimeout) {
      return new Settings(url, "", null, null, connectTimeout, requestTimeout);
    }

    public Settings withBasicAuth(String user, String pass) {
      return new Settings(url, user, pass, sslContext, connectTimeout, requestTimeout);
    }

    public Settings withSslContext(SSLContext context) {
      return new Settings(url, username, password, context, connectTimeout, requestTimeout);
    }

    @Override
    public String toString() {
      return "Settings[url=" + displayUrl(url) + ", username=" + username + ", password=" + (password == null
          ? "(none)" : "[hidden]") + ", tls=" + (sslContext != null) + "]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String displayUrl;
  private final String authorization;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final ConcurrentHashMap<Long, RegisteredSchema> byId = new ConcurrentHashMap<>();
  /**
   * Versions found or registered, by subject and schema: the serde's resolver asks again whenever its cache entry
   * expires (every 30 s), and a version's id never changes, so only the first ask goes to the registry.
   */
  private final ConcurrentHashMap<List<Object>, RegistryVersionCoordinates> registered = new ConcurrentHashMap<>();

  public ConfluentSchemaRegistry(Settings settings) {
    String url = settings.url().endsWith("/") ? settings.url().substring(0, settings.url().length() - 1)
        : settings.url();
    this.base = URI.create(url);
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new IllegalArgumentException("registry.url must be an http(s) URL, not " + displayUrl(url));
    }
    this.displayUrl = displayUrl(url);
    this.authorization = settings.username() == null || settings.username().isEmpty() ? null
        : "Basic " + Base64.getEncoder().encodeToString((settings.username() + ":"
            + (settings.password() == null ? "" : settings.password())).getBytes(StandardCharsets.UTF_8));
    this.requestTimeout = settings.requestTimeout();
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    if (settings.sslContext() != null) {
      b.sslContext(settings.sslContext());
    }
    this.http = b.build();
  }

  /**
   * An SSL context that trusts the certificates of {@code truststore} (type e.g. PKCS12 or JKS); for a registry
   * whose certificate the JDK's default trust does not cover.
   */
  public static SSLContext trusting(Path truststore, char[] password, String type) {
    try (InputStream in = Files.newInputStream(truststore)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("registry.truststore.location " + truststore + " (" + type
          + ") cannot be read as a truststore: " + e.getMessage(), e);
    }
  }

  /** {@code registry.url} as it may be shown: without user information. */
  static String displayUrl(String url) {
    try {
      URI u = URI.create(url);
      if (u.getRawUserInfo() == null) {
        return url;
      }
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return "(an unparseable URL)";
    }
  }

  // ---- the Confluent API

  /** {@code GET /schemas/ids/{id}}: the schema with this id (cached: ids never change). */
  public RegisteredSchema schemaById(long id) {
    RegisteredSchema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode body = expectOk(send("GET", "/schemas/ids/" + id, null), "look-up of schema id " + id);
    RegisteredSchema s = new RegisteredSchema((int) id, text(body, "schema", "look-up of schema id " + id),
        schemaType(body), references(body));
    if (byId.size() >= MAX_CACHED_IDS) {
      byId.clear();
    }
    byId.put(id, s);
    return s;
  }

  /** {@code GET /subjects/{subject}/versions/{version}}; {@code version} a number or {@code latest}. */
  public SubjectVersion version(String subject, String version) {
    String v = version == null || "latest".equals(version) || "branch=latest".equals(version) ? "latest" : version;
    String op = "look-up of version " + v + " of subject '" + subject + "'";
    return subjectVersion(expectOk(send("GET", "/subjects/" + segment(subject) + "/versions/" + segment(v), null), op),
        subject, op);
  }

  /** {@code GET /subjects/{subject}/versions/latest}. */
  public SubjectVersion latest(String subject) {
    return version(subject, "latest");
  }

  /** {@code POST /subjects/{subject}}: the version of {@code subject} that holds this schema, if any. */
  public Optional<SubjectVersion> lookUp(String subject, String schema, List<Reference> references) {
    String op = "look-up of a schema in subject '" + subject + "'";
    Response r = send("POST", "/subjects/" + segment(subject), schemaBody(schema, references));
    if (r.status() == 404 && (r.errorCode() == 40401 || r.errorCode() == 40403)) {
      return Optional.empty();
    }
    return Optional.of(subjectVersion(expectOk(r, op), subject, op));
  }

  /**
   * {@code POST /compatibility/subjects/{subject}/versions/latest}: whether the schema is compatible with the latest
   * version under the subject's compatibility level; true when the subject has no version yet.
   */
  public boolean isCompatible(String subject, String schema, List<Reference> references) {
    Response r = send("POST", "/compatibility/subjects/" + segment(subject) + "/versions/latest",
        schemaBody(schema, references));
    if (r.status() == 404 && (r.errorCode() == 40401 || r.errorCode() == 40402)) {
      return true;
    }
    JsonNode body = expectOk(r, "compatibility check of subject '" + subject + "'");
    return body.path("is_compatible").asBoolean(false);
  }

  /** {@code POST /subjects/{subject}/versions}: registers the schema (or finds it) and returns its id. */
  public int register(String subject, String schema, List<Reference> references) {
    String op = "registration of a schema in subject '" + subject + "'";
    JsonNode body = expectOk(send("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema, references)),
        op);
    return integer(body, "id", op);
  }

  /** {@code GET /config/{subject}?defaultToGlobal=true}: the subject's compatibility level (or the global one). */
  public String compatibility(String subject) {
    String op = "compatibility level of subject '" + subject + "'";
    JsonNode body = expectOk(send("GET", "/config/" + segment(subject) + "?defaultToGlobal=true", null), op);
    JsonNode level = body.has("compatibilityLevel") ? body.get("compatibilityLevel") : body.get("compatibility");
    if (level == null || !level.isTextual()) {
      throw failure(op, 200, 0, "the answer holds no compatibilityLevel", null);
    }
    return level.asText();
  }

  /** {@code PUT /config/{subject}}: sets the subject's compatibility level (e.g. BACKWARD, FULL_TRANSITIVE, NONE). */
  public void setCompatibility(String subject, String level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.toUpperCase(Locale.ROOT));
    expectOk(send("PUT", "/config/" + segment(subject), body), "setting the compatibility level of subject '"
        + subject + "'");
  }

  // ---- RegistryClientFacade, as Apicurio's serde and resolver call it

  @Override
  public String getSchemaByContentId(Long contentId) {
    return avro(schemaById(contentId));
  }

  /** The schema as registered: {@code dereferenced} is not asked of the Confluent API (the serdes read by content id). */
  @Override
  public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
    return avro(schemaById(globalId));
  }

  @Override
  public String getSchemaByGAV(String groupId, String artifactId, String version) {
    return version(artifactId, version).schema();
  }

  @Override
  public String getSchemaByContentHash(String contentHash) {
    throw new UnsupportedOperationException("the Confluent schema registry API (registry.url=" + displayUrl
        + ") has no content hashes; use the serde's default content-id framing");
  }

  @Override
  public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
    return artifactReferences(schemaById(contentId).references());
  }

  @Override
  public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
    return artifactReferences(schemaById(globalId).references());
  }

  @Override
  public List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
    return artifactReferences(version(artifactId, version).references());
  }

  @Override
  public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
    throw new UnsupportedOperationException("the Confluent schema registry API (registry.url=" + displayUrl
        + ") has no content hashes; use the serde's default content-id framing");
  }

  @Override
  public List<RegistryVersionCoordinates> searchVersionsByContent(String schemaString, String artifactType,
      ArtifactReference reference, boolean canonical) {
    if (reference == null || reference.getArtifactId() == null) {
      throw new UnsupportedOperationException("the Confluent schema registry API (registry.url=" + displayUrl
          + ") looks schemas up only within a subject");
    }
    return lookUp(reference.getArtifactId(), schemaString, List.of())
        .map(v -> List.of(coordinates(reference.getGroupId(), v))).orElse(List.of());
  }

  @Override
  public RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId,
      String version, String autoCreateBehavior, boolean canonical, String schemaString,
      Set<RegistryArtifactReference> references) {
    if (artifactType != null && !"AVRO".equalsIgnoreCase(artifactType)) {
      throw new UnsupportedOperationException("only Avro schemas are registered through registry.url=" + displayUrl
          + ", not " + artifactType + " (subject '" + artifactId + "')");
    }
    List<Reference> refs = new ArrayList<>();
    for (RegistryArtifactReference r : references == null ? Set.<RegistryArtifactReference>of() : references) {
      refs.add(new Reference(r.getName(), r.getArtifactId(), Integer.parseInt(r.getVersion())));
    }
    List<Object> key = List.of(artifactId, schemaString, refs);
    RegistryVersionCoordinates known = registered.get(key);
    if (known != null) {
      return known;
    }
    RegistryVersionCoordinates found = findOrRegister(groupId, artifactId, schemaString, refs);
    if (registered.size() >= MAX_CACHED_IDS) {
      registered.clear();
    }
    registered.put(key, found);
    return found;
  }

  private RegistryVersionCoordinates findOrRegister(String groupId, String artifactId, String schemaString,
      List<Reference> refs) {
    Optional<SubjectVersion> existing = lookUp(artifactId, schemaString, refs);
    if (existing.isPresent()) {
      return coordinates(groupId, existing.get());
    }
    if (!isCompatible(artifactId, schemaString, refs)) {
      // refused here, after the compatibility check, with the code the registry gives an incompatible registration
      throw new SchemaRegistryException("schema registry registry.url=" + displayUrl + ": registration of a schema in"
          + " subject '" + artifactId + "' refused: the schema is incompatible with the subject's latest version under"
          + " its compatibility level " + compatibilityOrUnknown(artifactId)
          + "; evolve the schema compatibly or change the subject's level", 200, 409, null);
    }
    int id = register(artifactId, schemaString, refs);
    SubjectVersion registered = lookUp(artifactId, schemaString, refs).orElseThrow(() -> failure(
        "look-up of the schema just registered in subject '" + artifactId + "'", 404, 40403,
        "registered as id " + id + " but not found in the subject", null));
    return coordinates(groupId, registered);
  }

  @Override
  public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
    return coordinates(groupId, version(artifactId, version));
  }

  @Override
  public Object getClient() {
    return this;
  }

  @Override
  public String toString() {
    return "ConfluentSchemaRegistry[" + displayUrl + (authorization == null ? "" : ", basic auth") + "]";
  }

  // ---- helpers

  private String compatibilityOrUnknown(String subject) {
    try {
      return compatibility(subject);
    } catch (SchemaRegistryException e) {
      return "(unknown)";
    }
  }

  private String avro(RegisteredSchema s) {
    if (!"AVRO".equals(s.schemaType())) {
      throw failure("look-up of schema id " + s.id(), 200, 0, "schema id " + s.id() + " is a " + s.schemaType()
          + " schema, not Avro", null);
    }
    return s.schema();
  }

  private static RegistryVersionCoordinates coordinates(String groupId, SubjectVersion v) {
    return RegistryVersionCoordinates.create((long) v.id(), (long) v.id(), groupId == null ? "default" : groupId,
        v.subject(), String.valueOf(v.version()));
  }

  private static List<RegistryArtifactReference> artifactReferences(List<Reference> refs) {
    List<RegistryArtifactReference> out = new ArrayList<>(refs.size());
    for (Reference r : refs) {
      out.add(RegistryArtifactReference.builder().name(r.name()).groupId("default").artifactId(r.subject())
          .version(String.valueOf(r.version())).build());
    }
    return out;
  }

  private SubjectVersion subjectVersion(JsonNode body, String subject, String op) {
    String s = body.path("subject").isTextual() ? body.get("subject").asText() : subject;
    return new SubjectVersion(s, integer(body, "version", op), integer(body, "id", op), text(body, "schema", op),
        references(body));
  }

  private static String schemaType(JsonNode body) {
    JsonNode t = body.get("schemaType");
    return t == null || t.isNull() ? "AVRO" : t.asText().toUpperCase(Locale.ROOT);
  }

  private static List<Reference> references(JsonNode body) {
    JsonNode refs = body.get("references");
    if (refs == null || !refs.isArray()) {
      return List.of();
    }
    List<Reference> out = new ArrayList<>();
    for (JsonNode r : refs) {
      out.add(new Reference(r.path("name").asText(), r.path("subject").asText(), r.path("version").asInt()));
    }
    return out;
  }

  private static ObjectNode schemaBody(String schema, List<Reference> references) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema).put("schemaType", "AVRO");
    if (!references.isEmpty()) {
      ArrayNode refs = body.putArray("references");
      for (Reference r : references) {
        refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
      }
    }
    return body;
  }

  private String text(JsonNode body, String field, String op) {
    JsonNode n = body.get(field);
    if (n == null || !n.isTextual()) {
      throw failure(op, 200, 0, "the answer holds no " + field, null);
    }
    return n.asText();
  }

  private int integer(JsonNode body, String field, String op) {
    JsonNode n = body.get(field);
    if (n == null || !n.canConvertToInt()) {
      throw failure(op, 200, 0, "the answer holds no " + field, null);
    }
    return n.asInt();
  }

  private static String segment(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An answer: status, Confluent error_code (0 if none) and the JSON body (null if none or not JSON). */
  private record Response(int status, int errorCode, JsonNode body, String message) {
  }

  private Response send(String method, String pathAndQuery, JsonNode body) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(requestTimeout)
        .header("Accept", ACCEPT);
    if (authorization != null) {
      rb.header("Authorization", authorization);
    }
    if (body != null) {
      rb.header("Content-Type", CONTENT_TYPE);
      rb.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r;
    try {
      r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw failure(method + " " + pathOnly(pathAndQuery), 0, 0, "no answer: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(method + " " + pathOnly(pathAndQuery), 0, 0, "interrupted", e);
    }
    JsonNode json = null;
    try {
      json = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
    } catch (IOException notJson) {
      // a proxy's or server's HTML error page: described by its status below
    }
    int errorCode = json != null && json.path("error_code").canConvertToInt() ? json.get("error_code").asInt() : 0;
    String message = json != null && json.path("message").isTextual() ? json.get("message").asText() : null;
    return new Response(r.statusCode(), errorCode, json, message);
  }

  private static String pathOnly(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  private JsonNode expectOk(Response r, String op) {
    if (r.status() >= 200 && r.status() < 300 && r.body() != null && r.body().isObject()) {
      return r.body();
    }
    if (r.status() >= 200 && r.status() < 300) {
      throw failure(op, r.status(), 0, "the answer is not a JSON object", null);
    }
    String what = switch (r.status()) {
      case 401 -> "unauthorized: check registry.username and registry.password";
      case 403 -> "forbidden: the registry user lacks the permission";
      default -> r.message() != null ? r.message() : "HTTP " + r.status() + " without an error message";
    };
    throw failure(op, r.status(), r.errorCode(), what, null);
  }

  private SchemaRegistryException failure(String op, int status, int errorCode, String what, Throwable cause) {
    String shown = what.length() > MAX_MESSAGE ? what.substring(0, MAX_MESSAGE) + "..." : what;
    String answer = status == 0 ? "" : " (HTTP " + status + (errorCode == 0 ? "" : ", error_code " + errorCode) + ")";
    return new SchemaRegistryException("schema registry registry.url=" + displayUrl + ": " + op + " failed" + answer
        + ": " + shown, status, errorCode, cause);
  }
}

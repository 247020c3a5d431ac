package io.riskstream.topology.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A small schema registry server that speaks the subset of the Confluent Schema Registry REST API that RiskStream and
 * plain Confluent consumers use, for tests over real HTTP (optionally HTTPS and basic auth) on a loopback port.
 * Written by hand, to the published API reference (Confluent Platform docs, "Schema Registry API Reference": the
 * endpoints, status codes and {@code error_code} values below), because no Confluent-API registry can be had here:
 * Confluent's schema-registry is not on Maven Central, Karapace is on PyPI only, the npm registry has clients only,
 * and Apicurio Registry's app (whose {@code /apis/ccompat/v7} speaks this API) is on Maven Central as an unbuilt
 * Quarkus module whose dependencies do not all resolve from there.
 *
 * <p>Endpoints: {@code GET /schemas/ids/{id}}; {@code GET /subjects}; {@code GET /subjects/{s}/versions};
 * {@code GET /subjects/{s}/versions/{v|latest}}; {@code POST /subjects/{s}/versions} (register; 409 when incompatible,
 * 422/42201 invalid schema); {@code POST /subjects/{s}} (look-up; 404/40401 subject, 404/40403 schema not found);
 * {@code POST /compatibility/subjects/{s}/versions/{v|latest}}; {@code GET /config}, {@code GET /config/{s}}
 * (404/40408 without {@code defaultToGlobal=true}), {@code PUT /config/{s}} (422/42203 for an unknown level).
 * Ids are global: the same schema (by its parsed, normalized text) has one id in every subject. Avro only, with
 * references (name, subject, version). Compatibility levels NONE, BACKWARD, FORWARD, FULL and their _TRANSITIVE forms,
 * checked with Avro's {@link SchemaCompatibility}; default BACKWARD as in Confluent's.
 */
public final class ConfluentTestRegistry implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
      "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

  private record Stored(int id, String schema, List<ConfluentSchemaRegistry.Reference> references) {
  }

  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final int errorCode;

    Failure(int status, int errorCode, String message) {
      super(message);
      this.status = status;
      this.errorCode = errorCode;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final String expectedAuthorization;
  private final Map<String, Integer> idByCanonical = new HashMap<>();
  private final Map<Integer, Stored> byId = new HashMap<>();
  private final Map<String, List<Integer>> versions = new LinkedHashMap<>();
  private final Map<String, String> subjectLevels = new HashMap<>();
  private final List<String> requests = new ArrayList<>();
  private String globalLevel = "BACKWARD";
  private int nextId = 1;

  private ConfluentTestRegistry(HttpServer server, String user, String password) {
    this.server = server;
    this.expectedAuthorization = user == null ? null
        : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Plain HTTP on a free loopback port; {@code user} null: no authentication. */
  public static ConfluentTestRegistry http(String user, String password) throws IOException {
    return new ConfluentTestRegistry(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0),
        user, password);
  }

  /** HTTPS with {@code tls} (e.g. {@link TestCertificates#sslContext}) on a free loopback port. */
  public static ConfluentTestRegistry https(SSLContext tls, String user, String password) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(tls));
    return new ConfluentTestRegistry(s, user, password);
  }

  /** The base URL, e.g. {@code http://localhost:40123}. */
  public String url() {
    return (server instanceof HttpsServer ? "https" : "http") + "://localhost:" + server.getAddress().getPort();
  }

  /** Every request so far, as {@code METHOD /path}, in arrival order. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  /** The subjects that have versions. */
  public synchronized Set<String> subjects() {
    return Set.copyOf(versions.keySet());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
    byte[] in = ex.getRequestBody().readAllBytes();
    int status;
    JsonNode out;
    synchronized (this) {
      requests.add(method + " " + path);
      try {
        if (expectedAuthorization != null
            && !expectedAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          throw new Failure(401, 401, "Unauthorized");
        }
        out = route(method, segments(path), query, in.length == 0 ? null : JSON.readTree(in));
        status = 200;
      } catch (Failure f) {
        status = f.status;
        out = JSON.createObjectNode().put("error_code", f.errorCode).put("message", f.getMessage());
      } catch (IOException badJson) {
        status = 422;
        out = JSON.createObjectNode().put("error_code", 422).put("message", "Unrecognized request body");
      }
    }
    byte[] body = JSON.writeValueAsBytes(out);
    ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private JsonNode route(String method, List<String> p, String query, JsonNode body) {
    int n = p.size();
    if (method.equals("GET") && n == 3 && p.get(0).equals("schemas") && p.get(1).equals("ids")) {
      Stored s = byId.get(parseInt(p.get(2), 404, 40403));
      if (s == null) {
        throw new Failure(404, 40403, "Schema " + p.get(2) + " not found");
      }
      return withReferences(JSON.createObjectNode().put("schema", s.schema()), s.references());
    }
    if (method.equals("GET") && n == 1 && p.get(0).equals("subjects")) {
      return JSON.valueToTree(versions.keySet());
    }
    if (n >= 2 && p.get(0).equals("subjects")) {
      String subject = p.get(1);
      if (method.equals("POST") && n == 2) {
        return lookUp(subject, body);
      }
      if (method.equals("GET") && n == 3 && p.get(2).equals("versions")) {
        List<Integer> vs = subjectVersions(subject);
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i <= vs.size(); i++) {
          numbers.add(i);
        }
        return JSON.valueToTree(numbers);
      }
      if (method.equals("POST") && n == 3 && p.get(2).equals("versions")) {
        return register(subject, body);
      }
      if (method.equals("GET") && n == 4 && p.get(2).equals("versions")) {
        int version = version(subject, p.get(3));
        return versionNode(subject, version);
      }
    }
    if (method.equals("POST") && n == 5 && p.get(0).equals("compatibility") && p.get(1).equals("subjects")
        && p.get(3).equals("versions")) {
      String subject = p.get(2);
      int version = version(subject, p.get(4));
      Schema candidate = parse(body);
      Schema existing = parse(byId.get(versions.get(subject).get(version - 1)));
      return JSON.createObjectNode().put("is_compatible", compatible(level(subject), candidate, List.of(existing)));
    }
    if (p.size() >= 1 && p.get(0).equals("config")) {
      if (method.equals("GET") && n == 1) {
        return JSON.createObjectNode().put("compatibilityLevel", globalLevel);
      }
      if (method.equals("GET") && n == 2) {
        String level = subjectLevels.get(p.get(1));
        if (level == null && !query.contains("defaultToGlobal=true")) {
          throw new Failure(404, 40408, "Subject '" + p.get(1) + "' does not have subject-level compatibility configured");
        }
        return JSON.createObjectNode().put("compatibilityLevel", level == null ? globalLevel : level);
      }
      if (method.equals("PUT") && n <= 2) {
        String level = body == null ? "" : body.path("compatibility").asText("");
        if (!LEVELS.contains(level)) {
          throw new Failure(422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, "
              + "backward_transitive, forward_transitive, and full_transitive");
        }
        if (n == 1) {
          globalLevel = level;
        } else {
          subjectLevels.put(p.get(1), level);
        }
        return JSON.createObjectNode().put("compatibility", level);
      }
    }
    throw new Failure(404, 404, "HTTP 404 Not Found");
  }

  private JsonNode lookUp(String subject, JsonNode body) {
    List<Integer> vs = subjectVersions(subject);
    Integer id = idByCanonical.get(canonical(parse(body)));
    int index = id == null ? -1 : vs.indexOf(id);
    if (index < 0) {
      throw new Failure(404, 40403, "Schema not found");
    }
    return versionNode(subject, index + 1);
  }

  private JsonNode register(String subject, JsonNode body) {
    Schema schema = parse(body);
    String canonical = canonical(schema);
    List<Integer> vs = versions.getOrDefault(subject, List.of());
    Integer known = idByCanonical.get(canonical);
    if (known != null && vs.contains(known)) {
      return JSON.createObjectNode().put("id", known);
    }
    List<Schema> earlier = new ArrayList<>();
    for (int id : vs) {
      earlier.add(parse(byId.get(id)));
    }
    if (!earlier.isEmpty() && !compatible(level(subject), schema, earlier)) {
      throw new Failure(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
          + subject + "\"");
    }
    int id = known != null ? known : nextId++;
    if (known == null) {
      idByCanonical.put(canonical, id);
      byId.put(id, new Stored(id, body.get("schema").asText(), references(body)));
    }
    versions.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
    return JSON.createObjectNode().put("id", id);
  }

  private ObjectNode versionNode(String subject, int version) {
    Stored s = byId.get(versions.get(subject).get(version - 1));
    ObjectNode node = JSON.createObjectNode().put("subject", subject).put("version", version).put("id", s.id())
        .put("schema", s.schema());
    return withReferences(node, s.references());
  }

  private static ObjectNode withReferences(ObjectNode node, List<ConfluentSchemaRegistry.Reference> refs) {
    if (!refs.isEmpty()) {
      var array = node.putArray("references");
      for (var r : refs) {
        array.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
      }
    }
    return node;
  }

  private List<Integer> subjectVersions(String subject) {
    List<Integer> vs = versions.get(subject);
    if (vs == null) {
      throw new Failure(404, 40401, "Subject '" + subject + "' not found.");
    }
    return vs;
  }

  private int version(String subject, String v) {
    List<Integer> vs = subjectVersions(subject);
    if (v.equals("latest") || v.equals("-1")) {
      return vs.size();
    }
    int version = parseInt(v, 422, 42202);
    if (version < 1) {
      throw new Failure(422, 42202, "The specified version '" + v + "' is not a valid version id");
    }
    if (version > vs.size()) {
      throw new Failure(404, 40402, "Version " + v + " not found.");
    }
    return version;
  }

  private static int parseInt(String s, int status, int errorCode) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new Failure(status, errorCode, "'" + s + "' is not a number");
    }
  }

  private String level(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  /** Confluent's levels: BACKWARD = the new schema reads data of the earlier one(s), FORWARD the reverse. */
  private static boolean compatible(String level, Schema candidate, List<Schema> earlier) {
    if (level.equals("NONE")) {
      return true;
    }
    List<Schema> against = level.endsWith("_TRANSITIVE") ? earlier : List.of(earlier.get(earlier.size() - 1));
    boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
    boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
    for (Schema e : against) {
      if (backward && !reads(candidate, e) || forward && !reads(e, candidate)) {
        return false;
      }
    }
    return true;
  }

  private static boolean reads(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
  }

  private static List<ConfluentSchemaRegistry.Reference> references(JsonNode body) {
    List<ConfluentSchemaRegistry.Reference> out = new ArrayList<>();
    for (JsonNode r : body.path("references")) {
      out.add(new ConfluentSchemaRegistry.Reference(r.path("name").asText(), r.path("subject").asText(),
          r.path("version").asInt()));
    }
    return out;
  }

  private Schema parse(JsonNode body) {
    if (body == null || !body.path("schema").isTextual()) {
      throw new Failure(422, 42201, "Either the input schema or one of its references is invalid");
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new Failure(422, 42201, "Only AVRO schemas are supported by this test registry");
    }
    return parse(new Stored(0, body.get("schema").asText(), references(body)));
  }

  private Schema parse(Stored s) {
    try {
      return parseWithReferences(new Schema.Parser(), s);
    } catch (SchemaParseException e) {
      throw new Failure(422, 42201, "Invalid schema: " + e.getMessage());
    }
  }

  /** Parses the referenced schemas (depth first) into {@code parser}, so that their names are known, then {@code s}. */
  private Schema parseWithReferences(Schema.Parser parser, Stored s) {
    for (ConfluentSchemaRegistry.Reference r : s.references()) {
      List<Integer> vs = versions.get(r.subject());
      if (vs == null || r.version() < 1 || r.version() > vs.size()) {
        throw new Failure(422, 42201, "Invalid schema reference " + r.name());
      }
      Stored referenced = byId.get(vs.get(r.version() - 1));
      if (parser.getTypes().get(r.name()) == null) {
        parseWithReferences(parser, referenced);
      }
    }
    return parser.parse(s.schema());
  }

  private static String canonical(Schema schema) {
    return schema.toString();
  }
}

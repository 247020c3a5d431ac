package io.riskstream.topology;

import io.riskstream.connectors.debezium.Cdc;
import io.riskstream.connectors.hostile.HostileInputs;
import io.riskstream.connectors.hostile.HostileInputs.Accepted;
import io.riskstream.connectors.hostile.HostileInputs.Hostile;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.SourceCoordinates;
import io.riskstream.schemas.SourceOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The feed of the hostile-input tests (HostileInputTopologyTest here, HostileInputIT on a broker): four CDC and three
 * FHIR patients, and connectors' hostile-input generator's records of both inputs interleaved among them.
 */
public final class HostileFeed {

  /** What a step of the feed is. */
  public enum Kind { VALID, CLOSER, HOSTILE, COPY, AT_BOUND }

  /** One record to send; {@code ref}: the valid step a copy repeats. */
  public record Step(Kind kind, Input input, long timestamp, Hostile hostile, Accepted accepted, Step ref) {
  }

  private HostileFeed() {
  }

  /**
   * Four CDC patients from {@code firstTimestamp}: a patient row each, then encounters as transactions of four rows;
   * an update; a delete; and, with {@code lastLater}, one more condition 5 s after the rest.
   */
  public static List<Step> validCdc(String topic, long firstTimestamp, boolean lastLater) {
    List<Step> steps = new ArrayList<>();
    long ts = firstTimestamp;
    long lsn = 1;
    for (int p = 0; p < 4; p++) {
      steps.add(cdc(topic, Cdc.change("patients", "c", Cdc.patient("cdc-p" + p, "196" + p + "-02-03",
          p % 2 == 0 ? "male" : "female"), 100 + p, lsn++), ts));
      ts += 300;
    }
    for (int i = 0; i < 14; i++) {
      String patient = "cdc-p" + (i % 4);
      int tx = 200 + i;
      String day = LocalDate.parse("2020-01-01").plusDays(i * 20L) + "T08:00:00.000000Z";
      steps.add(cdc(topic, Cdc.change("encounters", "c", Cdc.row("id", "cdc-e" + i, "patient_id", patient,
          "start_time", day, "stop_time", null, "encounter_class", "ambulatory", "code_system", "SNOMED-CT", "code",
          "185349003", "description", "Encounter for check up", "reason_code", null), tx, lsn++), ts));
      steps.add(cdc(topic, Cdc.change("conditions", "c", Cdc.condition("cdc-c" + i, patient, day,
          String.valueOf(100 + (i * 13) % 70)), tx, lsn++), ts));
      steps.add(cdc(topic, Cdc.change("observations", "c", Cdc.observation("cdc-o" + i, patient, day, "4548-4",
          5.0 + i / 10.0, "%"), tx, lsn++), ts));
      steps.add(cdc(topic, Cdc.change("conditions", "c", Cdc.condition("cdc-d" + i, patient, day,
          String.valueOf(120 + (i * 7) % 50)), tx, lsn++), ts));
      ts += 300;
    }
    // an update and a delete, each a transaction of its own
    steps.add(cdc(topic, Cdc.change("conditions", "u", Cdc.condition("cdc-c1", "cdc-p1", "2020-01-21T08:00:00Z",
        "199"), 300, lsn++), ts));
    ts += 300;
    steps.add(cdc(topic, Cdc.change("conditions", "d", Cdc.row("id", "cdc-d2", "patient_id", "cdc-p2"), 301, lsn++),
        ts));
    ts += 300;
    if (lastLater) {
      steps.add(cdc(topic, Cdc.change("conditions", "c", Cdc.condition("cdc-last", "cdc-p3", "2022-01-01T00:00:00Z",
          "101"), 302, lsn), ts + 5000));
    }
    return steps;
  }

  private static Step cdc(String topic, byte[] value, long ts) {
    return new Step(Kind.VALID, new Input(topic, Cdc.key("k" + ts), value), ts, null, null, null);
  }

  /**
   * Three FHIR patients from {@code firstTimestamp}: a Bundle each, then single Conditions; each record a transaction.
   */
  public static List<Step> validFhir(String topic, long firstTimestamp) {
    List<Step> steps = new ArrayList<>();
    long ts = firstTimestamp;
    for (int p = 0; p < 3; p++) {
      String id = "fhir-p" + p;
      String enc = "fhir-e" + p;
      String bundle = "{'resourceType':'Bundle','type':'collection','entry':["
          + patientEntry(id, "1955-0" + (p + 1) + "-01") + ","
          + "{'resource':{'resourceType':'Encounter','id':'" + enc + "','status':'finished','class':{'code':'AMB'},"
          + "'type':[{'coding':[{'system':'http://snomed.info/sct','code':'185349003'}]}],"
          + "'subject':{'reference':'urn:uuid:" + id + "'},'period':{'start':'2020-02-0" + (p + 1) + "T10:00:00Z'}}},"
          + condition(id, enc, "2020-02-0" + (p + 1), String.valueOf(140 + p * 5)) + ","
          + condition(id, enc, "2020-02-0" + (p + 1), "160") + ","
          + "{'resource':{'resourceType':'Observation','status':'final','code':{'coding':[{'code':'4548-4'}]},"
          + "'subject':{'reference':'urn:uuid:" + id + "'},'effectiveDateTime':'2020-02-0" + (p + 1) + "T10:05:00Z',"
          + "'valueQuantity':{'value':6." + p + ",'unit':'%'}}},"
          + "{'resource':{'resourceType':'Claim','id':'claim-" + p + "'}}]}";
      steps.add(fhir(Kind.VALID, topic, bundle, ts));
      ts += 700;
    }
    for (int k = 0; k < 6; k++) {
      String id = "fhir-p" + (k % 3);
      String resource = condition(id, null, "2021-0" + (k + 1) + "-15", String.valueOf(110 + k * 9));
      steps.add(fhir(Kind.VALID, topic, resource.substring("{'resource':".length(), resource.length() - 1), ts));
      ts += 700;
    }
    return steps;
  }

  /** A Bundle entry of a Patient (single-quoted JSON). */
  public static String patientEntry(String id, String birthDate) {
    return "{'fullUrl':'urn:uuid:" + id + "','resource':{'resourceType':'Patient','id':'" + id + "','gender':'female',"
        + "'birthDate':'" + birthDate + "'}}";
  }

  private static String condition(String patient, String encounter, String onset, String code) {
    return "{'resource':{'resourceType':'Condition','code':{'coding':[{'system':'http://snomed.info/sct','code':'"
        + code + "'}]},'subject':{'reference':'urn:uuid:" + patient + "'},"
        + (encounter == null ? "" : "'encounter':{'reference':'urn:uuid:" + encounter + "'},")
        + "'onsetDateTime':'" + onset + "'}}";
  }

  /** A FHIR record of single-quoted JSON, keyed by its timestamp. */
  public static Step fhir(Kind kind, String topic, String singleQuoted, long ts) {
    return new Step(kind, new Input(topic, ("{\"ts\":" + ts + "}").getBytes(StandardCharsets.UTF_8),
        singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8)), ts, null, null, null);
  }

  /** Valid steps of both inputs, in timestamp order. */
  public static List<Step> sorted(List<Step> cdc, List<Step> fhir) {
    List<Step> all = new ArrayList<>(cdc);
    all.addAll(fhir);
    all.sort(Comparator.comparingLong(Step::timestamp));
    return all;
  }

  /**
   * The valid feed with the generator's records of both inputs, for each seed, interleaved: copies right after their
   * original, everything else at a place the seed picks, with the timestamp of the valid record before it (the
   * generator's records never advance stream time).
   */
  public static List<Step> interleaved(List<Step> valid, String cdcTopic, int cdcLimit, String fhirTopic,
      int fhirLimit, long... seeds) {
    List<Step> cdcValid = valid.stream().filter(s -> s.input().topic().equals(cdcTopic)).toList();
    List<Step> fhirValid = valid.stream().filter(s -> s.input().topic().equals(fhirTopic)).toList();
    Map<Step, List<Step>> after = new IdentityHashMap<>();
    List<List<Step>> before = new ArrayList<>();
    for (int i = 0; i <= valid.size(); i++) {
      before.add(new ArrayList<>());
    }
    for (long seed : seeds) {
      HostileInputs cdc = HostileInputs.debezium(seed, cdcTopic, cdcLimit, cdcValid.stream().map(Step::input).toList());
      HostileInputs fhir = HostileInputs.fhir(seed, fhirTopic, fhirLimit, fhirValid.stream().map(Step::input).toList());
      Random random = new Random(seed);
      for (HostileInputs inputs : List.of(cdc, fhir)) {
        List<Step> originals = inputs == cdc ? cdcValid : fhirValid;
        for (Hostile h : inputs.hostile()) {
          before.get(random.nextInt(valid.size() + 1)).add(new Step(Kind.HOSTILE, h.input(), 0, h, null, null));
        }
        for (Accepted a : inputs.accepted()) {
          if (a.copyOf() >= 0) {
            Step original = originals.get(a.copyOf());
            after.computeIfAbsent(original, k -> new ArrayList<>())
                .add(new Step(Kind.COPY, a.input(), original.timestamp(), null, a, original));
          } else {
            before.get(random.nextInt(valid.size() + 1)).add(new Step(Kind.AT_BOUND, a.input(), 0, null, a, null));
          }
        }
      }
    }
    List<Step> feed = new ArrayList<>();
    long ts = valid.get(0).timestamp();
    for (int i = 0; i <= valid.size(); i++) {
      for (Step s : before.get(i)) {
        feed.add(new Step(s.kind(), s.input(), ts, s.hostile(), s.accepted(), s.ref()));
      }
      if (i < valid.size()) {
        Step v = valid.get(i);
        feed.add(v);
        ts = v.timestamp();
        feed.addAll(after.getOrDefault(v, List.of()));
      }
    }
    return feed;
  }

  // ---- comparing a run of the feed with the clean run --------------------------------------------------------------

  /** A value as a dead letter keeps it: cut to {@link DeadLetters#MAX_ORIGINAL_BYTES}. */
  public static ByteBuffer cut(byte[] value) {
    return value == null ? null
        : ByteBuffer.wrap(Arrays.copyOf(value, Math.min(value.length, DeadLetters.MAX_ORIGINAL_BYTES)));
  }

  /**
   * An event of the run with its source offset (and FHIR transaction id) as the clean run read it; {@code toClean}:
   * {@code topic@offset} of the run to the clean offset.
   */
  public static EmrEvent translate(EmrEvent e, Map<String, Long> toClean, String fhirTopic) {
    return EmrEvent.newBuilder(e).setSource(SourceCoordinates.newBuilder(e.getSource())
        .setOffset(clean(toClean, e.getSource().getTopic(), e.getSource().getOffset()))
        .setTxId(txId(e.getSource().getTxId(), toClean, fhirTopic)).build()).build();
  }

  /** A score of the run with its provenance's offsets (and FHIR transaction id) as the clean run read them. */
  public static RiskScore translate(RiskScore s, Map<String, Long> toClean, String fhirTopic) {
    RiskScore out = RiskScore.newBuilder(s).build();
    out.getProvenance().setTriggerTxId(txId(s.getProvenance().getTriggerTxId(), toClean, fhirTopic));
    out.getProvenance().setSourceOffsets(s.getProvenance().getSourceOffsets().stream()
        .map(o -> new SourceOffset(o.getTopic(), o.getPartition(), clean(toClean, o.getTopic(), o.getOffset())))
        .toList());
    return out;
  }

  /**
   * A clean score as it reads with Debezium copies in its transaction: each copied offset of {@code cdcTopic}
   * repeated, the provenance cut at {@code maxOffsets}.
   */
  public static RiskScore withCopies(RiskScore s, Map<Long, Integer> cdcCopies, String cdcTopic, int maxOffsets) {
    List<SourceOffset> expanded = new ArrayList<>();
    for (SourceOffset o : s.getProvenance().getSourceOffsets()) {
      int times = 1 + (o.getTopic().equals(cdcTopic) ? cdcCopies.getOrDefault(o.getOffset(), 0) : 0);
      for (int i = 0; i < times; i++) {
        expanded.add(o);
      }
    }
    RiskScore out = RiskScore.newBuilder(s).build();
    out.getProvenance().setSourceOffsets(expanded.subList(0, Math.min(expanded.size(), maxOffsets)));
    return out;
  }

  private static long clean(Map<String, Long> toClean, String topic, long offset) {
    Long c = toClean.get(topic + "@" + offset);
    if (c == null) {
      throw new AssertionError("provenance names " + topic + "@" + offset + ", which is not a valid record or a copy");
    }
    return c;
  }

  /** The FHIR transaction id of the record at a clean offset. */
  private static String txId(String txId, Map<String, Long> toClean, String fhirTopic) {
    String prefix = "fhir:" + fhirTopic + "-0@";
    if (txId == null || !txId.startsWith(prefix)) {
      return txId;
    }
    return prefix + clean(toClean, fhirTopic, Long.parseLong(txId.substring(prefix.length())));
  }
}

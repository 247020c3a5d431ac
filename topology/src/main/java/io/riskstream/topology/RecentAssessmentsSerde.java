package io.riskstream.topology;

import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.RiskAssessmentProcessor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/**
 * Store serde of {@link RecentAssessments} (store {@value RiskAssessmentProcessor#STORE}): the count, then per
 * assessment {@code id, lastUpdated, json}; then the count of indexed alert ids and the ids (absent in the entries
 * written before alerts were indexed per patient: read as none). The assessments are FHIR JSON, so the JSON serde this replaces escaped
 * every quote of up to 32 resources on each put and unescaped them on each get: measured with JFR on the bench cohort,
 * that was a third of the stream threads' CPU time. Here the JSON is copied as UTF-8 bytes.
 */
final class RecentAssessmentsSerde extends BinaryStoreSerde<RecentAssessments> {

  /** The most alert ids an entry can hold: the largest alert.index.per.patient. */
  private static final int MAX_INDEXED_ALERTS = 100_000;

  RecentAssessmentsSerde() {
    super(RiskAssessmentProcessor.STORE, RecentAssessments.class);
  }

  @Override
  int sizeHint(RecentAssessments value) {
    int n = 16;
    for (RecentAssessments.Stored s : value.assessments()) {
      n += s.json().length() + s.id().length() + 16;
    }
    return n;
  }

  @Override
  void write(RecentAssessments value, BinaryEncoder out) throws IOException {
    out.writeInt(value.assessments().size());
    for (RecentAssessments.Stored s : value.assessments()) {
      out.writeString(s.id());
      out.writeLong(s.lastUpdated());
      out.writeString(s.json());
    }
    out.writeInt(value.indexedAlerts().size());
    for (String id : value.indexedAlerts()) {
      out.writeString(id);
    }
  }

  @Override
  RecentAssessments read(BinaryDecoder in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > RiskAssessmentProcessor.RECENT_PER_PATIENT * 4) {
      throw new IOException("implausible count " + n);
    }
    List<RecentAssessments.Stored> stored = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      stored.add(new RecentAssessments.Stored(in.readString(), in.readLong(), in.readString()));
    }
    List<String> alerts = new ArrayList<>();
    if (!in.isEnd()) {
      int m = in.readInt();
      if (m < 0 || m > MAX_INDEXED_ALERTS) {
        throw new IOException("implausible count " + m);
      }
      for (int i = 0; i < m; i++) {
        alerts.add(in.readString());
      }
    }
    return new RecentAssessments(stored, alerts);
  }
}

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
 * assessment {@code id, lastUpdated, json}. The assessments are FHIR JSON, so the JSON serde this replaces escaped
 * every quote of up to 32 resources on each put and unescaped them on each get: measured with JFR on the bench cohort,
 * that was a third of the stream threads' CPU time. Here the JSON is copied as UTF-8 bytes.
 */
final class RecentAssessmentsSerde extends BinaryStoreSerde<RecentAssessments> {

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
    return new RecentAssessments(stored);
  }
}

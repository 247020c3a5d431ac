package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/**
 * Store serde of {@link ScoringRequest} (store {@code scoring-pending}): {@code patientId, historyVersion, asOf,
 * timestamp, txId (nullable), sourceOffsets, eventCount, newestEventIds, inputs (tokens, ages, recency per input),
 * reasonEvents (eventId, kind, codeSystem, code, description (nullable each), eventTime, positions (nullable)),
 * then each reason event's count, then the birth time (nullable), then the outcomes diagnosed (a long, bit k =
 * outcome k) and the death time (nullable)}. Each addition comes last and is read only if bytes remain, so entries
 * written before reasons were grouped (which end after the reason events) still read, with count 1, entries written
 * before the birth time was kept read with none, and entries written before diagnoses and death were kept read with
 * none diagnosed and no death.
 */
final class ScoringRequestSerde extends BinaryStoreSerde<ScoringRequest> {

  ScoringRequestSerde() {
    super(ScoreProcessor.STORE, ScoringRequest.class);
  }

  @Override
  int sizeHint(ScoringRequest r) {
    int cells = 0;
    for (ModelInput in : r.inputs()) {
      cells += in.length();
    }
    return 256 + 10 * cells + 64 * r.reasonEvents().size();
  }

  @Override
  void write(ScoringRequest r, BinaryEncoder out) throws IOException {
    out.writeString(r.patientId());
    out.writeLong(r.historyVersion());
    out.writeLong(r.asOf());
    out.writeLong(r.timestamp());
    writeNullable(out, r.txId());
    OpenTransactionSerde.writeOffsets(out, r.sourceOffsets());
    out.writeInt(r.eventCount());
    out.writeInt(r.newestEventIds().size());
    for (String id : r.newestEventIds()) {
      out.writeString(id);
    }
    out.writeInt(r.inputs().size());
    for (ModelInput in : r.inputs()) {
      out.writeInt(in.length());
      for (long t : in.tokens()) {
        out.writeLong(t);
      }
      for (float a : in.ages()) {
        out.writeFloat(a);
      }
      for (float x : in.recency()) {
        out.writeFloat(x);
      }
    }
    out.writeInt(r.reasonEvents().size());
    for (ScoringRequest.ReasonEvent e : r.reasonEvents()) {
      out.writeString(e.eventId());
      out.writeString(e.kind());
      writeNullable(out, e.codeSystem());
      writeNullable(out, e.code());
      writeNullable(out, e.description());
      out.writeLong(e.eventTime());
      out.writeBoolean(e.positions() != null);
      if (e.positions() != null) {
        out.writeInt(e.positions().size());
        for (int p : e.positions()) {
          out.writeInt(p);
        }
      }
    }
    for (ScoringRequest.ReasonEvent e : r.reasonEvents()) {
      out.writeInt(e.count());
    }
    out.writeBoolean(r.birthTime() != null);
    if (r.birthTime() != null) {
      out.writeLong(r.birthTime());
    }
    out.writeLong(r.diagnosed());
    out.writeBoolean(r.deathTime() != null);
    if (r.deathTime() != null) {
      out.writeLong(r.deathTime());
    }
  }

  @Override
  ScoringRequest read(BinaryDecoder in) throws IOException {
    String patient = in.readString();
    long version = in.readLong();
    long asOf = in.readLong();
    long timestamp = in.readLong();
    String txId = readNullable(in);
    List<HistoryCommand.SourceOffset> offsets = OpenTransactionSerde.readOffsets(in);
    int eventCount = in.readInt();
    int ids = in.readInt();
    List<String> newest = new ArrayList<>(ids);
    for (int i = 0; i < ids; i++) {
      newest.add(in.readString());
    }
    int n = in.readInt();
    List<ModelInput> inputs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = in.readInt();
      long[] tokens = new long[length];
      float[] ages = new float[length];
      float[] recency = new float[length];
      for (int j = 0; j < length; j++) {
        tokens[j] = in.readLong();
      }
      for (int j = 0; j < length; j++) {
        ages[j] = in.readFloat();
      }
      for (int j = 0; j < length; j++) {
        recency[j] = in.readFloat();
      }
      inputs.add(new ModelInput(tokens, ages, recency));
    }
    int reasons = in.readInt();
    List<ScoringRequest.ReasonEvent> events = new ArrayList<>(reasons);
    for (int i = 0; i < reasons; i++) {
      String id = in.readString();
      String kind = in.readString();
      String codeSystem = readNullable(in);
      String code = readNullable(in);
      String description = readNullable(in);
      long time = in.readLong();
      List<Integer> positions = null;
      if (in.readBoolean()) {
        int k = in.readInt();
        positions = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
          positions.add(in.readInt());
        }
      }
      events.add(new ScoringRequest.ReasonEvent(id, kind, codeSystem, code, description, time, positions));
    }
    if (!in.isEnd()) {
      for (int i = 0; i < reasons; i++) {
        ScoringRequest.ReasonEvent e = events.get(i);
        events.set(i, new ScoringRequest.ReasonEvent(e.eventId(), e.kind(), e.codeSystem(), e.code(), e.description(),
            e.eventTime(), e.positions(), in.readInt()));
      }
    }
    Long birth = null;
    if (!in.isEnd() && in.readBoolean()) {
      birth = in.readLong();
    }
    long diagnosed = in.isEnd() ? 0L : in.readLong();
    Long death = null;
    if (!in.isEnd() && in.readBoolean()) {
      death = in.readLong();
    }
    return new ScoringRequest(patient, version, asOf, timestamp, txId, offsets, eventCount, newest, inputs, events,
        birth, diagnosed, death);
  }
}

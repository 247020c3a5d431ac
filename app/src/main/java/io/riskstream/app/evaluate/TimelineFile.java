package io.riskstream.app.evaluate;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Scored timelines on disk (gzip; a format tag, the model's sha256 and the cohort they were scored from, then each
 * timeline), so that policies and operating points can be evaluated again without scoring the cohort again. Holds
 * synthetic patient ids and scores: it is an evaluation artifact like the cohort itself. Format 2 adds the outcomes
 * diagnosed at each score and the death time, which the alert policy withholds alerts by; a format 1 file lacks them
 * and is refused with a message to score the cohort again.
 */
public final class TimelineFile {

  static final String FORMAT = "riskstream-timelines-2";
  /** Written before the outcomes diagnosed and the death time were kept. */
  static final String FORMAT_1 = "riskstream-timelines-1";

  /** What the timelines were scored with. */
  public record Header(String modelSha256, String cohort) {
  }

  private TimelineFile() {
  }

  public static void write(Path file, Header header, List<PatientTimeline> timelines) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(
        Files.newOutputStream(file))))) {
      out.writeUTF(FORMAT);
      out.writeUTF(header.modelSha256());
      out.writeUTF(header.cohort());
      out.writeInt(timelines.size());
      for (PatientTimeline t : timelines) {
        out.writeUTF(t.patientId());
        out.writeLong(t.dataEnd());
        out.writeBoolean(t.deathTime() != null);
        out.writeLong(t.deathTime() == null ? 0 : t.deathTime());
        out.writeInt(t.onsets().length);
        for (Long onset : t.onsets()) {
          out.writeBoolean(onset != null);
          out.writeLong(onset == null ? 0 : onset);
        }
        int outcomes = t.onsets().length;
        out.writeInt(t.size());
        for (int i = 0; i < t.size(); i++) {
          out.writeLong(t.asOf()[i]);
          out.writeDouble(t.ageYears()[i]);
          out.writeLong(t.diagnosed()[i]);
          for (int k = 0; k < outcomes; k++) {
            out.writeFloat(t.probabilities()[i][k]);
          }
        }
      }
    }
  }

  /** The header and the timelines of {@code file}. */
  public static Header read(Path file, List<PatientTimeline> into) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(
        Files.newInputStream(file))))) {
      String format = in.readUTF();
      if (FORMAT_1.equals(format)) {
        throw new IOException(file + " holds timelines scored before alerts were withheld for outcomes already"
            + " diagnosed and after death (" + FORMAT_1 + "): score the cohort again (leave out --timelines)");
      }
      if (!FORMAT.equals(format)) {
        throw new IOException(file + " is not a file of scored timelines (" + FORMAT + ")");
      }
      Header header = new Header(in.readUTF(), in.readUTF());
      int n = in.readInt();
      List<PatientTimeline> out = new ArrayList<>(n);
      for (int p = 0; p < n; p++) {
        String id = in.readUTF();
        long end = in.readLong();
        boolean died = in.readBoolean();
        long deathAt = in.readLong();
        int outcomes = in.readInt();
        Long[] onsets = new Long[outcomes];
        for (int k = 0; k < outcomes; k++) {
          boolean present = in.readBoolean();
          long at = in.readLong();
          onsets[k] = present ? at : null;
        }
        int size = in.readInt();
        long[] asOf = new long[size];
        double[] ages = new double[size];
        long[] diagnosed = new long[size];
        float[][] probabilities = new float[size][outcomes];
        for (int i = 0; i < size; i++) {
          asOf[i] = in.readLong();
          ages[i] = in.readDouble();
          diagnosed[i] = in.readLong();
          for (int k = 0; k < outcomes; k++) {
            probabilities[i][k] = in.readFloat();
          }
        }
        out.add(new PatientTimeline(id, asOf, ages, probabilities, diagnosed, onsets, end, died ? deathAt : null));
      }
      into.addAll(out);
      return header;
    }
  }
}

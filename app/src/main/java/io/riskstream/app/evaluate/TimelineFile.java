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
 * synthetic patient ids and scores: it is an evaluation artifact like the cohort itself.
 */
public final class TimelineFile {

  static final String FORMAT = "riskstream-timelines-1";

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
      if (!FORMAT.equals(in.readUTF())) {
        throw new IOException(file + " is not a file of scored timelines (" + FORMAT + ")");
      }
      Header header = new Header(in.readUTF(), in.readUTF());
      int n = in.readInt();
      List<PatientTimeline> out = new ArrayList<>(n);
      for (int p = 0; p < n; p++) {
        String id = in.readUTF();
        long end = in.readLong();
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
        float[][] probabilities = new float[size][outcomes];
        for (int i = 0; i < size; i++) {
          asOf[i] = in.readLong();
          ages[i] = in.readDouble();
          for (int k = 0; k < outcomes; k++) {
            probabilities[i][k] = in.readFloat();
          }
        }
        out.add(new PatientTimeline(id, asOf, ages, probabilities, onsets, end));
      }
      into.addAll(out);
      return header;
    }
  }
}

package io.riskstream.connectors.hostile;

import static io.riskstream.connectors.hostile.HostileInputs.pick;

import io.riskstream.connectors.hostile.HostileInputs.Accepted;
import io.riskstream.connectors.hostile.HostileInputs.Hostile;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** What the Debezium and the FHIR generator share: the seed's random, the valid records, the records made so far. */
abstract class HostileGenerator {

  final Random random;
  final long seed;
  final String topic;
  final int maxRecordBytes;
  final List<Input> valid;
  final List<Hostile> hostile = new ArrayList<>();
  final List<Accepted> accepted = new ArrayList<>();
  int serial;
  /** The most that key, template and escapes of a small record take beside a string of {@link #room()}. */
  private final int templateBytes;

  HostileGenerator(long seed, String topic, int maxRecordBytes, List<Input> valid, int templateBytes) {
    if (maxRecordBytes < 16 * 1024) {
      throw new IllegalArgumentException("the generator needs maxRecordBytes of at least 16 KiB");
    }
    this.random = new Random(seed);
    this.seed = seed;
    this.topic = topic;
    this.maxRecordBytes = maxRecordBytes;
    this.valid = List.copyOf(valid);
    this.templateBytes = templateBytes;
  }

  /** The generated records: every category at least once, the variants picked by the seed. */
  abstract HostileInputs build();

  /** Room for a string in a record of a small template. */
  final int room() {
    return maxRecordBytes - templateBytes;
  }

  /** A length over {@code bound}: just over, twice, or (where it fits) 64 times. */
  final int overLength(int bound) {
    List<Integer> options = new ArrayList<>(List.of(bound + 1, bound * 2));
    if (bound * 64 <= room()) {
      options.add(bound * 64);
    }
    return pick(random, options);
  }
}

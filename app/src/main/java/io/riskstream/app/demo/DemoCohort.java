package io.riskstream.app.demo;

import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The demo's Synthea cohort, generated in parts so the feed can start early: a small first part (Synthea's start-up
 * dominates its run time, so {@value #FIRST_PART} patients take about as long as a JVM start plus a few seconds),
 * then the rest in one run. Parts are cached under {@code <cacheRoot>/<seed>-<patients>/part-<n>} and reused when
 * their manifest ({@code cohort.json}) exists; part n uses Synthea seed {@code seed + n}.
 */
public final class DemoCohort {

  /** Patients of the first part. */
  public static final int FIRST_PART = 5;

  private DemoCohort() {
  }

  /** One part of the cohort. */
  public record Part(int index, int patients, long seed, Path dir) {
    /** Whether a complete generation of this part is cached. */
    public boolean cached() {
      return Files.isRegularFile(dir.resolve(SyntheaCohortGenerator.MANIFEST));
    }
  }

  /** The default cache root: {@code ~/.cache/riskstream/cohorts}. */
  public static Path defaultCacheRoot() {
    return Path.of(System.getProperty("user.home"), ".cache", "riskstream", "cohorts");
  }

  /** The parts of a cohort of {@code patients} patients. */
  public static List<Part> plan(int patients, long seed, Path cacheRoot) {
    if (patients < 1) {
      throw new IllegalArgumentException("patients must be at least 1");
    }
    Path dir = cacheRoot.resolve(seed + "-" + patients);
    List<Part> parts = new ArrayList<>();
    int first = Math.min(FIRST_PART, patients);
    parts.add(new Part(0, first, seed, dir.resolve("part-0")));
    if (patients > first) {
      parts.add(new Part(1, patients - first, seed + 1, dir.resolve("part-1")));
    }
    return List.copyOf(parts);
  }

  /**
   * Generates a part unless it is cached; a partial earlier attempt is removed first. While Synthea runs,
   * {@code progress} receives the number of the part's patients generated so far, about once a second.
   */
  public static void ensure(Part part, SyntheaCohortGenerator generator, LongConsumer progress)
      throws IOException, InterruptedException {
    if (part.cached()) {
      return;
    }
    deleteRecursively(part.dir());
    Files.createDirectories(part.dir().getParent());
    generator.generate(SyntheaCohortGenerator.Options.of(part.patients(), part.seed(), part.dir()), progress);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

package io.riskstream.app.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of every thread of this JVM, Java or native (the JIT compilers, GC, ONNX Runtime inside the batcher
 * thread, the broker's threads), from {@code /proc/self/task/<tid>/stat} (Linux; elsewhere a snapshot is empty), so a
 * benchmark phase can say where the machine's CPU went. Written here: the JVM's ThreadMXBean sees Java threads only.
 * Times are utime + stime in clock ticks of {@value #TICKS_PER_SECOND} Hz (USER_HZ, 100 on Linux).
 */
final class ThreadCpu {

  static final int TICKS_PER_SECOND = 100;
  private static final Path TASKS = Path.of("/proc/self/task");

  /** Ticks per thread ("tid name") now. */
  static Map<String, Long> snapshot() {
    Map<String, Long> out = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return out;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = Files.readString(task.resolve("comm")).strip();
          // fields after "(comm) ": state is field 3 of the whole line; utime and stime are fields 14 and 15
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
          // the thread ended while being read
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** CPU seconds per thread group between two snapshots (threads started in between count from zero). */
  static Map<String, Double> secondsByGroup(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Double> out = new TreeMap<>();
    after.forEach((thread, ticks) -> {
      long delta = ticks - before.getOrDefault(thread, 0L);
      if (delta > 0) {
        out.merge(group(thread.substring(thread.indexOf(' ') + 1)), (double) delta / TICKS_PER_SECOND, Double::sum);
      }
    });
    return out;
  }

  /** The group of a thread by its (at most 15 character) Linux name. */
  static String group(String name) {
    if (name.contains("CompilerThre")) {
      return "jit-compiler";
    }
    if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
      return "gc";
    }
    if (name.startsWith("riskstream-batc")) {
      return "scorer";
    }
    if (name.startsWith("bench-")) {
      return "stream-threads";
    }
    if (name.startsWith("kafka-producer-")) {
      return "producer-io";
    }
    if (name.startsWith("data-plane-") || name.startsWith("kafka-") || name.startsWith("broker-")
        || name.startsWith("controller-") || name.startsWith("quorum-") || name.startsWith("group-coord")
        || name.startsWith("AddPartitions") || name.startsWith("TxnMarker") || name.startsWith("ExpirationRea")
        || name.startsWith("share-") || name.startsWith("Persister") || name.startsWith("transaction-")) {
      return "broker";
    }
    return "other";
  }
}

package io.riskstream.app.bench;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Where a Kafka Streams client spent its time and what it wrote, from its own cumulative metrics at the end of a
 * benchmark phase (the client is started per phase, so totals are the phase's): per stream thread the time in poll,
 * process, punctuate and commit (count x mean latency) and blocked on Kafka; the producers' time committing
 * transactions and flushing; the records written per topic (outputs, changelogs, repartition topics) and consumed per
 * topic; fetch and poll sizes; and the score processor's drain waits.
 */
final class StreamsWaits {

  private StreamsWaits() {
  }

  /** The summary as a sorted map: seconds, counts and averages, keys named for what they hold. */
  static Map<String, Object> of(Map<MetricName, ? extends Metric> metrics, String applicationId) {
    Map<String, Double> sums = new TreeMap<>();
    Map<String, Double> written = new TreeMap<>();
    Map<String, Double> consumed = new TreeMap<>();
    Map<String, Double> maxima = new TreeMap<>();
    Map<String, double[]> means = new TreeMap<>();  // {sum, count} per key
    Map<String, double[]> threadLatency = new TreeMap<>();  // thread|op -> {count, avg}
    metrics.forEach((name, metric) -> {
      if (!(metric.metricValue() instanceof Double v) || v.isNaN() || v.isInfinite()) {
        return;
      }
      String group = name.group();
      String n = name.name();
      if (group.equals("stream-thread-metrics")) {
        String thread = name.tags().getOrDefault("thread-id", "");
        for (String op : new String[] {"poll", "process", "punctuate", "commit"}) {
          if (n.equals(op + "-total")) {
            threadLatency.computeIfAbsent(thread + "|" + op, k -> new double[2])[0] = v;
          } else if (n.equals(op + "-latency-avg")) {
            threadLatency.computeIfAbsent(thread + "|" + op, k -> new double[2])[1] = v;
          }
        }
        if (n.equals("blocked-time-ns-total")) {
          add(sums, "threadBlockedOnKafkaSeconds", v / 1e9);
        } else if (n.equals("commit-total")) {
          add(sums, "commits", v);
        } else if (n.equals("poll-records-avg")) {
          mean(means, "pollRecordsAvg", v);
        } else if (n.equals("process-records-avg")) {
          mean(means, "processRecordsPerLoopAvg", v);
        }
      } else if (group.equals("producer-metrics") && name.tags().getOrDefault("client-id", "").contains("StreamThread")) {
        switch (n) {
          case "txn-commit-time-ns-total" -> add(sums, "producerTxnCommitSeconds", v / 1e9);
          case "txn-begin-time-ns-total" -> add(sums, "producerTxnBeginSeconds", v / 1e9);
          case "txn-send-offsets-time-ns-total" -> add(sums, "producerTxnSendOffsetsSeconds", v / 1e9);
          case "flush-time-ns-total" -> add(sums, "producerFlushSeconds", v / 1e9);
          case "bufferpool-wait-time-ns-total" -> add(sums, "producerBufferWaitSeconds", v / 1e9);
          case "batch-size-avg" -> mean(means, "producerBatchBytesAvg", v);
          case "records-per-request-avg" -> mean(means, "producerRecordsPerRequestAvg", v);
          case "request-latency-avg" -> mean(means, "producerRequestLatencyMsAvg", v);
          default -> { }
        }
      } else if (group.equals("producer-topic-metrics") && n.equals("record-send-total")
          && name.tags().getOrDefault("client-id", "").contains("StreamThread")) {
        add(written, shortTopic(name.tags().get("topic"), applicationId), v);
      } else if (group.equals("consumer-fetch-manager-metrics")) {
        String topic = name.tags().get("topic");
        if (topic != null && name.tags().get("partition") == null && n.equals("records-consumed-total")) {
          add(consumed, shortTopic(topic, applicationId), v);
        } else if (topic == null && n.equals("fetch-size-avg")) {
          mean(means, "consumerFetchBytesAvg", v);
        } else if (topic == null && n.equals("records-per-request-avg")) {
          mean(means, "consumerRecordsPerFetchAvg", v);
        } else if (topic == null && n.equals("fetch-latency-avg")) {
          mean(means, "consumerFetchLatencyMsAvg", v);
        }
      } else if (group.equals("stream-riskstream-metrics")) {
        if (n.equals("scoring-drain-wait-latency-avg")) {
          mean(means, "scoreDrainWaitMsAvg", v);
        } else if (n.equals("scoring-drain-wait-latency-max")) {
          maxima.merge("scoreDrainWaitMsMax", v, Math::max);
        } else if (n.equals("scoring-drain-wait-total")) {
          add(sums, "scoreDrainsWithResults", v);
        }
      }
    });
    threadLatency.forEach((key, countAvg) -> {
      String op = key.substring(key.indexOf('|') + 1);
      add(sums, "thread" + Character.toUpperCase(op.charAt(0)) + op.substring(1) + "Seconds",
          countAvg[0] * countAvg[1] / 1000.0);
    });
    Map<String, Object> out = new TreeMap<>(sums);
    out.putAll(maxima);
    means.forEach((k, sc) -> out.put(k, sc[1] == 0 ? Double.NaN : sc[0] / sc[1]));
    out.put("recordsWrittenByTopic", written);
    out.put("recordsConsumedByTopic", consumed);
    return out;
  }

  /**
   * Records each stream thread's consumer read from {@code topic}, by thread ("StreamThread-N" from the consumer's
   * client id), in thread order: how the tasks of that topic's partitions fell on the threads.
   */
  static Map<String, Long> consumedByThread(Map<MetricName, ? extends Metric> metrics, String topic) {
    Map<String, Long> byThread = new TreeMap<>(java.util.Comparator
        .comparingInt((String t) -> t.length()).thenComparing(java.util.Comparator.naturalOrder()));
    metrics.forEach((name, metric) -> {
      String client = name.tags().getOrDefault("client-id", "");
      int at = client.lastIndexOf("StreamThread-");
      if (at >= 0 && name.group().equals("consumer-fetch-manager-metrics") && topic.equals(name.tags().get("topic"))
          && name.tags().get("partition") == null && name.name().equals("records-consumed-total")
          && metric.metricValue() instanceof Double v && !v.isNaN()) {
        String thread = client.substring(at).replaceFirst("-consumer$", "");
        byThread.merge(thread, Math.round(v), Long::sum);
      }
    });
    return byThread;
  }

  /** Records written per input event, over every topic the stream threads wrote. */
  static double recordsWrittenPerEvent(Map<String, Object> waits, long events) {
    Object w = waits.get("recordsWrittenByTopic");
    if (!(w instanceof Map<?, ?> byTopic) || events == 0) {
      return Double.NaN;
    }
    return byTopic.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum() / events;
  }

  /** {@code topic} without the prefix {@code <applicationId>-} of internal topics, so that runs compare. */
  static String shortTopic(String topic, String applicationId) {
    if (topic == null) {
      return "";
    }
    return topic.startsWith(applicationId + "-") ? topic.substring(applicationId.length() + 1) : topic;
  }

  private static void add(Map<String, Double> m, String key, double v) {
    m.merge(key, v, Double::sum);
  }

  private static void mean(Map<String, double[]> m, String key, double v) {
    double[] sc = m.computeIfAbsent(key, k -> new double[2]);
    sc[0] += v;
    sc[1]++;
  }
}

package io.riskstream.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Writes an {@link E2eBenchmark.Result} as JSON and as a PNG (throughput bars, latency CDF) with JFreeChart. */
public final class BenchReport {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchReport() {
  }

  /** The JSON document: what ran where, and every number measured (latency samples summarized). */
  public static Map<String, Object> document(E2eBenchmark.Result r, Map<String, Object> context,
      Map<String, Object> streamsOverrides) {
    Map<String, Object> doc = new LinkedHashMap<>(context);
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("patients", r.patients());
    input.put("changeEvents", r.events());
    input.put("transactions", r.transactions());
    doc.put("input", input);
    doc.put("passThrough", r.passThrough());
    doc.put("passThroughRuns", r.passThroughRuns().stream().map(E2eBenchmark.Throughput::eventsPerSecond).toList());
    doc.put("passThroughDefinition", "the median of " + r.passThroughRuns().size() + " runs (events/s)");
    doc.put("full", r.full());
    doc.put("cpuSecondsDefinition", "per thread group of the benchmark JVM (broker, stream threads, scorer = the"
        + " batcher thread running ONNX Runtime, jit-compiler, gc, ...), utime + stime from /proc between the start"
        + " and the end of the phase");
    if (r.fullWarmup() != null) {
      Map<String, Object> warm = new LinkedHashMap<>();
      warm.put("definition", "a first run of each topology over the same input (own application id and topics)"
          + " before the measured runs, so that those see JIT-compiled code");
      warm.put("passThrough", r.passThroughWarmup());
      warm.put("full", r.fullWarmup());
      doc.put("warmup", warm);
    }
    doc.put("fullAlerts", r.fullAlerts());
    doc.put("fullToPassThroughRatio", r.fullToPassThrough());
    doc.put("targetRatio", 0.5);
    Map<String, Object> latency = new LinkedHashMap<>();
    E2eBenchmark.Latency l = r.latency();
    latency.put("definition", "send of a transaction's last change event -> its RiskScore read (read_committed)");
    latency.put("rateEventsPerSecond", l.rateEventsPerSecond());
    latency.put("events", l.events());
    latency.put("transactions", l.transactions());
    latency.put("scored", l.scored());
    latency.put("p50Ms", l.p50Ms());
    latency.put("p99Ms", l.p99Ms());
    latency.put("meanMs", l.meanMs());
    latency.put("maxMs", l.maxMs());
    latency.put("waits", l.waits());
    doc.put("latency", latency);
    doc.put("peakRssBytes", r.peakRssBytes());
    doc.put("peakRssScope", "the benchmark JVM: embedded broker, the three topologies and the scorer together (VmHWM)");
    doc.put("stateStoreBytes", r.stateStoreBytes());
    doc.put("stateStoreBytesPerPatient", r.stateStoreBytesPerPatient());
    doc.put("appConfig", new java.util.TreeMap<>(r.appConfig()));
    doc.put("streamsOverrides", new java.util.TreeMap<>(streamsOverrides));
    doc.put("waitsDefinition", "full.waits and each run's waits: from the app's Kafka Streams metrics at the end of the"
        + " phase, summed over stream threads: time in poll, process, punctuate and commit (count x mean latency),"
        + " blocked on Kafka, the producers' transaction commits and flushes; records written (recordsWrittenByTopic,"
        + " recordsWrittenPerEvent) and consumed per topic; fetch and poll sizes; the score processor's drain waits"
        + " (ms a completed score waited to be forwarded); tailSeconds = from the app's last new emr-events record to"
        + " the last score");
    List<Map<String, Object>> scaling = new java.util.ArrayList<>();
    for (E2eBenchmark.Scaling run : r.scaling()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("streamThreads", run.threads());
      one.put("partitions", run.partitions());
      one.put("patients", run.patients());
      one.put("eventsPerSecond", run.full().eventsPerSecond());
      one.put("complete", run.full().complete());
      one.put("eventsPerPartition", run.eventsPerPartition());
      one.put("largestPartitionShare", run.largestPartitionShare());
      one.put("speedupBoundOverOneThread", run.speedupBound());
      one.put("eventsPerThread", run.eventsPerThread());
      one.put("busiestThreadShare", run.busiestThreadShare());
      one.put("assignedSpeedupBoundOverOneThread", run.assignedSpeedupBound());
      one.put("full", run.full());
      scaling.add(one);
    }
    doc.put("threadScaling", scaling);
    return doc;
  }

  public static void writeJson(Map<String, Object> document, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), document);
  }

  /**
   * Writes the PNG ({@link #render}) and returns null, or, where this JVM cannot draw text (no fonts: "Fontconfig head
   * is null" and the like are {@link Error}s from the JDK's font setup), writes nothing and returns why: the caller
   * prints one warning line, and the JSON has everything the PNG shows.
   */
  public static String writePng(E2eBenchmark.Result r, String title, Path file) throws IOException {
    return writePng(() -> render(r, title), file);
  }

  public static String writePng(java.util.function.Supplier<BufferedImage> renderer, Path file) throws IOException {
    BufferedImage image;
    try {
      image = renderer.get();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Error | RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(image, "png", file.toFile());
    return null;
  }

  /**
   * Three panels: throughput of both topologies (events/s), the latency CDF of the paced phase, and the thread-scaling
   * runs (events/s per stream thread count; empty without them).
   */
  static BufferedImage render(E2eBenchmark.Result r, String title) {
    DefaultCategoryDataset bars = new DefaultCategoryDataset();
    bars.addValue(r.passThrough().eventsPerSecond(), "events/s", "pass-through");
    bars.addValue(r.full().eventsPerSecond(), "events/s", "full topology");
    JFreeChart throughput = ChartFactory.createBarChart("Throughput (pre-loaded input)", null, "events/s", bars,
        PlotOrientation.VERTICAL, false, false, false);
    XYSeries cdf = new XYSeries("latency");
    List<Double> ms = r.latency().sortedMs();
    for (int i = 0; i < ms.size(); i++) {
      cdf.add(ms.get(i).doubleValue(), (i + 1) * 100.0 / ms.size());
    }
    JFreeChart latency = ChartFactory.createXYLineChart(String.format(java.util.Locale.ROOT,
        "Event -> score latency at %.0f events/s (p50 %.0f ms, p99 %.0f ms)", r.latency().rateEventsPerSecond(),
        r.latency().p50Ms(), r.latency().p99Ms()), "latency (ms)", "% of transactions",
        new XYSeriesCollection(cdf), PlotOrientation.VERTICAL, false, false, false);
    DefaultCategoryDataset threads = new DefaultCategoryDataset();
    for (E2eBenchmark.Scaling run : r.scaling()) {
      threads.addValue(run.full().eventsPerSecond(), "events/s", run.threads() + " threads");
    }
    JFreeChart scaling = ChartFactory.createBarChart(r.scaling().isEmpty() ? "Thread scaling (not run)"
        : "Full topology by stream threads (" + r.scaling().get(0).partitions() + " partitions)", null, "events/s",
        threads, PlotOrientation.VERTICAL, false, false, false);
    BufferedImage image = new BufferedImage(WIDTH, 560, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, 560);
      g.setColor(Color.BLACK);
      g.drawString(title, 10, 18);
      throughput.draw(g, new Rectangle2D.Double(0, 30, 500, 530));
      latency.draw(g, new Rectangle2D.Double(500, 30, 800, 530));
      scaling.draw(g, new Rectangle2D.Double(1300, 30, 600, 530));
    } finally {
      g.dispose();
    }
    return image;
  }

  static final int WIDTH = 1900;
}

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
  public static Map<String, Object> document(E2eBenchmark.Result r, Map<String, Object> context) {
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
    doc.put("latency", latency);
    doc.put("peakRssBytes", r.peakRssBytes());
    doc.put("peakRssScope", "the benchmark JVM: embedded broker, the three topologies and the scorer together (VmHWM)");
    doc.put("stateStoreBytes", r.stateStoreBytes());
    doc.put("stateStoreBytesPerPatient", r.stateStoreBytesPerPatient());
    doc.put("appConfig", new java.util.TreeMap<>(r.appConfig()));
    doc.put("streamsOverrides", new java.util.TreeMap<>(E2eBenchmark.STREAMS_OVERRIDES));
    return doc;
  }

  public static void writeJson(Map<String, Object> document, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), document);
  }

  /** Two panels: throughput of both topologies (events/s), and the latency CDF of the paced phase. */
  public static void writePng(E2eBenchmark.Result r, String title, Path file) throws IOException {
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
    BufferedImage image = new BufferedImage(1400, 560, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, 1400, 560);
      g.setColor(Color.BLACK);
      g.drawString(title, 10, 18);
      throughput.draw(g, new Rectangle2D.Double(0, 30, 600, 530));
      latency.draw(g, new Rectangle2D.Double(600, 30, 800, 530));
    } finally {
      g.dispose();
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(image, "png", file.toFile());
  }
}

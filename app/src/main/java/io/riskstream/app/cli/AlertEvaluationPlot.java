package io.riskstream.app.cli;

import io.riskstream.app.bench.BenchReport;
import io.riskstream.app.evaluate.AlertBurden;
import io.riskstream.app.evaluate.AlertEvaluation;
import io.riskstream.scoring.encoder.OutcomeSpec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The PNG of {@code evaluate --alerts}: per outcome, one bar per policy, in four panels: alerts per 100 patient-years,
 * sensitivity, PPV and median lead time (days). JFreeChart is a developer library (lib-dev): where it or the fonts are
 * missing, nothing is written and the reason is returned ({@link BenchReport#writePng}).
 */
final class AlertEvaluationPlot {

  private static final int WIDTH = 1800;
  private static final int HEIGHT = 1000;

  private AlertEvaluationPlot() {
  }

  /** Writes the PNG and returns null, or writes nothing and returns why. */
  static String write(List<AlertEvaluation.PolicyResult> results, List<OutcomeSpec> outcomes, String title, Path file)
      throws IOException {
    return BenchReport.writePng(() -> render(results, outcomes, title), file);
  }

  static BufferedImage render(List<AlertEvaluation.PolicyResult> results, List<OutcomeSpec> outcomes, String title) {
    JFreeChart rate = chart("Alerts per 100 patient-years", "alerts / 100 py", results, outcomes,
        b -> b.alertsPer100PatientYears().estimate());
    JFreeChart sensitivity = chart("Onsets with an alert in the 365 days before", "sensitivity", results, outcomes,
        b -> b.sensitivity().estimate());
    JFreeChart ppv = chart("Alerts followed by the onset within the horizon", "PPV", results, outcomes,
        b -> b.ppv().estimate());
    JFreeChart lead = chart("Median lead time (first alert to onset)", "days", results, outcomes,
        b -> b.medianLeadDays().estimate());
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.drawString(title, 10, 18);
      int w = WIDTH / 2;
      int h = (HEIGHT - 30) / 2;
      rate.draw(g, new Rectangle2D.Double(0, 30, w, h));
      sensitivity.draw(g, new Rectangle2D.Double(w, 30, w, h));
      ppv.draw(g, new Rectangle2D.Double(0, 30 + h, w, h));
      lead.draw(g, new Rectangle2D.Double(w, 30 + h, w, h));
    } finally {
      g.dispose();
    }
    return image;
  }

  private static JFreeChart chart(String title, String axis, List<AlertEvaluation.PolicyResult> results,
      List<OutcomeSpec> outcomes, Function<AlertBurden, Double> value) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (AlertEvaluation.PolicyResult r : results) {
      for (OutcomeSpec o : outcomes) {
        double v = value.apply(r.outcomes().get(o.name()));
        data.addValue(Double.isNaN(v) ? null : v, r.name(), o.label());
      }
    }
    JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.VERTICAL, true, false,
        false);
    chart.getCategoryPlot().getDomainAxis().setMaximumCategoryLabelLines(3);  // display names, not "Essenti..."
    return chart;
  }
}

package io.riskstream.topology;

import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.AlertPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * alert: applies the per-outcome policy ({@link AlertDecision}) to each score, with state in store {@value #STORE};
 * a patient younger than the model's population at the score's asOf ({@link AlertPolicy#covers}) gets no alert, and
 * an alert for an outcome the patient already has, or for a patient who has died, is withheld
 * ({@link AlertDecision.Withheld}; from the request, {@link ScoringRequest#diagnosed()} and
 * {@link ScoringRequest#deathTime()}), counted per task and reason in sensors {@code alerts-withheld-<reason>-total}
 * ({@code shadow-alerts-withheld-<reason>-total} for a shadow model) of group {@code stream-riskstream-metrics}, and
 * production's also per instance ({@link WithheldAlertCounts}).
 * Reasons: of the occluded newest event groups ({@link ReasonGroups}: one per code, with a count;
 * {@code alert.reasons.candidates} of them), at most {@code alert.reasons} whose removal lowers p by at least
 * {@code alert.reasons.min.contribution} and by at least {@code alert.reasons.min.share} of p (contribution = p − p
 * without the group), largest first, ties by eventId; the score processor scored the occluded inputs because this
 * policy, on this store's state, raises an alert for the score ({@link #raisesAlert}; a score without them raises none). The alert carries the outcome's display name from the model.
 * alertId = hash(scoreId, outcome, severity). A shadow model's alert processor keeps its state in its own store
 * ({@value #SHADOW_STORE}) and applies the same age floor and withholds the same alerts (by the shadow model's onset
 * codes); its scores carry no reasons, so neither do its alerts.
 */
public final class AlertProcessor implements Processor<String, ScoredRequest, String, RiskAlert> {

  public static final String STORE = "alert-state";
  /** The shadow model's alert state. */
  public static final String SHADOW_STORE = "shadow-alert-state";

  private final AlertPolicy policy;
  private final ScoringBackend backend;
  private final String storeName;
  /** The instance's counts of withheld alerts, or null (a shadow model's are counted per task only). */
  private final WithheldAlertCounts withheldCounts;
  private ProcessorContext<String, RiskAlert> context;
  private KeyValueStore<String, AlertState> store;
  private final Map<AlertDecision.Withheld, Sensor> withheld = new EnumMap<>(AlertDecision.Withheld.class);

  /** @param backend what scores: the outcomes' display names */
  public AlertProcessor(AlertPolicy policy, ScoringBackend backend) {
    this(policy, backend, STORE, new WithheldAlertCounts());
  }

  /**
   * @param storeName the alert-state store: {@value #STORE}, or {@value #SHADOW_STORE} for a shadow model
   * @param withheldCounts where the instance counts the alerts withheld, or null to count them per task only
   */
  public AlertProcessor(AlertPolicy policy, ScoringBackend backend, String storeName,
      WithheldAlertCounts withheldCounts) {
    this.policy = policy;
    this.backend = backend;
    this.storeName = storeName;
    this.withheldCounts = withheldCounts;
  }

  @Override
  public void init(ProcessorContext<String, RiskAlert> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    String prefix = SHADOW_STORE.equals(storeName) ? "shadow-" : "";
    for (AlertDecision.Withheld w : AlertDecision.Withheld.values()) {
      withheld.put(w, context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE, context.taskId().toString(),
          prefix + w.metricOperation(), Sensor.RecordingLevel.INFO));
    }
  }

  /**
   * Whether the policy raises an alert for some outcome of the score of {@code request} with probabilities {@code p}
   * (in the order of {@code outcomes}), given the patient's alert state before it ({@code null} when none): at the
   * request's asOf, for the patient's age then, with the outcomes it has and its death withheld. The score processor
   * asks this before it scores the inputs that explain an alert: with the state the alert processor will hold when
   * the score reaches it, the answer is the one {@link #process} will reach.
   */
  static boolean raisesAlert(AlertPolicy policy, AlertState state, List<String> outcomes, float[] p,
      ScoringRequest request) {
    AlertState s = state == null ? AlertState.empty() : state;
    boolean covered = policy.covers(request.ageYears());
    for (int k = 0; k < outcomes.size() && k < p.length; k++) {
      String name = outcomes.get(k);
      if (AlertDecision.decide(policy.forOutcome(name), s.outcome(name), p[k], request.asOf(), covered,
          AlertDecision.Withheld.of(request, k)).severity() != null) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void process(Record<String, ScoredRequest> record) {
    RiskScore score = record.value().score();
    String patient = score.getPatientId();
    AlertState state = store.get(patient);
    if (state == null) {
      state = AlertState.empty();
    }
    long t = score.getAsOf().toEpochMilli();
    ScoringRequest request = record.value().request();
    boolean covered = policy.covers(request.ageYears());
    List<RiskAlert> alerts = new ArrayList<>();
    List<OutcomeProbability> outcomes = score.getOutcomes();
    for (int k = 0; k < outcomes.size(); k++) {
      String name = outcomes.get(k).getOutcome();
      double p = outcomes.get(k).getProbability();
      AlertState.Outcome previous = state.outcome(name);
      AlertDecision d = AlertDecision.decide(policy.forOutcome(name), previous, p, t, covered,
          AlertDecision.Withheld.of(request, k));
      if (d.severity() != null) {
        alerts.add(alert(record.value(), k, name, p, d.severity(), d.threshold(), previous.lastProbability()));
      } else if (d.withheld() != null) {
        withheld.get(d.withheld()).record();
        if (withheldCounts != null) {
          withheldCounts.add(d.withheld());
        }
      }
      state = state.with(name, d.next());
    }
    store.put(patient, state);
    for (RiskAlert a : alerts) {
      context.forward(new Record<>(patient, a, record.timestamp()));
    }
  }

  @Override
  public void close() {
    if (context != null) {
      withheld.values().forEach(sensor -> context.metrics().removeSensor(sensor));
    }
    withheld.clear();
  }

  private RiskAlert alert(ScoredRequest s, int k, String outcome, double p, AlertSeverity severity, double threshold,
      Double previous) {
    RiskScore score = s.score();
    List<AlertReason> reasons = new ArrayList<>();
    List<ScoringRequest.ReasonEvent> events = s.request().reasonEvents();
    double floor = policy.reasonRules().floor(p);
    for (int i = 0; i < events.size() && i + 1 < s.probabilities().size(); i++) {
      double contribution = p - (double) s.probabilities().get(i + 1)[k];
      if (contribution >= floor) {
        ScoringRequest.ReasonEvent e = events.get(i);
        reasons.add(new AlertReason(e.eventId(), EventKind.valueOf(e.kind()), e.codeSystem(), e.code(),
            e.description(), Instant.ofEpochMilli(e.eventTime()), contribution, e.count()));
      }
    }
    reasons.sort(Comparator.comparingDouble((AlertReason r) -> -r.getContribution()).thenComparing(AlertReason::getEventId));
    if (reasons.size() > policy.reasons()) {
      reasons.subList(policy.reasons(), reasons.size()).clear();
    }
    return RiskAlert.newBuilder()
        .setAlertId(Ids.alertId(score.getScoreId(), outcome, severity.name()))
        .setPatientId(score.getPatientId())
        .setOutcome(outcome)
        .setProbability(p)
        .setSeverity(severity)
        .setThreshold(threshold)
        .setPreviousProbability(previous)
        .setAsOf(score.getAsOf())
        .setModel(score.getModel())
        .setReasons(reasons)
        .setScoreId(score.getScoreId())
        .setOutcomeDisplayName(backend.displayName(outcome))
        .build();
  }
}

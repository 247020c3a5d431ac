package io.riskstream.topology;

import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * trigger: decides when a patient's history is scored, so that there is one scoring request per patient per source
 * transaction (Debezium {@code source.txId}), else one per event. Each event of an open transaction goes to the
 * history at once ({@link HistoryCommand.Apply}); the {@link HistoryCommand.Close} of the transaction makes the
 * history score if anything changed. The open transaction (store {@value #STORE}) keeps its newest record timestamp,
 * its source partition and the first {@code trigger.max.offsets} source offsets. Store {@value #BUFFER} holds events
 * only in entries written by versions that buffered them until the close; those are applied before anything newer of
 * the same patient.
 *
 * <p>A patient's open transaction (store {@value #STORE}) is closed as follows, which is deterministic for a given
 * order of the records in the emr-events partition (see the module README for what that order depends on):
 * <ol>
 *   <li>when a record of that patient with another txId arrives (before that record is applied);</li>
 *   <li>when a record of that patient arrives and the task's stream time is at least {@code lastTimestamp + linger}
 *       (the same decision the stream-time punctuator makes, so it does not matter which of the two runs first);</li>
 *   <li>by a STREAM_TIME punctuator for every open transaction with {@code lastTimestamp + linger <= stream time}
 *       (bounded latency while input flows);</li>
 *   <li>with {@code trigger.close.on.source.progress} (default), when a record of another transaction from the same
 *       source partition arrives, for any patient of this task: a source partition holds transactions in commit
 *       order, one after the other, and normalize writes a partition's records to emr-events in that order, so
 *       every record of the earlier transaction for this task's patients has arrived. Exact when a patient's records
 *       all come from one source partition (the shipped routing: one topic partitioned by patient); with one topic
 *       per table it would split transactions, so turn it off there;</li>
 *   <li>by a WALL_CLOCK check when no record has reached the task for {@code trigger.idle.flush.ms} (the input is
 *       idle). Idle is counted from the last record's arrival, not from the last advance of stream time: records
 *       older than stream time (a source partition behind another, a backlog read after a restart) do not advance
 *       it, yet are input, and counting them as idle split transactions still being read. The check runs every
 *       half idle time and adds at most that much per run, so a stalled stream thread (GC, a saturated CPU, a long
 *       commit: its check runs late) does not close anything on its own; and no time counts as idle while the
 *       task's emr-events partition, or another topic the client reads (the CDC source upstream), has records its
 *       consumers have not fetched ({@link InputBacklog}: a thread over many partitions with a backlog reaches some
 *       of them late). This is the only timing-dependent rule: it still
 *       splits a transaction when the writer upstream (the CDC source) pauses that long in its middle.</li>
 * </ol>
 * A record without txId (or linger 0) closes at once: one request per event. A Close is forwarded with the
 * transaction's newest record timestamp, so its timestamp does not depend on which rule closed it.
 *
 * <p>When the source writes transaction metadata (Debezium's {@code provide.transaction.metadata}: every change event
 * carries {@code transaction.id}, the transaction topic carries its END with the number of events) and the topology
 * tracks it ({@code source.transaction.topic}), the {@link TransactionTracker} tells the trigger when every event of a
 * transaction has reached it ({@link TransactionSignal.Complete}, keyed by patient): the transaction is closed then
 * (rule TRANSACTION_END). Such a transaction ({@link OpenTransaction#awaitsEnd()}) is never closed by linger, and by
 * the idle check only after {@code trigger.transaction.end.timeout.ms} of idle input (an END that never comes), so its
 * boundary does not depend on timing or load. Sources without metadata keep the rules above.
 *
 * <p>An event whose key is not its patient id, or whose fields break the input rules ({@code FieldRules}; emr-events
 * is a contract topic other writers may use), is refused: a {@link HistoryCommand.Reject} carries its dead letter
 * (stage HISTORY) through the history to the dead-letter topic.
 */
public final class TriggerProcessor implements Processor<String, Object, String, HistoryCommand> {

  public static final String STORE = "trigger-open";
  public static final String BUFFER = "trigger-buffer";

  /**
   * The rule that closed a transaction (or, for {@link #PER_EVENT}, that an event was scored alone), counted per
   * task as {@code trigger-close-<rule>-total} in group {@code stream-riskstream-metrics}. Every rule but
   * {@link #IDLE_FLUSH} is decided by the input alone, so a rising idle-flush count while input flows is the sign of
   * transactions split by timing (a replay may then group them differently).
   */
  public enum CloseRule {
    /** The patient's next record belongs to another transaction. */
    NEXT_TRANSACTION,
    /** A record of another transaction arrived from the same source partition. */
    SOURCE_PROGRESS,
    /** Stream time passed the transaction's newest record timestamp + {@code trigger.linger.ms}. */
    LINGER,
    /** No record reached the task for {@code trigger.idle.flush.ms}. */
    IDLE_FLUSH,
    /** A record without txId (or linger 0): scored alone. */
    PER_EVENT,
    /** The transaction tracker saw every event the transaction's END announced. */
    TRANSACTION_END;

    /** The Kafka Streams sensor name of this rule's counter. */
    public String metricOperation() {
      return "trigger-close-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private final Duration linger;
  private final Duration idleFlush;
  private final int maxOffsets;
  private final boolean closeOnSourceProgress;
  private final boolean tracksTransactions;
  private final Duration transactionEndTimeout;
  private final DeadLetterCounts deadLetterCounts;
  private final InputBacklog backlog;
  private final String inputTopic;
  private DeadLetters deadLetters;
  /** Derived from the trigger-open store (rebuilt on init): patients with an open transaction, per source partition. */
  private final Map<String, Set<String>> openBySource = new HashMap<>();
  /** The txId of the newest record seen per source partition (rebuilt on init from the open transactions). */
  private final Map<String, String> lastTxBySource = new HashMap<>();
  private final Map<CloseRule, Sensor> closes = new EnumMap<>(CloseRule.class);
  private ProcessorContext<String, HistoryCommand> context;
  private KeyValueStore<String, OpenTransaction> open;
  private KeyValueStore<String, EmrEvent> buffer;
  /** How often the idle check runs: half of {@code trigger.idle.flush.ms}; also the most one check adds to the idle time. */
  private final long idleCheckMs;
  /** Wall-clock time of the last idle check (or of the task's start). */
  private long lastCheckWallClock;
  /** Whether a record reached this task since the last idle check. */
  private boolean recordSinceCheck;
  /** Idle time accrued by the checks since the last one that followed a record. */
  private long idleMs;

  public TriggerProcessor(Duration linger, Duration idleFlush, int maxOffsets, boolean closeOnSourceProgress) {
    this(linger, idleFlush, maxOffsets, closeOnSourceProgress, false, Duration.ZERO, new DeadLetterCounts(),
        new InputBacklog(), "");
  }

  /**
   * @param tracksTransactions whether the topology tracks transaction metadata: then a transaction whose events carry a
   *     transaction metadata id awaits its END
   * @param transactionEndTimeout idle input after which such a transaction is closed anyway (its END never came)
   * @param backlog whether the task's partition of {@code inputTopic} (emr-events), another topic the client reads, or
   *     the consumer group on another instance has records not yet processed: no idle time accrues while it has
   */
  public TriggerProcessor(Duration linger, Duration idleFlush, int maxOffsets, boolean closeOnSourceProgress,
      boolean tracksTransactions, Duration transactionEndTimeout, DeadLetterCounts deadLetterCounts,
      InputBacklog backlog, String inputTopic) {
    this.backlog = backlog;
    this.inputTopic = inputTopic;
    this.tracksTransactions = tracksTransactions;
    this.transactionEndTimeout = transactionEndTimeout;
    this.deadLetterCounts = deadLetterCounts;
    this.linger = linger;
    this.idleFlush = idleFlush;
    this.idleCheckMs = Math.max(1, idleFlush.toMillis() / 2);
    this.maxOffsets = maxOffsets;
    this.closeOnSourceProgress = closeOnSourceProgress;
  }

  @Override
  public void init(ProcessorContext<String, HistoryCommand> context) {
    this.context = context;
    this.deadLetters = new DeadLetters(context, DeadLetterStage.HISTORY, deadLetterCounts);
    this.open = context.getStateStore(STORE);
    this.buffer = context.getStateStore(BUFFER);
    for (CloseRule r : CloseRule.values()) {
      closes.put(r, context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE, context.taskId().toString(),
          r.metricOperation(), Sensor.RecordingLevel.INFO));
    }
    openBySource.clear();
    lastTxBySource.clear();
    try (KeyValueIterator<String, OpenTransaction> it = open.all()) {
      while (it.hasNext()) {
        KeyValue<String, OpenTransaction> kv = it.next();
        if (kv.value.source() != null) {
          openBySource.computeIfAbsent(kv.value.source(), k -> new HashSet<>()).add(kv.key);
          lastTxBySource.put(kv.value.source(), kv.value.txId());
        }
      }
    }
    if (!linger.isZero()) {
      context.schedule(linger.dividedBy(2).isZero() ? Duration.ofMillis(1) : linger.dividedBy(2),
          PunctuationType.STREAM_TIME, this::closeExpired);
    }
    if (!idleFlush.isZero()) {
      lastCheckWallClock = context.currentSystemTimeMs();
      idleMs = 0;
      context.schedule(Duration.ofMillis(idleCheckMs), PunctuationType.WALL_CLOCK_TIME, this::closeIfIdle);
    }
  }

  @Override
  public void process(Record<String, Object> record) {
    if (record.value() instanceof TransactionSignal.Complete complete) {
      transactionComplete(record.key(), complete);
    } else if (record.value() instanceof EmrEvent e) {
      RejectedInputException refused = refusal(record.key(), e);
      if (refused == null) {
        event(record.withValue(e));
      } else {
        refuse(record, refused);
      }
    }
  }

  /** Closes the patient's open transaction that the tracker found complete (a later Complete finds none: ignored). */
  private void transactionComplete(String patient, TransactionSignal.Complete complete) {
    if (patient == null) {
      return;
    }
    OpenTransaction t = open.get(patient);
    if (t != null && Objects.equals(t.txId(), complete.txId())) {
      close(patient, t, CloseRule.TRANSACTION_END);
    }
  }

  /** Why an event from emr-events cannot be applied (a message without values), or null when it can. */
  private static RejectedInputException refusal(String key, EmrEvent e) {
    if (key == null || !key.equals(e.getPatientId())) {
      return new RejectedInputException(DeadLetterReason.INVALID_FIELD, "the record's key is not the event's patient id");
    }
    try {
      FieldRules.check(e, f -> "EmrEvent." + f.eventField());
      return null;
    } catch (RejectedInputException x) {
      return x;
    }
  }

  private void refuse(Record<String, Object> record, RejectedInputException why) {
    RecordMetadata md = context.recordMetadata().orElse(null);
    byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
    DeadLetter d = md == null
        ? deadLetters.deadLetter(why.reason(), why.getMessage(), "", -1, -1L, key, null)
        : deadLetters.deadLetter(why.reason(), why.getMessage(), md, key, null);
    context.forward(new Record<>(record.key(), (HistoryCommand) new HistoryCommand.Reject(d), record.timestamp()));
  }

  private void event(Record<String, EmrEvent> record) {
    recordSinceCheck = true;
    String patient = record.key();
    EmrEvent e = record.value();
    if (patient == null || e == null) {
      return; // emr-events is written by normalize with a key and a value; nothing else to score
    }
    String txId = e.getSource().getTxId();
    String source = e.getSource().getTopic() + "-" + e.getSource().getPartition();
    if (closeOnSourceProgress && txId != null) {
      String previous = lastTxBySource.put(source, txId);
      if (previous != null && !previous.equals(txId)) {
        closeFrom(source, txId);
      }
    }
    OpenTransaction current = open.get(patient);
    long streamTime = context.currentStreamTimeMs();
    if (current != null && (!Objects.equals(current.txId(), txId) || expired(current, streamTime))) {
      close(patient, current, Objects.equals(current.txId(), txId) ? CloseRule.LINGER : CloseRule.NEXT_TRANSACTION);
      current = null;
    }
    if (txId == null || linger.isZero()) {
      // one request per event: an open transaction of this patient was closed above, so nothing is buffered
      closes.get(CloseRule.PER_EVENT).record();
      context.forward(new Record<>(patient, (HistoryCommand) new HistoryCommand.Close(txId, List.of(offset(e)),
          List.of(e)), record.timestamp()));
      return;
    }
    OpenTransaction next;
    if (current == null) {
      boolean awaitsEnd = tracksTransactions && e.getSource().getTransactionId() != null;
      next = new OpenTransaction(txId, record.timestamp(), List.of(offset(e)), 0, source, awaitsEnd);
      openBySource.computeIfAbsent(source, k -> new HashSet<>()).add(patient);
    } else {
      if (current.buffered() > 0) {
        // events an earlier version buffered for this transaction: they go to the history first, in their order
        List<EmrEvent> earlier = drain(patient, current);
        context.forward(new Record<>(patient, (HistoryCommand) new HistoryCommand.Apply(earlier), record.timestamp()));
        current = current.flushed(current.offsetsWith(offsets(earlier), maxOffsets));
      }
      next = current.plus(record.timestamp(), offset(e), maxOffsets);
    }
    context.forward(new Record<>(patient, (HistoryCommand) new HistoryCommand.Apply(List.of(e)), record.timestamp()));
    open.put(patient, next);
  }

  /** Kafka coordinates of the record an event came from. */
  private static HistoryCommand.SourceOffset offset(EmrEvent e) {
    return new HistoryCommand.SourceOffset(Objects.requireNonNullElse(e.getSource().getTopic(), ""),
        Objects.requireNonNullElse(e.getSource().getPartition(), -1), Objects.requireNonNullElse(e.getSource().getOffset(), -1L));
  }

  private List<HistoryCommand.SourceOffset> offsets(List<EmrEvent> events) {
    List<HistoryCommand.SourceOffset> out = new ArrayList<>(Math.min(events.size(), maxOffsets));
    for (int i = 0; i < events.size() && out.size() < maxOffsets; i++) {
      out.add(offset(events.get(i)));
    }
    return out;
  }

  /** Buffer key: patient id, NUL, zero-padded sequence number (so a patient's events scan in arrival order). */
  static String bufferKey(String patient, int seq) {
    return patient + '\u0000' + String.format("%010d", seq);
  }

  private List<EmrEvent> drain(String patient, OpenTransaction t) {
    List<EmrEvent> events = new ArrayList<>(t.buffered());
    for (int i = 0; i < t.buffered(); i++) {
      String k = bufferKey(patient, i);
      EmrEvent e = buffer.delete(k);
      if (e != null) {
        events.add(e);
      }
    }
    return events;
  }

  private boolean expired(OpenTransaction t, long streamTime) {
    return !t.awaitsEnd() && t.lastTimestamp() + linger.toMillis() <= streamTime;
  }

  /** Closes, in patient order, the open transactions from {@code source} other than {@code txId}. */
  private void closeFrom(String source, String txId) {
    Set<String> patients = openBySource.get(source);
    if (patients == null || patients.isEmpty()) {
      return;
    }
    for (String patient : new TreeSet<>(patients)) {
      OpenTransaction t = open.get(patient);
      if (t != null && !txId.equals(t.txId())) {
        close(patient, t, CloseRule.SOURCE_PROGRESS);
      }
    }
  }

  private void close(String patient, OpenTransaction t, CloseRule rule) {
    closes.get(rule).record();
    List<EmrEvent> events = drain(patient, t);
    open.delete(patient);
    if (t.source() != null) {
      Set<String> patients = openBySource.get(t.source());
      if (patients != null) {
        patients.remove(patient);
      }
    }
    context.forward(new Record<>(patient, (HistoryCommand) new HistoryCommand.Close(t.txId(),
        t.offsetsWith(offsets(events), maxOffsets), events), t.lastTimestamp()));
  }

  private void closeExpired(long streamTime) {
    closeWhere(t -> expired(t, streamTime), CloseRule.LINGER);
  }

  /**
   * Idle time accrues from check to check while no record arrives in between, at most {@link #idleCheckMs} per
   * check: a check that runs late means the stream thread itself did not run (a GC pause, a saturated CPU, a long
   * commit), so it could not have read its input either, and a stall alone never closes a transaction. A check that
   * finds input not yet fetched ({@link InputBacklog}) counts as one that followed a record:
   * the thread is behind, the input is not idle. The input is idle once the checks since the last record span
   * {@code trigger.idle.flush.ms}: between that time and one and a half times it after the last record.
   */
  private void closeIfIdle(long wallClock) {
    if (recordSinceCheck || backlog.behind(inputTopic, context.taskId().partition(), wallClock)) {
      recordSinceCheck = false;
      idleMs = 0;
    } else {
      idleMs += Math.min(Math.max(0, wallClock - lastCheckWallClock), idleCheckMs);
    }
    lastCheckWallClock = wallClock;
    if (idleMs >= idleFlush.toMillis()) {
      // a transaction awaiting its END waits for it, unless the input has been idle for the END timeout
      boolean endOverdue = idleMs >= transactionEndTimeout.toMillis();
      closeWhere(t -> !t.awaitsEnd() || endOverdue, CloseRule.IDLE_FLUSH);
    }
  }

  private void closeWhere(java.util.function.Predicate<OpenTransaction> p, CloseRule rule) {
    List<KeyValue<String, OpenTransaction>> toClose = new ArrayList<>();
    try (KeyValueIterator<String, OpenTransaction> it = open.all()) {
      while (it.hasNext()) {
        KeyValue<String, OpenTransaction> kv = it.next();
        if (p.test(kv.value)) {
          toClose.add(kv);
        }
      }
    }
    for (KeyValue<String, OpenTransaction> kv : toClose) {
      close(kv.key, kv.value, rule);
    }
  }

  @Override
  public void close() {
    if (deadLetters != null) {
      deadLetters.close();
    }
    closes.values().forEach(sensor -> context.metrics().removeSensor(sensor));
    closes.clear();
  }
}

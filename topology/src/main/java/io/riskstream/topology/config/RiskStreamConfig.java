package io.riskstream.topology.config;

import io.riskstream.connectors.debezium.SourceMapping;
import io.riskstream.connectors.kafka.KafkaClientConfig;
import io.riskstream.scoring.Backend;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * RiskStream's configuration: typed, validated and documented in one {@link ConfigDef}. Values come from a
 * properties file, overridden by environment variables {@code RISKSTREAM_<KEY>} where the key is upper-cased and
 * dots and dashes become underscores (e.g. {@code RISKSTREAM_HISTORY_MAX_EVENTS=200}). Password-typed values are
 * never logged ({@link AbstractConfig} prints them as {@code [hidden]}). Per-table source mappings
 * ({@value #SOURCE_TABLE_PREFIX}) and per-outcome alert policies ({@value #ALERT_OUTCOME_PREFIX}) are prefixed keys,
 * see {@link SourceMapping} and {@link AlertPolicy}.
 */
public final class RiskStreamConfig extends AbstractConfig {

  public static final String ENV_PREFIX = "RISKSTREAM_";
  /** Prefix of any other Kafka client property, passed as is (see {@link KafkaClientConfig}). */
  public static final String KAFKA_PREFIX = KafkaClientConfig.PASSTHROUGH_PREFIX;
  public static final String SECURITY_PROTOCOL_CONFIG = KafkaClientConfig.SECURITY_PROTOCOL_CONFIG;
  public static final String STARTUP_TIMEOUT_MS_CONFIG = KafkaClientConfig.STARTUP_TIMEOUT_MS_CONFIG;

  public static final String APPLICATION_ID_CONFIG = "application.id";
  public static final String APPLICATION_ID_DOC = "Kafka Streams application id: consumer group, prefix of internal topics and state directories.";
  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port...].";
  public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
  public static final String PROCESSING_GUARANTEE_DOC = "exactly_once_v2 (default: every score and alert is produced exactly once) or at_least_once"
      + " (after a crash, input since the last commit is scored again, possibly under another scoreId: see README,"
      + " Processing guarantees).";
  public static final String STATE_DIR_CONFIG = "state.dir";
  public static final String STATE_DIR_DOC = "Directory of the RocksDB state stores (a persistent volume in production).";
  public static final String NUM_STREAM_THREADS_CONFIG = "num.stream.threads";
  public static final String NUM_STREAM_THREADS_DOC = "Kafka Streams threads; all of them share the one scorer of the JVM.";
  public static final String COMMIT_INTERVAL_MS_CONFIG = "commit.interval.ms";
  public static final String COMMIT_INTERVAL_MS_DOC = "How often Kafka Streams commits (and, with exactly-once, ends its transaction).";
  public static final String MAX_TASK_IDLE_MS_CONFIG = "max.task.idle.ms";
  public static final String MAX_TASK_IDLE_MS_DOC = "Kafka Streams' max.task.idle.ms: how long a task with several input partitions waits for data on all of them before it processes out of timestamp order (matters with one topic per table; see topology/README.md).";

  public static final String NORMALIZE_ENABLED_CONFIG = "normalize.enabled";
  public static final String NORMALIZE_ENABLED_DOC = "Whether this instance normalizes the source topics into emr-events; false runs only the scoring part from emr-events (the audit replay).";
  public static final String SOURCE_TOPIC_PATTERN_CONFIG = "source.topic.pattern";
  public static final String SOURCE_TOPIC_PATTERN_DOC = "Regular expression of the Debezium topics to read (used when source.topics is empty). The table is the last dot-separated part of the topic name.";
  public static final String SOURCE_TOPICS_CONFIG = "source.topics";
  public static final String SOURCE_TOPICS_DOC = "Explicit list of Debezium topics to read; overrides source.topic.pattern when not empty.";
  public static final String SOURCE_SYSTEM_CONFIG = "source.system";
  public static final String SOURCE_SYSTEM_DOC = "Name of the source system written into EmrEvent.source.system.";
  public static final String SOURCE_TABLES_CONFIG = "source.tables";
  public static final String SOURCE_TABLES_DOC = "Source tables to normalize, each with a mapping (built in for the six tables of connectors/ehr-db/schema.sql, overridable with source.table.<table>.<field>); other tables are dead-lettered as UNKNOWN_TABLE.";
  public static final String SOURCE_MAX_RECORD_BYTES_CONFIG = "source.max.record.bytes";
  public static final String SOURCE_MAX_RECORD_BYTES_DOC = "Records larger than this (key + value bytes) are dead-lettered as OVERSIZED_RECORD without being parsed.";
  public static final String SOURCE_TABLE_PREFIX = "source.table.";
  public static final String SOURCE_TRANSACTION_TOPIC_CONFIG = "source.transaction.topic";
  public static final String SOURCE_TRANSACTION_TOPIC_DOC = "Debezium's transaction metadata topic (provide.transaction.metadata=true; <topic.prefix>.transaction): a transaction is closed when all its events arrived, independent of timing. Empty: not read.";
  public static final String TRIGGER_TRANSACTION_END_TIMEOUT_MS_CONFIG = "trigger.transaction.end.timeout.ms";
  public static final String TRIGGER_TRANSACTION_END_TIMEOUT_MS_DOC = "With source.transaction.topic: wall-clock time without input after which a transaction whose END never came is closed anyway.";

  public static final String FHIR_ENABLED_CONFIG = "fhir.enabled";
  public static final String FHIR_ENABLED_DOC = "Whether this instance also normalizes FHIR R4 resources and Bundles from fhir.topic into emr-events (needs normalize.enabled=true).";
  public static final String FHIR_TOPIC_CONFIG = "fhir.topic";
  public static final String FHIR_TOPIC_DOC = "Topic of FHIR R4 JSON resources or Bundles (any key); the events of one record form one source transaction.";
  public static final String FHIR_MAX_RECORD_BYTES_CONFIG = "fhir.max.record.bytes";
  public static final String FHIR_MAX_RECORD_BYTES_DOC = "FHIR records larger than this (key + value bytes) are dead-lettered as OVERSIZED_RECORD without being parsed; the topic's max.message.bytes must allow it too.";

  public static final String TOPIC_EMR_EVENTS_CONFIG = "topic.emr.events";
  public static final String TOPIC_EMR_EVENTS_DOC = "Topic of normalized EmrEvents keyed by patient id (also the re-keying topic the history reads).";
  public static final String TOPIC_RISK_SCORES_CONFIG = "topic.risk.scores";
  public static final String TOPIC_RISK_SCORES_DOC = "Output topic of RiskScore records keyed by patient id.";
  public static final String TOPIC_RISK_ALERTS_CONFIG = "topic.risk.alerts";
  public static final String TOPIC_RISK_ALERTS_DOC = "Output topic of RiskAlert records keyed by patient id.";
  public static final String TOPIC_DLQ_CONFIG = "topic.dlq";
  public static final String TOPIC_DLQ_DOC = "Dead-letter topic: DeadLetter records keyed by the original key.";
  public static final String TOPIC_RISK_ASSESSMENTS_CONFIG = "topic.risk.assessments";
  public static final String TOPIC_RISK_ASSESSMENTS_DOC = "Output topic of FHIR R4 RiskAssessment resources (JSON), one per score and per alert, keyed by patient id.";
  public static final String TOPIC_ALERT_FEEDBACK_CONFIG = "topic.alert.feedback";
  public static final String TOPIC_ALERT_FEEDBACK_DOC = "Topic of RiskAlertFeedback records (clinicians accepting or overriding alerts through CDS Hooks or the inbox) keyed by patient id.";

  public static final String TOPIC_RISK_SCORES_SHADOW_CONFIG = "topic.risk.scores.shadow";
  public static final String TOPIC_RISK_SCORES_SHADOW_DOC = "With shadow.model: topic of the shadow model's RiskScore records (its own model and scoreIds) keyed by patient id.";
  public static final String TOPIC_RISK_ALERTS_SHADOW_CONFIG = "topic.risk.alerts.shadow";
  public static final String TOPIC_RISK_ALERTS_SHADOW_DOC = "With shadow.model: internal topic of the shadow model's would-be RiskAlerts (no reasons), for shadow-report; clinical systems must not subscribe to it.";

  public static final String TOPIC_PARTITIONS_CONFIG = "topic.partitions";
  public static final String TOPIC_PARTITIONS_DOC = "Partitions of the topics RiskStream creates when they are missing (emr-events, risk-scores, risk-alerts, riskstream-dlq, risk-assessments, risk-alert-feedback); emr-events' count bounds the parallelism of history and scoring.";
  public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "topic.replication.factor";
  public static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the topics RiskStream creates and of its internal (changelog) topics; -1 uses the broker's default.";

  public static final String HISTORY_MAX_EVENTS_CONFIG = "history.max.events";
  public static final String HISTORY_MAX_EVENTS_DOC = "Most events kept per patient; the oldest (by event time, then event id) are evicted first. The DEMOGRAPHICS event is never evicted.";
  public static final String HISTORY_MAX_AGE_DAYS_CONFIG = "history.max.age.days";
  public static final String HISTORY_MAX_AGE_DAYS_DOC = "Events older than this many days before the patient's newest event (event time) are evicted; 0 keeps all.";

  public static final String TRIGGER_CLOSE_ON_SOURCE_PROGRESS_CONFIG = "trigger.close.on.source.progress";
  public static final String TRIGGER_CLOSE_ON_SOURCE_PROGRESS_DOC = "Close a patient's open transaction when a record of another transaction arrives from the same source partition: exact when each patient's records come from one partition (the shipped routing); false for one topic per table.";
  public static final String TRIGGER_LINGER_MS_CONFIG = "trigger.linger.ms";
  public static final String TRIGGER_LINGER_MS_DOC = "Stream-time wait after which an open transaction that nothing later closed is closed and scored (a partition that went quiet); keep it well above a writer's pauses inside one transaction.";
  public static final String TRIGGER_IDLE_FLUSH_MS_CONFIG = "trigger.idle.flush.ms";
  public static final String TRIGGER_IDLE_FLUSH_MS_DOC = "Wall-clock time without any record reaching a task after which its open transactions are closed and scored; 0 disables (then only later input closes them). See topology/README.md.";
  public static final String TRIGGER_MAX_OFFSETS_CONFIG = "trigger.max.offsets";
  public static final String TRIGGER_MAX_OFFSETS_DOC = "Most source offsets a scoring request records as provenance (the first ones of the transaction).";

  public static final String ONNXRUNTIME_THREADS_CONFIG = "onnxruntime.threads";
  public static final String ONNXRUNTIME_THREADS_DOC = "ONNX Runtime intra-op threads per scoring call (the CPU"
      + " scorer, and TensorRT's fallback). More than 1 lets one batch use cores the stream threads leave idle.";
  public static final String BATCHER_MAX_BATCH_SIZE_CONFIG = "batcher.max.batch.size";
  public static final String BATCHER_MAX_BATCH_SIZE_DOC = "Largest batch the per-JVM dynamic batcher sends to the scorer.";
  public static final String BATCHER_MAX_QUEUE_DELAY_MS_CONFIG = "batcher.max.queue.delay.ms";
  public static final String BATCHER_INSTANCES_CONFIG = "batcher.instances";
  public static final String BATCHER_INSTANCES_DOC = "Batches the per-JVM dynamic batcher scores at once (Triton's instance count): worker threads that each take the next batch. More than 1 lets the CPU scorer use more cores when one batch at a time is the bound.";
  public static final String BATCHER_MAX_QUEUE_DELAY_MS_DOC = "Longest time a request waits in the batcher for a fuller batch.";
  public static final String SCORE_DRAIN_INTERVAL_MS_CONFIG = "score.drain.interval.ms";
  public static final String SCORE_DRAIN_INTERVAL_MS_DOC = "Wall-clock interval at which stream threads forward completed scores (they also do on every record).";
  public static final String SCORE_MAX_RETRIES_CONFIG = "score.max.retries";
  public static final String SCORE_MAX_RETRIES_DOC = "Times a request is re-submitted after a scorer failure before the stream thread fails (the request stays in scoring-pending and is re-scored on restart).";

  public static final String ALERT_WARNING_THRESHOLD_CONFIG = "alert.warning.threshold";
  public static final String ALERT_WARNING_THRESHOLD_DOC = "Warning threshold of every outcome (probability). Unset: each outcome's operating point from the model card, else this default. Per outcome: alert.outcome.<name>.warning.threshold.";
  public static final String ALERT_CRITICAL_THRESHOLD_CONFIG = "alert.critical.threshold";
  public static final String ALERT_CRITICAL_THRESHOLD_DOC = "Critical threshold of every outcome. Unset: each outcome's operating point from the model card, else this default. Per outcome: alert.outcome.<name>.critical.threshold.";
  public static final String ALERT_HYSTERESIS_MARGIN_CONFIG = "alert.hysteresis.margin";
  public static final String ALERT_HYSTERESIS_MARGIN_DOC = "A severity re-arms only after the probability falls below its threshold minus this margin; per outcome: alert.outcome.<name>.hysteresis.margin.";
  public static final String ALERT_COOLDOWN_HOURS_CONFIG = "alert.cooldown.hours";
  public static final String ALERT_COOLDOWN_HOURS_DOC = "Event-time hours after an alert of an outcome during which no alert of the same or lower severity is raised; per outcome: alert.outcome.<name>.cooldown.hours.";
  public static final String ALERT_INDEX_PER_PATIENT_CONFIG = "alert.index.per.patient";
  public static final String ALERT_INDEX_PER_PATIENT_DOC = "Newest alerts per patient kept in the alert-index store (alert id to patient, for CDS Hooks and inbox feedback, which name only the alert); feedback on an older alert answers 404.";
  public static final String ALERT_REASONS_CONFIG = "alert.reasons";
  public static final String ALERT_REASONS_DOC = "The most reasons an alert cites: the event groups (one per code) among alert.reasons.candidates whose occlusion lowers the outcome's probability most; 0 disables reasons.";
  public static final String ALERT_REASONS_CANDIDATES_CONFIG = "alert.reasons.candidates";
  public static final String ALERT_REASONS_CANDIDATES_DOC = "Event groups (one per code, over the whole history, newest first; at least alert.reasons) occluded and re-scored when a score raises an alert. More reach further back; each costs a model row per alert.";
  public static final String ALERT_REASONS_MIN_CONTRIBUTION_CONFIG = "alert.reasons.min.contribution";
  public static final String ALERT_REASONS_MIN_CONTRIBUTION_DOC = "An alert cites an event group only when occluding it lowers the outcome's probability by at least this much (absolute) and by at least alert.reasons.min.share of it; smaller contributions are noise.";
  public static final String ALERT_REASONS_MIN_SHARE_CONFIG = "alert.reasons.min.share";
  public static final String ALERT_REASONS_MIN_SHARE_DOC = "An alert cites an event group only when occluding it lowers the outcome's probability by at least this share of the probability (0.1: a tenth), and by at least alert.reasons.min.contribution.";
  public static final String CALIBRATION_ENABLED_CONFIG = "calibration.enabled";
  public static final String CALIBRATION_ENABLED_DOC = "Label every score once its outcome is known, measure observed vs expected per outcome over event-time windows and publish drift events (topic.calibration.drift). Off by default: see README, Calibration drift.";
  public static final String CALIBRATION_WINDOW_DAYS_CONFIG = "calibration.window.days";
  public static final String CALIBRATION_WINDOW_DAYS_DOC = "Length in days of the hopping event-time windows (over the scores' asOf) in which labelled scores are counted.";
  public static final String CALIBRATION_WINDOW_STEP_DAYS_CONFIG = "calibration.window.step.days";
  public static final String CALIBRATION_WINDOW_STEP_DAYS_DOC = "Days between the starts of consecutive calibration windows; at most calibration.window.days.";
  public static final String CALIBRATION_GRACE_DAYS_CONFIG = "calibration.grace.days";
  public static final String CALIBRATION_GRACE_DAYS_DOC = "A window closes when the newest labelled score's asOf passes its end by this many days; a score labelled later (its patient's next event came late) is dropped and counted.";
  public static final String CALIBRATION_MIN_LABELLED_CONFIG = "calibration.min.labelled";
  public static final String CALIBRATION_MIN_LABELLED_DOC = "Closed windows with fewer labelled scores of an outcome update the metrics but neither raise nor clear a drift.";
  public static final String CALIBRATION_BAND_LOWER_CONFIG = "calibration.band.lower";
  public static final String CALIBRATION_BAND_LOWER_DOC = "Lowest observed/expected ratio of a closed window that counts as calibrated.";
  public static final String CALIBRATION_BAND_UPPER_CONFIG = "calibration.band.upper";
  public static final String CALIBRATION_BAND_UPPER_DOC = "Highest observed/expected ratio of a closed window that counts as calibrated; above calibration.band.lower.";
  public static final String CALIBRATION_MAX_PENDING_CONFIG = "calibration.max.pending.per.patient";
  public static final String CALIBRATION_MAX_PENDING_DOC = "Scores of one patient kept until labelled; beyond it the oldest is dropped unlabelled and counted (metric calibration-pending-dropped-total).";
  public static final String TOPIC_CALIBRATION_DRIFT_CONFIG = "topic.calibration.drift";
  public static final String TOPIC_CALIBRATION_DRIFT_DOC = "Output topic of CalibrationDrift records (Avro, key = outcome): an outcome's calibration left the band or came back.";
  public static final String ALERT_REASONS_EXCLUDED_CODES_CONFIG = "alert.reasons.excluded.codes";
  public static final String ALERT_REASONS_EXCLUDED_CODES_DOC = "Codes (any code system) never cited as alert reasons; they stay model inputs. Default: Synthea's health-economics measures QALY, DALY and QOLS, which are not clinical facts.";
  public static final String ALERT_OUTCOME_PREFIX = "alert.outcome.";

  public static final String SCORER_CONFIG = "scorer";
  public static final String SCORER_DOC = "Scoring backend: auto (TensorRT when a GPU and TensorRT load, else ONNX Runtime), onnxruntime or tensorrt.";
  public static final String TENSORRT_PRECISION_CONFIG = "tensorrt.precision";
  public static final String TENSORRT_PRECISION_DOC = "Precision of the TensorRT engine: fp32 or fp16 (int8 only for models with Q/DQ nodes).";
  public static final String TENSORRT_ENGINE_CACHE_DIR_CONFIG = "tensorrt.engine.cache.dir";
  public static final String TENSORRT_ENGINE_CACHE_DIR_DOC = "Directory of built TensorRT engines (keyed by model sha256, TensorRT version, GPU, precision and profiles; verified before loading). Empty: <state.dir>/tensorrt-engines.";
  public static final String TENSORRT_MAX_BATCH_CONFIG = "tensorrt.max.batch";
  public static final String TENSORRT_MAX_BATCH_DOC = "Largest batch size of the TensorRT engine, a power of two (one static profile per batch size 1, 2, 4, ... up to it; larger batches are split); keep it at least batcher.max.batch.size.";
  public static final String TENSORRT_CONTEXTS_CONFIG = "tensorrt.contexts";
  public static final String TENSORRT_CONTEXTS_DOC = "Execution contexts of the TensorRT engine per shape; with more than one, a call cuts large chunks into parts that run at once on their own CUDA streams. Changing it rebuilds the engine (see topology/README.md).";
  public static final String TENSORRT_PARITY_FAILURE_CONFIG = "tensorrt.on.parity.failure";
  public static final String TENSORRT_PARITY_FAILURE_DOC = "When a new engine disagrees with ONNX Runtime on the model's validation set: fallback (serve with ONNX Runtime on the CPU, logged as an error) or fail (refuse to start).";
  public static final String MODEL_NAME_CONFIG = "model.name";
  public static final String MODEL_NAME_DOC = "Model to serve: the name of a bundled model (e.g. emr-risk-small, emr-risk-base) or the path of a model directory.";
  public static final String SHADOW_MODEL_CONFIG = "shadow.model";
  public static final String SHADOW_MODEL_DOC = "A second model (bundled name or model directory) scored on every history beside model.name, with the same scorer settings; its scores and would-be alerts go to the shadow topics only. Empty: off.";
  public static final String SHADOW_THRESHOLDS_CONFIG = "shadow.thresholds";
  public static final String SHADOW_THRESHOLDS_DOC = "Alert thresholds and minimum age of the shadow model: model (its card's operating points, else production's thresholds; its card's minimum age) or production (production's: another model at the same operating points).";
  public static final String SHADOW_MAX_PENDING_CONFIG = "shadow.max.pending";
  public static final String SHADOW_MAX_PENDING_DOC = "Most requests a task keeps pending for the shadow model; beyond it a history is skipped for the shadow (riskstream_shadow_failures_total{reason=backlog}), so a slow shadow never grows without bound.";
  public static final String REGISTRY_URL_CONFIG = "registry.url";
  public static final String REGISTRY_URL_DOC = "Schema registry URL for registry.api (e.g. http://registry:8080/apis/registry/v3, http://schema-registry:8081), or mem://: in-memory, only RiskStream's own schemas, not durable (demo, tests).";
  public static final String REGISTRY_API_CONFIG = "registry.api";
  public static final String REGISTRY_API_DOC = "REST API of registry.url: apicurio (Apicurio Registry v3) or confluent (Confluent Schema Registry, Redpanda, Karapace, Apicurio's /apis/ccompat/v7). Ignored for mem://.";
  public static final String REGISTRY_TRUSTSTORE_LOCATION_CONFIG = "registry.truststore.location";
  public static final String REGISTRY_TRUSTSTORE_LOCATION_DOC = "Truststore file with the certificates that an https registry.url is trusted by (empty: the JVM's default trust).";
  public static final String REGISTRY_TRUSTSTORE_PASSWORD_CONFIG = "registry.truststore.password";
  public static final String REGISTRY_TRUSTSTORE_PASSWORD_DOC = "Password of registry.truststore.location; a secret, never logged.";
  public static final String REGISTRY_TRUSTSTORE_TYPE_CONFIG = "registry.truststore.type";
  public static final String REGISTRY_TRUSTSTORE_TYPE_DOC = "Type of registry.truststore.location: PKCS12 or JKS.";
  public static final String REGISTRY_CONNECT_TIMEOUT_MS_CONFIG = "registry.connect.timeout.ms";
  public static final String REGISTRY_CONNECT_TIMEOUT_MS_DOC = "With registry.api=confluent: longest wait for a connection to the registry.";
  public static final String REGISTRY_REQUEST_TIMEOUT_MS_CONFIG = "registry.request.timeout.ms";
  public static final String REGISTRY_REQUEST_TIMEOUT_MS_DOC = "With registry.api=confluent: longest wait for the registry's answer to one request.";
  public static final String REGISTRY_USERNAME_CONFIG = "registry.username";
  public static final String REGISTRY_USERNAME_DOC = "User name for the schema registry (empty: no authentication).";
  public static final String REGISTRY_PASSWORD_CONFIG = "registry.password";
  public static final String REGISTRY_PASSWORD_DOC = "Password for the schema registry; a secret, never logged.";

  public static final String HTTP_PORT_CONFIG = "http.port";
  public static final String HTTP_PORT_DOC = "Port of the HTTP endpoints of `riskstream run`: /health/live, /health/ready, /metrics (Prometheus) and /patients/{id}/risk; 0 picks a free port.";
  public static final String HTTP_BIND_ADDRESS_CONFIG = "http.bind.address";
  public static final String HTTP_BIND_ADDRESS_DOC = "Address the HTTP endpoints listen on: 0.0.0.0 (every interface, as a pod needs), 127.0.0.1 (this host only) or one interface's address.";
  public static final String HTTP_AUTH_CONFIG = "http.auth";
  public static final String HTTP_AUTH_DOC = "Authentication of /patients/{id}/risk and the clinician routes with patient data: token (bearer token from http.auth.tokens.file), mtls (trusted client certificate), token_or_mtls, or none. Other routes stay open.";
  public static final String HTTP_AUTH_TOKENS_FILE_CONFIG = "http.auth.tokens.file";
  public static final String HTTP_AUTH_TOKENS_FILE_DOC = "File of accepted bearer tokens, one a line (e.g. a Kubernetes Secret mount), re-read when it changes; empty with http.auth=token: every patient query is refused (401).";
  public static final String HTTP_TLS_KEYSTORE_PATH_CONFIG = "http.tls.keystore.path";
  public static final String HTTP_TLS_KEYSTORE_PATH_DOC = "PKCS12 keystore with the HTTP server's private key and certificate chain; set: HTTPS only on http.port (also towards other instances); empty: plain HTTP.";
  public static final String HTTP_TLS_KEYSTORE_PASSWORD_CONFIG = "http.tls.keystore.password";
  public static final String HTTP_TLS_KEYSTORE_PASSWORD_DOC = "Password of http.tls.keystore.path (and of its key); a secret, never logged.";
  public static final String HTTP_TLS_TRUSTSTORE_PATH_CONFIG = "http.tls.truststore.path";
  public static final String HTTP_TLS_TRUSTSTORE_PATH_DOC = "PKCS12 truststore: the CAs of accepted client certificates (http.auth mtls) and of the other instances' server certificates; empty: the JDK's CAs, no client certificates.";
  public static final String HTTP_TLS_TRUSTSTORE_PASSWORD_CONFIG = "http.tls.truststore.password";
  public static final String HTTP_TLS_TRUSTSTORE_PASSWORD_DOC = "Password of http.tls.truststore.path; a secret, never logged.";
  public static final String HTTP_FORWARD_TIMEOUT_MS_CONFIG = "http.forward.timeout.ms";
  public static final String HTTP_FORWARD_TIMEOUT_MS_DOC = "Longest wait (connect and answer) for the instance that owns a patient when a query is forwarded to it; then a local or standby copy answers, marked stale, or 503.";
  public static final String HTTP_SESSION_TTL_MS_CONFIG = "http.session.ttl.ms";
  public static final String HTTP_SESSION_TTL_MS_DOC = "Lifetime of an alert inbox session: the signed HttpOnly cookie the inbox page gets for a bearer token (POST /inbox/session). Replacing the tokens file ends every session.";
  public static final String APPLICATION_SERVER_CONFIG = "application.server";
  public static final String APPLICATION_SERVER_DOC = "host:port at which the other instances reach this one's HTTP endpoints (Kafka Streams' application.server), so patient queries are routed to the owner; empty: one instance, local answers only.";
  public static final String NUM_STANDBY_REPLICAS_CONFIG = "num.standby.replicas";
  public static final String NUM_STANDBY_REPLICAS_DOC = "Standby copies of each state store on other instances: faster take-over after a failure, and patient queries answered (marked stale) while the owner is gone.";

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(APPLICATION_ID_CONFIG, Type.STRING, "riskstream", new ConfigDef.NonEmptyString(), Importance.HIGH, APPLICATION_ID_DOC)
      .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, "localhost:9092", Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
      .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, ProcessingGuarantee.EXACTLY_ONCE_V2.streamsValue(),
          EnumValidator.of(ProcessingGuarantee.class), Importance.HIGH, PROCESSING_GUARANTEE_DOC)
      .define(STATE_DIR_CONFIG, Type.STRING, "/var/lib/riskstream/state", new ConfigDef.NonEmptyString(), Importance.HIGH, STATE_DIR_DOC)
      .define(NUM_STREAM_THREADS_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, NUM_STREAM_THREADS_DOC)
      .define(COMMIT_INTERVAL_MS_CONFIG, Type.LONG, 100L, Range.atLeast(1), Importance.MEDIUM, COMMIT_INTERVAL_MS_DOC)
      .define(MAX_TASK_IDLE_MS_CONFIG, Type.LONG, 0L, Range.atLeast(-1), Importance.LOW, MAX_TASK_IDLE_MS_DOC)
      .define(NORMALIZE_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, NORMALIZE_ENABLED_DOC)
      .define(SOURCE_TOPIC_PATTERN_CONFIG, Type.STRING, "ehr\\.clinical\\.[a-z_]+", new RegexValidator(), Importance.HIGH, SOURCE_TOPIC_PATTERN_DOC)
      .define(SOURCE_TOPICS_CONFIG, Type.LIST, List.of(), Importance.MEDIUM, SOURCE_TOPICS_DOC)
      .define(SOURCE_SYSTEM_CONFIG, Type.STRING, "postgres:ehr", new ConfigDef.NonEmptyString(), Importance.LOW, SOURCE_SYSTEM_DOC)
      .define(SOURCE_TABLES_CONFIG, Type.LIST, SourceMapping.DEFAULT_TABLES, ConfigDef.ValidList.anyNonDuplicateValues(false, false), Importance.MEDIUM, SOURCE_TABLES_DOC)
      .define(SOURCE_MAX_RECORD_BYTES_CONFIG, Type.INT, 1 << 20, Range.atLeast(1024), Importance.LOW, SOURCE_MAX_RECORD_BYTES_DOC)
      .define(SOURCE_TRANSACTION_TOPIC_CONFIG, Type.STRING, "", Importance.MEDIUM, SOURCE_TRANSACTION_TOPIC_DOC)
      .define(TRIGGER_TRANSACTION_END_TIMEOUT_MS_CONFIG, Type.LONG, 300_000L, Range.atLeast(0), Importance.LOW,
          TRIGGER_TRANSACTION_END_TIMEOUT_MS_DOC)
      .define(FHIR_ENABLED_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, FHIR_ENABLED_DOC)
      .define(FHIR_TOPIC_CONFIG, Type.STRING, "fhir.resources", new ConfigDef.NonEmptyString(), Importance.MEDIUM, FHIR_TOPIC_DOC)
      .define(FHIR_MAX_RECORD_BYTES_CONFIG, Type.INT, 16 << 20, Range.atLeast(1024), Importance.LOW, FHIR_MAX_RECORD_BYTES_DOC)
      .define(TOPIC_EMR_EVENTS_CONFIG, Type.STRING, Topics.DEFAULTS.emrEvents().name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_EMR_EVENTS_DOC)
      .define(TOPIC_RISK_SCORES_CONFIG, Type.STRING, Topics.DEFAULTS.riskScores().name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_RISK_SCORES_DOC)
      .define(TOPIC_RISK_ALERTS_CONFIG, Type.STRING, Topics.DEFAULTS.riskAlerts().name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_RISK_ALERTS_DOC)
      .define(TOPIC_DLQ_CONFIG, Type.STRING, Topics.DEFAULTS.deadLetters().name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_DLQ_DOC)
      .define(TOPIC_RISK_ASSESSMENTS_CONFIG, Type.STRING, Topics.DEFAULTS.riskAssessments(), new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_RISK_ASSESSMENTS_DOC)
      .define(TOPIC_ALERT_FEEDBACK_CONFIG, Type.STRING, Topics.DEFAULTS.alertFeedback().name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_ALERT_FEEDBACK_DOC)
      .define(TOPIC_RISK_SCORES_SHADOW_CONFIG, Type.STRING, Topics.DEFAULTS.riskScoresShadow().name(), new ConfigDef.NonEmptyString(), Importance.LOW, TOPIC_RISK_SCORES_SHADOW_DOC)
      .define(TOPIC_RISK_ALERTS_SHADOW_CONFIG, Type.STRING, Topics.DEFAULTS.riskAlertsShadow().name(), new ConfigDef.NonEmptyString(), Importance.LOW, TOPIC_RISK_ALERTS_SHADOW_DOC)
      .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM, TOPIC_PARTITIONS_DOC)
      .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) -1, Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC)
      .define(HISTORY_MAX_EVENTS_CONFIG, Type.INT, 512, Range.atLeast(1), Importance.MEDIUM, HISTORY_MAX_EVENTS_DOC)
      .define(HISTORY_MAX_AGE_DAYS_CONFIG, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM, HISTORY_MAX_AGE_DAYS_DOC)
      .define(TRIGGER_LINGER_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(0), Importance.MEDIUM, TRIGGER_LINGER_MS_DOC)
      .define(TRIGGER_CLOSE_ON_SOURCE_PROGRESS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, TRIGGER_CLOSE_ON_SOURCE_PROGRESS_DOC)
      .define(TRIGGER_IDLE_FLUSH_MS_CONFIG, Type.LONG, 2000L, Range.atLeast(0), Importance.LOW, TRIGGER_IDLE_FLUSH_MS_DOC)
      .define(TRIGGER_MAX_OFFSETS_CONFIG, Type.INT, 32, Range.atLeast(1), Importance.LOW, TRIGGER_MAX_OFFSETS_DOC)
      .define(ONNXRUNTIME_THREADS_CONFIG, Type.INT, 1, Range.between(1, 256), Importance.LOW,
          ONNXRUNTIME_THREADS_DOC)
      .define(BATCHER_MAX_BATCH_SIZE_CONFIG, Type.INT, 64, Range.between(1, 4096), Importance.MEDIUM, BATCHER_MAX_BATCH_SIZE_DOC)
      .define(BATCHER_MAX_QUEUE_DELAY_MS_CONFIG, Type.LONG, 5L, Range.atLeast(0), Importance.MEDIUM, BATCHER_MAX_QUEUE_DELAY_MS_DOC)
      .define(BATCHER_INSTANCES_CONFIG, Type.INT, 1, Range.between(1, 16), Importance.LOW, BATCHER_INSTANCES_DOC)
      .define(SCORE_DRAIN_INTERVAL_MS_CONFIG, Type.LONG, 10L, Range.atLeast(1), Importance.LOW, SCORE_DRAIN_INTERVAL_MS_DOC)
      .define(SCORE_MAX_RETRIES_CONFIG, Type.INT, 3, Range.atLeast(0), Importance.LOW, SCORE_MAX_RETRIES_DOC)
      .define(ALERT_WARNING_THRESHOLD_CONFIG, Type.DOUBLE, 0.3, Range.between(0.0, 1.0), Importance.HIGH, ALERT_WARNING_THRESHOLD_DOC)
      .define(ALERT_CRITICAL_THRESHOLD_CONFIG, Type.DOUBLE, 0.6, Range.between(0.0, 1.0), Importance.HIGH, ALERT_CRITICAL_THRESHOLD_DOC)
      .define(ALERT_HYSTERESIS_MARGIN_CONFIG, Type.DOUBLE, 0.05, Range.between(0.0, 1.0), Importance.MEDIUM, ALERT_HYSTERESIS_MARGIN_DOC)
      .define(ALERT_COOLDOWN_HOURS_CONFIG, Type.LONG, 24L * 30, Range.atLeast(0), Importance.MEDIUM, ALERT_COOLDOWN_HOURS_DOC)
      .define(ALERT_REASONS_CONFIG, Type.INT, 3, Range.between(0, 32), Importance.LOW, ALERT_REASONS_DOC)
      .define(ALERT_INDEX_PER_PATIENT_CONFIG, Type.INT, 100, Range.between(1, 100_000), Importance.LOW, ALERT_INDEX_PER_PATIENT_DOC)
      .define(ALERT_REASONS_CANDIDATES_CONFIG, Type.INT, 16, Range.between(0, 32), Importance.LOW, ALERT_REASONS_CANDIDATES_DOC)
      .define(ALERT_REASONS_MIN_CONTRIBUTION_CONFIG, Type.DOUBLE, 0.0005, Range.between(0.0, 1.0), Importance.LOW, ALERT_REASONS_MIN_CONTRIBUTION_DOC)
      .define(ALERT_REASONS_MIN_SHARE_CONFIG, Type.DOUBLE, 0.1, Range.between(0.0, 1.0), Importance.LOW, ALERT_REASONS_MIN_SHARE_DOC)
      .define(ALERT_REASONS_EXCLUDED_CODES_CONFIG, Type.LIST, "QALY,DALY,QOLS", Importance.LOW, ALERT_REASONS_EXCLUDED_CODES_DOC)
      .define(CALIBRATION_ENABLED_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, CALIBRATION_ENABLED_DOC)
      .define(CALIBRATION_WINDOW_DAYS_CONFIG, Type.INT, 90, Range.between(1, 3650), Importance.MEDIUM, CALIBRATION_WINDOW_DAYS_DOC)
      .define(CALIBRATION_WINDOW_STEP_DAYS_CONFIG, Type.INT, 30, Range.between(1, 3650), Importance.MEDIUM, CALIBRATION_WINDOW_STEP_DAYS_DOC)
      .define(CALIBRATION_GRACE_DAYS_CONFIG, Type.INT, 180, Range.between(0, 3650), Importance.MEDIUM, CALIBRATION_GRACE_DAYS_DOC)
      .define(CALIBRATION_MIN_LABELLED_CONFIG, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM, CALIBRATION_MIN_LABELLED_DOC)
      .define(CALIBRATION_BAND_LOWER_CONFIG, Type.DOUBLE, 0.5, Range.atLeast(0.0), Importance.MEDIUM, CALIBRATION_BAND_LOWER_DOC)
      .define(CALIBRATION_BAND_UPPER_CONFIG, Type.DOUBLE, 2.0, Range.atLeast(0.0), Importance.MEDIUM, CALIBRATION_BAND_UPPER_DOC)
      .define(CALIBRATION_MAX_PENDING_CONFIG, Type.INT, 64, Range.between(1, 4096), Importance.LOW, CALIBRATION_MAX_PENDING_DOC)
      .define(TOPIC_CALIBRATION_DRIFT_CONFIG, Type.STRING, "calibration-drift", new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_CALIBRATION_DRIFT_DOC)
      .define(SCORER_CONFIG, Type.STRING, "auto", EnumValidator.of(Backend.class), Importance.HIGH, SCORER_DOC)
      .define(TENSORRT_PRECISION_CONFIG, Type.STRING, "fp16", EnumValidator.of(Precision.class), Importance.MEDIUM, TENSORRT_PRECISION_DOC)
      .define(TENSORRT_ENGINE_CACHE_DIR_CONFIG, Type.STRING, "", Importance.MEDIUM, TENSORRT_ENGINE_CACHE_DIR_DOC)
      .define(TENSORRT_MAX_BATCH_CONFIG, Type.INT, 64, new PowerOfTwoValidator(4096), Importance.LOW, TENSORRT_MAX_BATCH_DOC)
      .define(TENSORRT_CONTEXTS_CONFIG, Type.INT, 1, Range.between(1, 8), Importance.LOW, TENSORRT_CONTEXTS_DOC)
      .define(TENSORRT_PARITY_FAILURE_CONFIG, Type.STRING, "fallback", EnumValidator.of(ParityFailurePolicy.class), Importance.MEDIUM, TENSORRT_PARITY_FAILURE_DOC)
      .define(MODEL_NAME_CONFIG, Type.STRING, "emr-risk-small", new ConfigDef.NonEmptyString(), Importance.HIGH, MODEL_NAME_DOC)
      .define(SHADOW_MODEL_CONFIG, Type.STRING, "", Importance.MEDIUM, SHADOW_MODEL_DOC)
      .define(SHADOW_THRESHOLDS_CONFIG, Type.STRING, "model", ConfigDef.ValidString.in("model", "production"), Importance.LOW, SHADOW_THRESHOLDS_DOC)
      .define(SHADOW_MAX_PENDING_CONFIG, Type.INT, 10_000, Range.atLeast(1), Importance.LOW, SHADOW_MAX_PENDING_DOC)
      .define(REGISTRY_URL_CONFIG, Type.STRING, "mem://", new RegistryUrlValidator(), Importance.HIGH, REGISTRY_URL_DOC)
      .define(REGISTRY_API_CONFIG, Type.STRING, "apicurio", EnumValidator.of(RegistryApi.class), Importance.HIGH, REGISTRY_API_DOC)
      .define(REGISTRY_USERNAME_CONFIG, Type.STRING, "", Importance.LOW, REGISTRY_USERNAME_DOC)
      .define(REGISTRY_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.LOW, REGISTRY_PASSWORD_DOC)
      .define(REGISTRY_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, "", Importance.LOW, REGISTRY_TRUSTSTORE_LOCATION_DOC)
      .define(REGISTRY_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.LOW, REGISTRY_TRUSTSTORE_PASSWORD_DOC)
      .define(REGISTRY_TRUSTSTORE_TYPE_CONFIG, Type.STRING, "PKCS12", ConfigDef.ValidString.in("PKCS12", "JKS"), Importance.LOW, REGISTRY_TRUSTSTORE_TYPE_DOC)
      .define(REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW, REGISTRY_CONNECT_TIMEOUT_MS_DOC)
      .define(REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW, REGISTRY_REQUEST_TIMEOUT_MS_DOC)
      .define(HTTP_PORT_CONFIG, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM, HTTP_PORT_DOC)
      .define(HTTP_BIND_ADDRESS_CONFIG, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM, HTTP_BIND_ADDRESS_DOC)
      .define(HTTP_AUTH_CONFIG, Type.STRING, "token", EnumValidator.of(HttpAuth.class), Importance.HIGH, HTTP_AUTH_DOC)
      .define(HTTP_AUTH_TOKENS_FILE_CONFIG, Type.STRING, "", Importance.HIGH, HTTP_AUTH_TOKENS_FILE_DOC)
      .define(HTTP_TLS_KEYSTORE_PATH_CONFIG, Type.STRING, "", Importance.HIGH, HTTP_TLS_KEYSTORE_PATH_DOC)
      .define(HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.HIGH, HTTP_TLS_KEYSTORE_PASSWORD_DOC)
      .define(HTTP_TLS_TRUSTSTORE_PATH_CONFIG, Type.STRING, "", Importance.MEDIUM, HTTP_TLS_TRUSTSTORE_PATH_DOC)
      .define(HTTP_TLS_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, HTTP_TLS_TRUSTSTORE_PASSWORD_DOC)
      .define(HTTP_FORWARD_TIMEOUT_MS_CONFIG, Type.LONG, 5000L, Range.between(1, 600_000), Importance.LOW, HTTP_FORWARD_TIMEOUT_MS_DOC)
      .define(HTTP_SESSION_TTL_MS_CONFIG, Type.LONG, 8 * 3_600_000L, Range.between(60_000, 7 * 24 * 3_600_000L), Importance.LOW, HTTP_SESSION_TTL_MS_DOC)
      .define(APPLICATION_SERVER_CONFIG, Type.STRING, "", new HostPortValidator(), Importance.MEDIUM, APPLICATION_SERVER_DOC)
      .define(NUM_STANDBY_REPLICAS_CONFIG, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM, NUM_STANDBY_REPLICAS_DOC);

  static {
    // security.protocol, ssl.*, sasl.* and startup.timeout.ms: the keys every Kafka client of RiskStream takes
    KafkaClientConfig.define(CONFIG);
  }

  private final SourceMapping sourceMapping;
  private final AlertPolicy alertPolicy;
  private final Topics topics;

  public RiskStreamConfig(Map<?, ?> props) {
    super(CONFIG, props, true);
    if (getDouble(ALERT_CRITICAL_THRESHOLD_CONFIG) < getDouble(ALERT_WARNING_THRESHOLD_CONFIG)) {
      throw new ConfigException(ALERT_CRITICAL_THRESHOLD_CONFIG + " must be at least " + ALERT_WARNING_THRESHOLD_CONFIG);
    }
    if (getDouble(CALIBRATION_BAND_UPPER_CONFIG) <= getDouble(CALIBRATION_BAND_LOWER_CONFIG)) {
      throw new ConfigException(CALIBRATION_BAND_UPPER_CONFIG + " must be above " + CALIBRATION_BAND_LOWER_CONFIG);
    }
    if (getInt(CALIBRATION_WINDOW_STEP_DAYS_CONFIG) > getInt(CALIBRATION_WINDOW_DAYS_CONFIG)) {
      throw new ConfigException(CALIBRATION_WINDOW_STEP_DAYS_CONFIG + " must be at most " + CALIBRATION_WINDOW_DAYS_CONFIG);
    }
    this.sourceMapping = SourceMapping.fromConfig(getList(SOURCE_TABLES_CONFIG), originalsWithPrefix(SOURCE_TABLE_PREFIX));
    this.alertPolicy = AlertPolicy.fromConfig(this, originalsWithPrefix(ALERT_OUTCOME_PREFIX));
    this.topics = Topics.of(this);
    KafkaClientConfig.check(this);
  }

  /** The documented definition of every key. */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }

  /** Loads a properties file (when given) and applies {@code RISKSTREAM_*} overrides from {@code env}. */
  public static RiskStreamConfig load(Path file, Map<String, String> env) throws IOException {
    Map<String, Object> props = new HashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      p.forEach((k, v) -> props.put((String) k, v));
    }
    props.putAll(environmentOverrides(env, props.keySet()));
    return new RiskStreamConfig(props);
  }

  /**
   * Maps {@code RISKSTREAM_FOO_BAR} to the known key whose env form it is ({@code foo.bar}); for prefixed keys that
   * are not in the ConfigDef (per table or outcome), underscores become dots unless the key already exists in the
   * file with underscores.
   */
  static Map<String, Object> environmentOverrides(Map<String, String> env, Set<String> fileKeys) {
    Map<String, String> known = new HashMap<>();
    for (String name : CONFIG.names()) {
      known.put(envName(name), name);
    }
    for (String name : fileKeys) {
      known.putIfAbsent(envName(name), name);
    }
    Map<String, Object> out = new HashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX)) {
        String key = known.getOrDefault(k, k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
        out.put(key, v);
      }
    });
    return out;
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Properties for {@link org.apache.kafka.streams.KafkaStreams}: bootstrap servers, the security keys that are set
   * and every {@value #KAFKA_PREFIX} key (prefix stripped; Kafka Streams' own {@code consumer.}, {@code producer.},
   * {@code admin.} prefixes work through it), then the keys RiskStream sets itself.
   */
  public Properties streamsProperties() {
    Properties p = new Properties();
    p.putAll(KafkaClientConfig.forStreams(this, bootstrapServers()));
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee().streamsValue());
    p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(NUM_STREAM_THREADS_CONFIG));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(COMMIT_INTERVAL_MS_CONFIG));
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, getLong(MAX_TASK_IDLE_MS_CONFIG));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(TOPIC_REPLICATION_FACTOR_CONFIG));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, getInt(NUM_STANDBY_REPLICAS_CONFIG));
    if (!getString(APPLICATION_SERVER_CONFIG).isEmpty()) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, getString(APPLICATION_SERVER_CONFIG));
    }
    // The topology has no global stores or tables, so there is no global thread for this setting to change; it only
    // silences the warning Kafka Streams 4.x logs at every start while it is false (the default until Kafka 5.0).
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    return p;
  }

  /** Properties of an admin client: as for every client, plus the {@code kafka.admin.*} keys. */
  public Map<String, Object> adminProperties() {
    return KafkaClientConfig.forClient(this, bootstrapServers(), KafkaClientConfig.Client.ADMIN);
  }

  /** Properties of a consumer: as for every client, plus the {@code kafka.consumer.*} keys. */
  public Map<String, Object> consumerProperties() {
    return KafkaClientConfig.forClient(this, bootstrapServers(), KafkaClientConfig.Client.CONSUMER);
  }

  /** Properties of a producer: as for every client, plus the {@code kafka.producer.*} keys. */
  public Map<String, Object> producerProperties() {
    return KafkaClientConfig.forClient(this, bootstrapServers(), KafkaClientConfig.Client.PRODUCER);
  }

  private String bootstrapServers() {
    return String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG));
  }

  /** {@value #STARTUP_TIMEOUT_MS_CONFIG}: how long a start waits for the Kafka cluster and the registry. */
  public Duration startupTimeout() {
    return Duration.ofMillis(getLong(STARTUP_TIMEOUT_MS_CONFIG));
  }

  public ProcessingGuarantee processingGuarantee() {
    return EnumValidator.parse(ProcessingGuarantee.class, getString(PROCESSING_GUARANTEE_CONFIG));
  }

  /** Whether this instance normalizes and reads Debezium's transaction metadata ({@code source.transaction.topic}). */
  public boolean tracksTransactions() {
    return getBoolean(NORMALIZE_ENABLED_CONFIG) && !getString(SOURCE_TRANSACTION_TOPIC_CONFIG).isEmpty();
  }

  /** Whether {@value #SHADOW_MODEL_CONFIG} names a shadow model. */
  public boolean shadowEnabled() {
    return !getString(SHADOW_MODEL_CONFIG).isBlank();
  }

  /** The output and contract topics as this configuration names them. */
  public Topics topics() {
    return topics;
  }

  public Pattern sourceTopicPattern() {
    return Pattern.compile(getString(SOURCE_TOPIC_PATTERN_CONFIG));
  }

  public List<String> sourceTopics() {
    return getList(SOURCE_TOPICS_CONFIG);
  }

  public SourceMapping sourceMapping() {
    return sourceMapping;
  }

  public AlertPolicy alertPolicy() {
    return alertPolicy;
  }

  public Duration triggerLinger() {
    return Duration.ofMillis(getLong(TRIGGER_LINGER_MS_CONFIG));
  }

  public Duration scoreDrainInterval() {
    return Duration.ofMillis(getLong(SCORE_DRAIN_INTERVAL_MS_CONFIG));
  }

  public Duration batcherMaxQueueDelay() {
    return Duration.ofMillis(getLong(BATCHER_MAX_QUEUE_DELAY_MS_CONFIG));
  }

  /** {@value #SCORER_CONFIG}: which scoring backend serves. */
  public Backend scorer() {
    return EnumValidator.parse(Backend.class, getString(SCORER_CONFIG));
  }

  /** {@value #TENSORRT_PRECISION_CONFIG}: the TensorRT engine's precision. */
  public Precision tensorRtPrecision() {
    return EnumValidator.parse(Precision.class, getString(TENSORRT_PRECISION_CONFIG));
  }

  /** {@value #TENSORRT_PARITY_FAILURE_CONFIG}: what happens when an engine fails the parity gate. */
  public ParityFailurePolicy tensorRtOnParityFailure() {
    return EnumValidator.parse(ParityFailurePolicy.class, getString(TENSORRT_PARITY_FAILURE_CONFIG));
  }

  /** The registry password, or null; never log the result. */
  public Password registryPassword() {
    return getPassword(REGISTRY_PASSWORD_CONFIG);
  }

  /** The registry truststore's password, or null; never log the result. */
  public Password registryTruststorePassword() {
    return getPassword(REGISTRY_TRUSTSTORE_PASSWORD_CONFIG);
  }

  /** {@value #REGISTRY_API_CONFIG}: the REST API of the registry at {@code registry.url}. */
  public RegistryApi registryApi() {
    return EnumValidator.parse(RegistryApi.class, getString(REGISTRY_API_CONFIG));
  }

  /** {@value #HTTP_AUTH_CONFIG}: how patient queries authenticate. */
  public HttpAuth httpAuth() {
    return EnumValidator.parse(HttpAuth.class, getString(HTTP_AUTH_CONFIG));
  }

  private static final class HostPortValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String s = (String) value;
      if (s == null || s.isEmpty()) {
        return;
      }
      int colon = s.lastIndexOf(':');
      boolean valid = colon > 0 && colon < s.length() - 1;
      if (valid) {
        try {
          int port = Integer.parseInt(s.substring(colon + 1));
          valid = port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new ConfigException(name, value, "must be host:port (port 1-65535) or empty");
      }
    }

    @Override
    public String toString() {
      return "host:port or empty";
    }
  }

  private static final class RegexValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        Pattern.compile((String) value);
      } catch (PatternSyntaxException e) {
        throw new ConfigException(name, value, "not a regular expression: " + e.getDescription());
      }
    }

    @Override
    public String toString() {
      return "a Java regular expression";
    }
  }

  private static final class PowerOfTwoValidator implements ConfigDef.Validator {
    private final int max;

    PowerOfTwoValidator(int max) {
      this.max = max;
    }

    @Override
    public void ensureValid(String name, Object value) {
      int v = (Integer) value;
      if (v < 1 || v > max || Integer.bitCount(v) != 1) {
        throw new ConfigException(name, value, "must be a power of two from 1 to " + max);
      }
    }

    @Override
    public String toString() {
      return "a power of two, 1..." + max;
    }
  }

  private static final class RegistryUrlValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String s = (String) value;
      if (s == null || !(s.startsWith("mem://") || s.startsWith("http://") || s.startsWith("https://"))) {
        throw new ConfigException(name, value, "must be mem:// or the http(s) URL of a schema registry");
      }
    }

    @Override
    public String toString() {
      return "mem:// or http(s)://...";
    }
  }
}

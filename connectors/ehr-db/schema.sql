-- RiskStream EHR database: the six clinical tables Debezium captures (topics ehr.clinical.<table>).
-- Column names are the contract with the topology's default source mapping (topology: SourceMapping).
-- Every primary key `id` is the source's own id (Synthea's Id for patients and encounters) or, where the source
-- has none, a stable hash of the fact's natural key (see connectors: SyntheaCsvReader); EmrEvent.eventId = '<table>:<id>'.
CREATE SCHEMA IF NOT EXISTS clinical;

CREATE TABLE IF NOT EXISTS clinical.patients (
  id          text PRIMARY KEY,
  birthdate   date NOT NULL,
  deathdate   date,
  gender      text NOT NULL,            -- administrative gender: male | female | other | unknown
  race        text,
  ethnicity   text
);

CREATE TABLE IF NOT EXISTS clinical.encounters (
  id              text PRIMARY KEY,
  patient_id      text NOT NULL REFERENCES clinical.patients(id) ON DELETE CASCADE,
  start_time      timestamptz NOT NULL,
  stop_time       timestamptz,
  encounter_class text,                 -- ambulatory | emergency | inpatient | wellness | urgentcare | ...
  code_system     text NOT NULL DEFAULT 'SNOMED-CT',
  code            text NOT NULL,
  description     text,
  reason_code     text
);

CREATE TABLE IF NOT EXISTS clinical.conditions (
  id           text PRIMARY KEY,
  patient_id   text NOT NULL REFERENCES clinical.patients(id) ON DELETE CASCADE,
  encounter_id text,
  start_time   timestamptz NOT NULL,    -- onset (Synthea gives a date: midnight UTC)
  stop_time    timestamptz,
  code_system  text NOT NULL DEFAULT 'SNOMED-CT',
  code         text NOT NULL,
  description  text
);

CREATE TABLE IF NOT EXISTS clinical.observations (
  id            text PRIMARY KEY,
  patient_id    text NOT NULL REFERENCES clinical.patients(id) ON DELETE CASCADE,
  encounter_id  text,
  effective_time timestamptz NOT NULL,
  category      text,                   -- vital-signs | laboratory | survey | ...
  code_system   text NOT NULL DEFAULT 'LOINC',
  code          text NOT NULL,
  description   text,
  value_numeric double precision,
  value_text    text,
  unit          text
);

CREATE TABLE IF NOT EXISTS clinical.medications (
  id           text PRIMARY KEY,
  patient_id   text NOT NULL REFERENCES clinical.patients(id) ON DELETE CASCADE,
  encounter_id text,
  start_time   timestamptz NOT NULL,
  stop_time    timestamptz,
  code_system  text NOT NULL DEFAULT 'RxNorm',
  code         text NOT NULL,
  description  text,
  reason_code  text
);

CREATE TABLE IF NOT EXISTS clinical.procedures (
  id           text PRIMARY KEY,
  patient_id   text NOT NULL REFERENCES clinical.patients(id) ON DELETE CASCADE,
  encounter_id text,
  start_time   timestamptz NOT NULL,
  stop_time    timestamptz,
  code_system  text NOT NULL DEFAULT 'SNOMED-CT',
  code         text NOT NULL,
  description  text,
  reason_code  text
);

CREATE INDEX IF NOT EXISTS encounters_patient_idx   ON clinical.encounters (patient_id, start_time);
CREATE INDEX IF NOT EXISTS conditions_patient_idx   ON clinical.conditions (patient_id, start_time);
CREATE INDEX IF NOT EXISTS observations_patient_idx ON clinical.observations (patient_id, effective_time);
CREATE INDEX IF NOT EXISTS medications_patient_idx  ON clinical.medications (patient_id, start_time);
CREATE INDEX IF NOT EXISTS procedures_patient_idx   ON clinical.procedures (patient_id, start_time);

-- Debezium needs the old row on updates and deletes (before image), and the signal table for ad-hoc snapshots.
ALTER TABLE clinical.patients     REPLICA IDENTITY FULL;
ALTER TABLE clinical.encounters   REPLICA IDENTITY FULL;
ALTER TABLE clinical.conditions   REPLICA IDENTITY FULL;
ALTER TABLE clinical.observations REPLICA IDENTITY FULL;
ALTER TABLE clinical.medications  REPLICA IDENTITY FULL;
ALTER TABLE clinical.procedures   REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS clinical.debezium_signal (
  id   varchar(64) PRIMARY KEY,
  type varchar(32) NOT NULL,
  data varchar(2048)
);

-- The publication Debezium's pgoutput plugin reads (connector: publication.name=riskstream_ehr,
-- publication.autocreate.mode=disabled). FOR TABLES IN SCHEMA (PostgreSQL 15+) also covers tables created later in
-- `clinical`, so a new table reaches Kafka (and the topology's dead-letter queue) instead of being dropped unseen.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'riskstream_ehr') THEN
    CREATE PUBLICATION riskstream_ehr FOR TABLES IN SCHEMA clinical;
  END IF;
END
$$;

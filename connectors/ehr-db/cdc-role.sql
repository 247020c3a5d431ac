-- Least-privilege role for Debezium (run once as a superuser after schema.sql; set the password out of band:
--   ALTER ROLE riskstream_cdc PASSWORD '...';  never commit it).
-- The publication riskstream_ehr already exists (schema.sql), so the role needs no CREATE on the database.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'riskstream_cdc') THEN
    CREATE ROLE riskstream_cdc WITH LOGIN REPLICATION;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA clinical TO riskstream_cdc;
GRANT SELECT ON ALL TABLES IN SCHEMA clinical TO riskstream_cdc;
ALTER DEFAULT PRIVILEGES IN SCHEMA clinical GRANT SELECT ON TABLES TO riskstream_cdc;
-- Incremental snapshots (signals of type execute-snapshot) write their window markers into the signal table.
GRANT INSERT, UPDATE ON clinical.debezium_signal TO riskstream_cdc;

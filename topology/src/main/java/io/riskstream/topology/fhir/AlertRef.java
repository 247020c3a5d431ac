package io.riskstream.topology.fhir;

/**
 * What an alert id resolves to (store {@value RiskAssessmentProcessor#ALERT_INDEX}): the patient, outcome, severity
 * and event time of the alert, so that feedback naming only the alert (a CDS Hooks card) reaches the patient's key.
 */
public record AlertRef(String alertId, String patientId, String outcome, String severity, long asOf) {
}

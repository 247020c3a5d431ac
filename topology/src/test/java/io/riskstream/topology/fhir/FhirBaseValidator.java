package io.riskstream.topology.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * HAPI FHIR's instance validator against the FHIR R4 base specification (structure definitions and value sets of
 * hapi-fhir-validation-resources-r4, no terminology server: SNOMED CT codes are not checked, the HL7 code systems
 * are). Used by the tests of the RiskAssessments and the FHIR endpoint (app's tests, through the test-jar).
 */
public final class FhirBaseValidator {

  private final FhirValidator validator;

  public FhirBaseValidator() {
    FhirContext ctx = FhirContext.forR4Cached();
    ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(ctx),
        new SnapshotGeneratingValidationSupport(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
        new CommonCodeSystemsTerminologyService(ctx));
    validator = ctx.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
  }

  /** The errors (and fatal errors) the validator finds in FHIR JSON {@code json}, as "location: message". */
  public List<String> errors(String json) {
    return validator.validateWithResult(json).getMessages().stream()
        .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
        .map(FhirBaseValidator::describe).toList();
  }

  private static String describe(SingleValidationMessage m) {
    return m.getLocationString() + ": " + m.getMessage();
  }
}

package io.riskstream.app.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.riskstream.scoring.fixture.BoundaryViolation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of shared DESIGN.md, checked on the main classes of every module (app's test class path holds
 * them all): dependencies point one way, app → topology → {scoring, connectors} → schemas; scoring and connectors do
 * not know each other; nothing depends on app; only scoring uses the native runtimes (bytedeco, ONNX Runtime); only
 * topology and app use Kafka Streams; only connectors uses Synthea and Debezium; only topology's fhir package and app's
 * HTTP endpoints use HAPI FHIR (the RiskAssessments, CDS Hooks and the FHIR search). Within scoring, only the TensorRT
 * internals use bytedeco and only the ONNX Runtime backend uses ONNX Runtime.
 */
class ModuleBoundaryTest {

  /** Each module's root package. */
  static final String SCHEMAS = "io.riskstream.schemas..";
  static final String SCORING = "io.riskstream.scoring..";
  static final String CONNECTORS = "io.riskstream.connectors..";
  static final String TOPOLOGY = "io.riskstream.topology..";
  static final String APP = "io.riskstream.app..";

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("io.riskstream");
  }

  /** The rules, by name. */
  static Map<String, ArchRule> rules() {
    Map<String, ArchRule> rules = new LinkedHashMap<>();
    rules.put("only scoring uses native runtimes", noClasses().that().resideOutsideOfPackage(SCORING)
        .should().dependOnClassesThat().resideInAnyPackage("org.bytedeco..", "ai.onnxruntime.."));
    rules.put("only scoring's TensorRT internals use bytedeco", noClasses().that()
        .resideOutsideOfPackage("io.riskstream.scoring.tensorrt.internal..")
        .should().dependOnClassesThat().resideInAPackage("org.bytedeco.."));
    rules.put("only scoring's ONNX Runtime backend uses ONNX Runtime", noClasses().that()
        .resideOutsideOfPackage("io.riskstream.scoring.onnx..")
        .should().dependOnClassesThat().resideInAPackage("ai.onnxruntime.."));
    rules.put("only the facade, the TensorRT package and the scorer benchmark use the TensorRT internals",
        noClasses().that().resideOutsideOfPackages("io.riskstream.scoring.tensorrt..", "io.riskstream.scoring.bench..")
        .and().doNotHaveFullyQualifiedName(
            "io.riskstream.scoring.Scoring")
        .should().dependOnClassesThat().resideInAPackage("io.riskstream.scoring.tensorrt.internal.."));
    rules.put("only topology and app use Kafka Streams", noClasses().that().resideOutsideOfPackages(TOPOLOGY, APP)
        .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.streams.."));
    rules.put("only connectors uses Synthea and Debezium", noClasses().that().resideOutsideOfPackage(CONNECTORS)
        .should().dependOnClassesThat().resideInAnyPackage("org.mitre.synthea..", "io.debezium.."));
    rules.put("only topology's fhir package and app's HTTP endpoints use HAPI FHIR", noClasses().that()
        .resideOutsideOfPackages("io.riskstream.topology.fhir..", "io.riskstream.app.http..")
        .should().dependOnClassesThat().resideInAnyPackage("ca.uhn.fhir..", "org.hl7.fhir.."));
    rules.put("nothing depends on app", noClasses().that().resideOutsideOfPackage(APP)
        .should().dependOnClassesThat().resideInAPackage(APP));
    rules.put("scoring knows only schemas", noClasses().that().resideInAPackage(SCORING)
        .should().dependOnClassesThat().resideInAnyPackage(CONNECTORS, TOPOLOGY, APP));
    rules.put("connectors knows only schemas", noClasses().that().resideInAPackage(CONNECTORS)
        .should().dependOnClassesThat().resideInAnyPackage(SCORING, TOPOLOGY, APP));
    rules.put("schemas knows no other module", noClasses().that().resideInAPackage(SCHEMAS)
        .should().dependOnClassesThat().resideInAnyPackage(SCORING, CONNECTORS, TOPOLOGY, APP));
    return rules;
  }

  @Test
  void shouldImportEveryModulesMainClasses() {
    for (String module : List.of(SCHEMAS, SCORING, CONNECTORS, TOPOLOGY, APP)) {
      assertThat(main.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(module)))
          .as(module).isNotEmpty();
    }
    assertThat(main.contain(io.riskstream.app.cli.RiskstreamCli.class)).isTrue();
    assertThat(main.contain(BoundaryViolation.class)).as("test classes are left out").isFalse();
  }

  @Test
  void shouldKeepEveryModuleBoundary() {
    rules().forEach((name, rule) -> rule.as(name).check(main));
  }

  @Test
  void shouldFailOnAForbiddenImport() {
    // a class in scoring's package (a test fixture) that imports Kafka Streams and app
    JavaClasses violating = new ClassFileImporter().importClasses(BoundaryViolation.class);
    assertThatThrownBy(() -> rules().get("only topology and app use Kafka Streams").check(violating))
        .isInstanceOf(AssertionError.class).hasMessageContaining("org.apache.kafka.streams.KafkaStreams");
    assertThatThrownBy(() -> rules().get("scoring knows only schemas").check(violating))
        .isInstanceOf(AssertionError.class).hasMessageContaining("io.riskstream.app.cli.RiskstreamCli");
    assertThatThrownBy(() -> rules().get("nothing depends on app").check(violating))
        .isInstanceOf(AssertionError.class).hasMessageContaining("io.riskstream.app.cli.RiskstreamCli");
  }
}

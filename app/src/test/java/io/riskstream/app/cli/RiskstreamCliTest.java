package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class RiskstreamCliTest {

  @Test
  void shouldFindEveryDeveloperLibraryOnTheTestClassPath() {
    assertThat(RiskstreamCli.missingDeveloperClass(RiskstreamCli.class.getClassLoader())).isNull();
  }

  @Test
  void shouldNameTheFirstMissingDeveloperClassWithoutThem() throws Exception {
    try (URLClassLoader bare = new URLClassLoader(new URL[0], null)) {
      assertThat(RiskstreamCli.missingDeveloperClass(bare)).isEqualTo(DeveloperCommand.SENTINELS.get(0));
    }
  }

  @Test
  void shouldNeedSyntheaOnlyWhenACommandGeneratesItsCohort() {
    assertThat(required("demo")).containsExactly(DeveloperCommand.EMBEDDED_BROKER, DeveloperCommand.SYNTHEA);
    assertThat(required("demo", "--cohort", "some/export")).containsExactly(DeveloperCommand.EMBEDDED_BROKER);
    assertThat(required("bench", "e2e")).containsExactly(DeveloperCommand.EMBEDDED_BROKER,
        DeveloperCommand.PLOTTING, DeveloperCommand.SYNTHEA);
    assertThat(required("bench", "e2e", "--cohort", "some/export")).containsExactly(DeveloperCommand.EMBEDDED_BROKER,
        DeveloperCommand.PLOTTING);
    assertThat(required("cohort", "generate", "--help")).containsExactlyElementsOf(DeveloperCommand.SENTINELS);
  }

  /** What the parsed command line's developer commands need, in the order RiskstreamCli checks them. */
  private static java.util.List<String> required(String... args) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (picocli.CommandLine c : RiskstreamCli.commandLine().parseArgs(args).asCommandLineList()) {
      if (c.getCommand() instanceof DeveloperCommand command) {
        out.addAll(command.requiredClasses());
      }
    }
    return out;
  }
}

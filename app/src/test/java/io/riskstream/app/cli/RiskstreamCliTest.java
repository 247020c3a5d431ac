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
}

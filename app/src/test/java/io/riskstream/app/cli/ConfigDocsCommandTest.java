package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.topology.config.ConfigDocs;
import io.riskstream.topology.config.RiskStreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsCommandTest {

  @Test
  void shouldKeepTheReadmesConfigurationReferenceUpToDate() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).as("regenerate with: ./riskstream config-docs --readme README.md")
        .isEqualTo(ConfigDocsCommand.withReference(readme,
            ConfigDocs.document(RiskStreamConfig.configDef())));
  }}

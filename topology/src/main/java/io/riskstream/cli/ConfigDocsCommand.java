package io.riskstream.cli;

import io.riskstream.config.ConfigDocs;
import io.riskstream.config.RiskStreamConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code riskstream config-docs [--out FILE]}: the Markdown configuration reference generated from the ConfigDef. */
@Command(name = "config-docs", mixinStandardHelpOptions = true,
    description = "Print (or write) the Markdown configuration reference generated from the ConfigDef.")
public final class ConfigDocsCommand implements Callable<Integer> {

  @Option(names = "--out", description = "Write to this file instead of standard output.")
  private Path out;

  @Override
  public Integer call() throws Exception {
    String md = ConfigDocs.document(RiskStreamConfig.configDef());
    if (out == null) {
      System.out.print(md);
    } else {
      Files.writeString(out, md, StandardCharsets.UTF_8);
    }
    return 0;
  }
}

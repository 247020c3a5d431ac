package io.riskstream.scoring.tensorrt;

import java.util.List;

/** How an engine was built: the builder flags set, the workspace limit and the wall time of the build. */
public record BuildReport(List<String> builderFlags, long workspaceBytes, long buildMillis) {

  public BuildReport {
    builderFlags = List.copyOf(builderFlags);
  }
}

package io.riskstream.connectors.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdcRunnerTest {

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void shouldStopWithAClearErrorWhenTheDatabaseIsUnreachable(@TempDir Path dir) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", "127.0.0.1:" + closedPort());
    props.put("database.hostname", "127.0.0.1");
    props.put("database.port", String.valueOf(closedPort()));
    props.put("database.dbname", "ehr");
    props.put("database.user", "cdc");
    props.put("offset.storage", "file");
    props.put("offset.storage.file.filename", dir.resolve("offsets.dat").toString());
    props.put("debezium.errors.max.retries", "0");
    CdcConfig config = new CdcConfig(props, Map.of(CdcConfig.DATABASE_PASSWORD_ENV, "pw-never-shown"));

    try (CdcRunner runner = new CdcRunner(config)) {
      runner.start();
      assertThatThrownBy(runner::awaitTermination).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("CDC engine failed").hasMessageNotContaining("pw-never-shown");
      assertThat(runner.isStopped()).isTrue();
      assertThat(runner.failure()).isPresent();
      assertThat(runner.forwarded()).isZero();
    }
  }
}

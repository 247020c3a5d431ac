package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.riskstream.topology.config.RiskStreamConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class StartupProbesTest {

  @Test
  void shouldNameRegistryUrlWhenTheRegistryDoesNotAnswer() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String url = "http://localhost:" + port + "/apis/registry/v3";
    RiskStreamConfig config = new RiskStreamConfig(Map.of("registry.url", url, "startup.timeout.ms", "3000"));

    assertThatThrownBy(() -> StartupProbes.registry(config)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("no answer from the schema registry at registry.url=" + url + " within 3000 ms")
        .hasMessageNotContaining("\n");
  }

  @Test
  void shouldAcceptAnyHttpAnswerOfTheRegistry() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
    });
    server.start();
    try {
      String url = "http://localhost:" + server.getAddress().getPort() + "/apis/registry/v3";
      RiskStreamConfig config = new RiskStreamConfig(Map.of("registry.url", url, "startup.timeout.ms", "3000"));
      assertThatCode(() -> StartupProbes.registry(config)).doesNotThrowAnyException();
    } finally {
      server.stop(0);
    }
  }
}

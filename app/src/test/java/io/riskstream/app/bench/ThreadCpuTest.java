package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  @Test
  void shouldSeeTheCpuABusyThreadUses() throws Exception {
    Map<String, Long> before = ThreadCpu.snapshot();
    Thread busy = new Thread(() -> {
      long end = System.nanoTime() + 300_000_000L;
      double x = 0;
      while (System.nanoTime() < end) {
        x += Math.sqrt(x + 1);
      }
      if (x < 0) {
        System.out.println(x);
      }
    }, "riskstream-batcher-test");
    busy.start();
    Thread.sleep(250);  // still running: its ticks are in the snapshot
    Map<String, Long> after = ThreadCpu.snapshot();
    busy.join();
    if (before.isEmpty()) {
      return;  // not Linux: nothing to read
    }
    assertThat(ThreadCpu.secondsByGroup(before, after).getOrDefault("scorer", 0.0)).isGreaterThan(0.05);
  }

  @Test
  void shouldGroupThreadsByTheirLinuxNames() {
    assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo("jit-compiler");
    assertThat(ThreadCpu.group("G1 Conc#0")).isEqualTo("gc");
    assertThat(ThreadCpu.group("bench-full-9e45")).isEqualTo("stream-threads");
    assertThat(ThreadCpu.group("data-plane-kafk")).isEqualTo("broker");
    assertThat(ThreadCpu.group("kafka-producer-")).isEqualTo("producer-io");
    assertThat(ThreadCpu.group("main")).isEqualTo("other");
    assertThat(ThreadCpu.secondsByGroup(Map.of("1 main", 100L), Map.of("1 main", 350L, "2 G1 Conc#0", 50L)))
        .containsEntry("other", 2.5).containsEntry("gc", 0.5);
  }
}

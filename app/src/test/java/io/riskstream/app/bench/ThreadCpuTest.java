package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  @Test
  void shouldSeeTheCpuABusyThreadUses() throws Exception {
    Map<String, Long> before = ThreadCpu.snapshot();
    java.util.concurrent.CountDownLatch spent = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
    Thread busy = new Thread(() -> {
      // spins until it has used 0.3 s of CPU, however long that takes on a busy machine, then stays alive (so it is
      // in the next snapshot) until the test has taken it
      java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
      double x = 0;
      while (bean.getCurrentThreadCpuTime() < 300_000_000L) {
        x += Math.sqrt(x + 1);
      }
      if (x < 0) {
        System.out.println(x);
      }
      spent.countDown();
      try {
        measured.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "riskstream-batcher-test");
    busy.start();
    spent.await();
    Map<String, Long> after = ThreadCpu.snapshot();
    measured.countDown();
    busy.join();
    if (before.isEmpty()) {
      return;  // not Linux: nothing to read
    }
    // /proc counts in clock ticks (10 ms): 0.3 s of CPU reads as at least 0.2 s
    assertThat(ThreadCpu.secondsByGroup(before, after).getOrDefault("scorer", 0.0)).isGreaterThan(0.2);
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

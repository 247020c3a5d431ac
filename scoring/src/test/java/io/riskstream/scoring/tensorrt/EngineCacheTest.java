package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.scoring.tensorrt.EngineCacheException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineCacheTest {

  private static final EngineCacheKey KEY = EngineCacheKeyTest.KEY;
  private static final byte[] PLAN = "a serialized engine".getBytes(StandardCharsets.UTF_8);
  private static final BuildReport REPORT = new BuildReport(List.of("-TF32", "FP16"), 8L << 30, 1234);

  @TempDir
  Path dir;

  private EngineCache cache() {
    return new EngineCache(dir, Clock.fixed(Instant.parse("2026-11-22T03:00:00Z"), ZoneOffset.UTC));
  }

  @Test
  void shouldLoadWhatItStored() {
    EngineSidecar sidecar = cache().store(KEY, new BuiltEngine(PLAN, REPORT));

    CachedEngine loaded = cache().load(KEY);

    assertThat(loaded.plan()).isEqualTo(PLAN);
    assertThat(loaded.built()).isFalse();
    assertThat(loaded.sidecar()).isEqualTo(sidecar);
    assertThat(sidecar.engineSha256()).isEqualTo(Hashing.sha256(PLAN));
    assertThat(sidecar.engineBytes()).isEqualTo(PLAN.length);
    assertThat(sidecar.builderFlags()).containsExactly("-TF32", "FP16");
    assertThat(sidecar.builtAt()).isEqualTo("2026-11-22T03:00:00Z");
    assertThat(sidecar.buildMillis()).isEqualTo(1234);
    assertThat(sidecar.keyDigest()).isEqualTo(KEY.digest());
  }

  @Test
  void shouldWriteASidecarWithEveryKeyField() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));

    String json = Files.readString(cache().sidecarPath(KEY));

    assertThat(json).contains("\"modelSha256\" : \"" + KEY.modelSha256() + "\"", "\"tensorrtVersion\" : \"10.6.0\"",
        "\"gpuName\" : \"NVIDIA H200\"", "\"computeCapability\" : \"9.0\"", "\"precision\" : \"fp16\"",
        "\"profileSpec\" : \"b1-256@256;L16,32;k2\"", "\"workspaceBytes\" : 8589934592", "\"engineSha256\"");
  }

  @Test
  void shouldDetectATamperedEngine() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    byte[] tampered = PLAN.clone();
    tampered[3] ^= 1;
    Files.write(cache().enginePath(KEY), tampered);

    assertThatThrownBy(() -> cache().load(KEY)).isInstanceOf(EngineCacheException.class)
        .hasMessageContaining("does not match its sidecar")
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.ENGINE_TAMPERED));
  }

  @Test
  void shouldDetectATruncatedEngine() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    Files.write(cache().enginePath(KEY), java.util.Arrays.copyOf(PLAN, 5));

    assertThatThrownBy(() -> cache().load(KEY)).isInstanceOf(EngineCacheException.class)
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.ENGINE_TAMPERED));
  }

  @Test
  void shouldRefuseASidecarWrittenForAnotherGpu() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    Path sidecar = cache().sidecarPath(KEY);
    Files.writeString(sidecar, Files.readString(sidecar).replace("NVIDIA H200", "NVIDIA A100"));

    assertThatThrownBy(() -> cache().load(KEY)).isInstanceOf(EngineCacheException.class)
        .hasMessageContaining("gpuName: expected 'NVIDIA H200', sidecar has 'NVIDIA A100'")
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.KEY_MISMATCH));
  }

  @Test
  void shouldRefuseASidecarWhoseEngineHashWasRewrittenToMatchATamperedEngine() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    byte[] other = "another engine".getBytes(StandardCharsets.UTF_8);
    Files.write(cache().enginePath(KEY), other);
    Path sidecar = cache().sidecarPath(KEY);
    Files.writeString(sidecar, Files.readString(sidecar).replace(Hashing.sha256(PLAN), Hashing.sha256(other)));

    assertThatThrownBy(() -> cache().load(KEY)).isInstanceOf(EngineCacheException.class)
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.ENGINE_TAMPERED));
  }

  @Test
  void shouldReportAnUnreadableSidecar() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    Files.writeString(cache().sidecarPath(KEY), "{ not json");

    assertThatThrownBy(() -> cache().load(KEY)).isInstanceOf(EngineCacheException.class)
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.SIDECAR_UNREADABLE));
  }

  @Test
  void shouldReportAMissingEngine() {
    assertThatThrownBy(() -> cache().load(KEY)).isInstanceOf(EngineCacheException.class)
        .hasMessageContaining(KEY.fileStem())
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.MISSING));
  }

  @Test
  void shouldRebuildATamperedEngineWhenAllowed() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    Files.write(cache().enginePath(KEY), new byte[] {1, 2, 3});
    byte[] rebuilt = "rebuilt engine".getBytes(StandardCharsets.UTF_8);
    AtomicInteger builds = new AtomicInteger();

    CachedEngine result = cache().loadOrBuild(KEY, true, () -> {
      builds.incrementAndGet();
      return new BuiltEngine(rebuilt, REPORT);
    });

    assertThat(builds).hasValue(1);
    assertThat(result.built()).isTrue();
    assertThat(result.plan()).isEqualTo(rebuilt);
    assertThat(cache().load(KEY).plan()).isEqualTo(rebuilt);
  }

  @Test
  void shouldNotRebuildAVerifiedEngine() {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    AtomicInteger builds = new AtomicInteger();

    CachedEngine result = cache().loadOrBuild(KEY, true, () -> {
      builds.incrementAndGet();
      return new BuiltEngine(PLAN, REPORT);
    });

    assertThat(builds).hasValue(0);
    assertThat(result.built()).isFalse();
  }

  @Test
  void shouldRefuseATamperedEngineWhenRebuildingIsDisabled() throws Exception {
    cache().store(KEY, new BuiltEngine(PLAN, REPORT));
    Files.write(cache().enginePath(KEY), new byte[] {1, 2, 3});

    assertThatThrownBy(() -> cache().loadOrBuild(KEY, false, () -> new BuiltEngine(PLAN, REPORT)))
        .isInstanceOf(EngineCacheException.class)
        .hasMessageContaining("Rebuilding is disabled").hasMessageContaining("does not match its sidecar")
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.REBUILD_DISABLED));
  }
}

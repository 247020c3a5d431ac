package io.riskstream.scoring.tensorrt;

import io.riskstream.scoring.tensorrt.EngineCacheException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Engines on disk, one {@code <stem>.engine} and one {@code <stem>.json} sidecar per {@link EngineCacheKey}.
 * Before an engine is handed out, its sidecar must match the key (model, TensorRT, GPU, compute capability,
 * precision, profiles) and the engine file's sha256 must equal the sidecar's; otherwise the engine is rebuilt or,
 * when rebuilding is disabled, refused with a message that says why.
 */
public final class EngineCache {

  private static final Logger LOG = LoggerFactory.getLogger(EngineCache.class);

  private final Path directory;
  private final Clock clock;

  public EngineCache(Path directory, Clock clock) {
    this.directory = directory;
    this.clock = clock;
  }

  public EngineCache(Path directory) {
    this(directory, Clock.systemUTC());
  }

  public Path directory() {
    return directory;
  }

  public Path enginePath(EngineCacheKey key) {
    return directory.resolve(key.fileStem() + ".engine");
  }

  public Path sidecarPath(EngineCacheKey key) {
    return directory.resolve(key.fileStem() + ".json");
  }

  /**
   * The verified engine for {@code key}.
   *
   * @throws EngineCacheException MISSING, SIDECAR_UNREADABLE, KEY_MISMATCH or ENGINE_TAMPERED
   */
  public CachedEngine load(EngineCacheKey key) {
    Path engine = enginePath(key);
    Path sidecarFile = sidecarPath(key);
    byte[] sidecarJson;
    byte[] plan;
    try {
      sidecarJson = Files.readAllBytes(sidecarFile);
      plan = Files.readAllBytes(engine);
    } catch (NoSuchFileException e) {
      throw new EngineCacheException(Reason.MISSING, "no cached engine " + key.fileStem() + " in " + directory
          + " (missing " + e.getFile() + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cached engine " + engine, e);
    }
    EngineSidecar sidecar = EngineSidecar.fromJson(sidecarJson);
    List<String> mismatches = sidecar.mismatches(key);
    if (!mismatches.isEmpty()) {
      throw new EngineCacheException(Reason.KEY_MISMATCH, "cached engine " + engine + " was built for something else: "
          + String.join("; ", mismatches));
    }
    String actual = Hashing.sha256(plan);
    if (!actual.equals(sidecar.engineSha256()) || plan.length != sidecar.engineBytes()) {
      throw new EngineCacheException(Reason.ENGINE_TAMPERED, "cached engine " + engine + " does not match its sidecar"
          + " (sha256 " + actual + " and " + plan.length + " bytes, sidecar says " + sidecar.engineSha256() + " and "
          + sidecar.engineBytes() + " bytes): it was modified or damaged");
    }
    return new CachedEngine(plan, sidecar, false);
  }

  /** Writes an engine and its sidecar (each atomically: temporary file, then rename) and returns the sidecar. */
  public EngineSidecar store(EngineCacheKey key, BuiltEngine built) {
    EngineSidecar sidecar = EngineSidecar.describe(key, built.report(), clock.instant().toString(),
        Hashing.sha256(built.plan()), built.plan().length);
    try {
      Files.createDirectories(directory);
      writeAtomically(enginePath(key), built.plan());
      writeAtomically(sidecarPath(key), sidecar.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write engine " + key.fileStem() + " to " + directory, e);
    }
    return sidecar;
  }

  /**
   * The verified engine for {@code key}; when it is missing, built for something else or tampered with, builds it
   * with {@code builder} and stores it, unless {@code rebuildAllowed} is false: then throws REBUILD_DISABLED naming
   * the original reason.
   */
  public CachedEngine loadOrBuild(EngineCacheKey key, boolean rebuildAllowed, Supplier<BuiltEngine> builder) {
    try {
      return load(key);
    } catch (EngineCacheException e) {
      if (!rebuildAllowed) {
        throw new EngineCacheException(Reason.REBUILD_DISABLED, "refusing to serve: " + e.getMessage()
            + ". Rebuilding is disabled: prebuild the engine (riskstream build-engine) or enable rebuilding", e);
      }
      LOG.warn("Engine cache: {} ({}); building engine {}", e.reason(), e.getMessage(), key.fileStem());
      BuiltEngine built = builder.get();
      EngineSidecar sidecar = store(key, built);
      return new CachedEngine(built.plan(), sidecar, true);
    }
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}

package io.riskstream.app.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The accepted bearer tokens of a tokens file (one a line; blank lines and lines starting with {@code #} are skipped),
 * such as a Kubernetes Secret mounted as a file. Only the SHA-256 digests of the tokens are kept; a presented token is
 * digested and compared with every digest in constant time ({@link MessageDigest#isEqual}), so neither the comparison's
 * duration nor a heap dump gives the tokens away. The file is read again when its modification time changes (a
 * Secret's update swaps its symbolic link), so tokens can be rotated without a restart. Written by hand: the JDK's
 * HTTP server has no bearer-token authenticator.
 */
public final class BearerTokens {

  private final Path file;
  private volatile Snapshot snapshot;

  private record Snapshot(FileTime modified, List<byte[]> digests, byte[] sessionKey) {
  }

  private BearerTokens(Path file, Snapshot snapshot) {
    this.file = file;
    this.snapshot = snapshot;
  }

  /**
   * Reads {@code file}; a file that cannot be read or holds no token is a configuration error (the message names the
   * file, never its contents).
   */
  public static BearerTokens fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Snapshot s = read(file);
      if (s.digests().isEmpty()) {
        throw new IllegalArgumentException("the bearer tokens file " + file + " holds no token (one a line)");
      }
      return new BearerTokens(file, s);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the bearer tokens file " + file + ": "
          + e.getClass().getSimpleName());
    }
  }

  /** Whether {@code token} is one of the file's tokens (as the file is now). */
  public boolean accepts(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    byte[] presented = sha256(token);
    boolean match = false;
    for (byte[] digest : current().digests()) {
      // no early exit: every digest is compared
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
  }

  /** How many tokens are accepted now. */
  public int size() {
    return current().digests().size();
  }

  /**
   * The key that signs inbox sessions ({@link InboxSessions}), derived from the tokens now in the file: SHA-256 of a
   * label and the tokens' digests in sorted order. Every instance that reads the same tokens derives the same key, and
   * a tokens file with other tokens yields another key, which ends the sessions signed with the old one.
   */
  byte[] sessionKey() {
    return current().sessionKey().clone();
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (!modified.equals(s.modified())) {
        Snapshot fresh = read(file);
        if (!fresh.digests().isEmpty()) { // a file being rewritten is not taken half-empty
          snapshot = fresh;
          return fresh;
        }
      }
    } catch (IOException e) {
      // a Secret mount between two versions: keep the tokens read last
    }
    return s;
  }

  private static Snapshot read(Path file) throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    List<byte[]> digests = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).map(BearerTokens::sha256).toList();
    return new Snapshot(modified, digests, sessionKey(digests));
  }

  private static byte[] sessionKey(List<byte[]> digests) {
    try {
      MessageDigest key = MessageDigest.getInstance("SHA-256");
      key.update("riskstream inbox session key v1".getBytes(StandardCharsets.UTF_8));
      digests.stream().sorted(Arrays::compareUnsigned).forEach(key::update);
      return key.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "BearerTokens[" + file + "]"; // never the tokens
  }

}

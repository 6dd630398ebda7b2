package dev.plutus.http;

import dev.plutus.config.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The local secret the bridge presents to the daemon. It lives in PLUTUS_HOME with mode 0600, so
 * only the user who runs Hermes and Plutus can read it; other local users cannot drive the daemon.
 */
public final class AccessToken {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] secret;

    private AccessToken(String secret) {
        this.secret = secret.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the token file, creating it with a fresh random token when it is missing or empty. */
    public static AccessToken ensure(Path file) throws IOException {
        if (Files.exists(file)) {
            String existing = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!existing.isEmpty()) {
                tighten(file);
                return new AccessToken(existing);
            }
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        AtomicFiles.write(file, token + "\n", OWNER_ONLY);
        return new AccessToken(token);
    }

    public static AccessToken read(Path file) throws IOException {
        return new AccessToken(Files.readString(file, StandardCharsets.US_ASCII).strip());
    }

    private static void tighten(Path file) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: nothing to tighten.
        }
    }

    /** Compares in constant time, so response timing reveals nothing about the secret. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(secret, presented.strip().getBytes(StandardCharsets.US_ASCII));
    }

    /** Byte for byte, nothing stripped: for a framed protocol, where a stray byte is a wrong token (the hook channel's hello). */
    public boolean matchesExactly(String presented) {
        return presented != null && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** Checks an {@code Authorization: Bearer <token>} header value. */
    public boolean matchesBearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return matches(header.substring(7));
    }

    public String value() {
        return new String(secret, StandardCharsets.US_ASCII);
    }
}

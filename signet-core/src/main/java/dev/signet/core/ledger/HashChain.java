package dev.signet.core.ledger;

import dev.signet.core.crypto.Secure;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashing rules of the audit chain.
 *
 * <p>{@code hash(n) = SHA-256("signet/audit/v1" || hash(n-1) || enc(entry n))}, where {@code enc}
 * writes each field length-prefixed (a null is written as length -1), so no two different entries
 * encode alike. The first entry's predecessor is {@link #GENESIS} (32 zero bytes). Position is not
 * hashed: it is implied by the links, which is what lets a verifier tell a reordered row (intact
 * itself, linked to the wrong neighbour) from a changed one.
 *
 * <p>{@code mac(n) = HMAC-SHA256(macKey, hash(n))}: only a holder of the key can extend the chain in
 * a way that verifies.
 */
public final class HashChain {
    /** The predecessor of the first entry, hex. */
    public static final String GENESIS = "0".repeat(64);

    private static final byte[] DOMAIN = "signet/audit/v1".getBytes(StandardCharsets.UTF_8);

    private HashChain() {}

    /** Hex SHA-256 linking {@code entry} to {@code previousHashHex}. */
    public static String hash(String previousHashHex, ChainEntry entry) {
        MessageDigest md = Secure.digest("SHA-256");
        md.update(DOMAIN);
        md.update(Secure.unhex(previousHashHex));
        md.update(encode(entry));
        return Secure.hex(md.digest());
    }

    /** Hex HMAC-SHA256 of an entry hash under the chain's MAC key. */
    public static String mac(byte[] macKey, String hashHex) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            return Secure.hex(mac.doFinal(Secure.unhex(hashHex)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    static byte[] encode(ChainEntry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(e.occurredAtMillis());
            for (String field : new String[] {
                e.type(), e.actor(), e.subject(), e.ip(), e.userAgent(), e.outcome(), e.reason(), e.details()
            }) {
                if (field == null) {
                    out.writeInt(-1);
                } else {
                    byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }
}

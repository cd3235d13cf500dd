package dev.signet.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption key at the top of Signet's envelope encryption: it wraps data keys and
 * nothing else, so rotating it means re-wrapping a handful of data keys, not every secret.
 *
 * <p>Its {@link #checkValue()} (HMAC-SHA256 of a fixed label, RFC 2104) is stored beside the data so
 * a server can tell a wrong master key from a right one before touching anything. The check value
 * reveals nothing about the key beyond that.
 */
public final class MasterKey {
    private static final byte[] CHECK_LABEL = "signet/master-key-check/v1".getBytes(StandardCharsets.UTF_8);
    private final byte[] key;

    private MasterKey(byte[] key) {
        if (key.length != Aead.KEY_BYTES) {
            throw new CryptoException(
                    CryptoException.BAD_MASTER_KEY,
                    "a master key is 32 bytes (base64: 44 characters); got " + key.length + " bytes");
        }
        this.key = key.clone();
    }

    public static MasterKey generate() {
        return new MasterKey(Secure.randomBytes(Aead.KEY_BYTES));
    }

    public static MasterKey of(byte[] key) {
        return new MasterKey(key);
    }

    /** Parses standard base64 (surrounding white space ignored). */
    public static MasterKey fromBase64(String encoded) {
        if (encoded == null) {
            throw new CryptoException(CryptoException.BAD_MASTER_KEY, "no master key given");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            throw new CryptoException(CryptoException.BAD_MASTER_KEY, "the master key is not valid base64");
        }
        return new MasterKey(raw);
    }

    /** Standard base64, for writing the key file or handing the key to an operator. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** Hex HMAC-SHA256(key, label); equal for equal keys, useless for finding the key. */
    public String checkValue() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Secure.hex(mac.doFinal(CHECK_LABEL));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Constant-time check against a stored check value. */
    public boolean matches(String storedCheckValue) {
        if (storedCheckValue == null) {
            return false;
        }
        return Secure.constantTimeEquals(
                checkValue().getBytes(StandardCharsets.US_ASCII), storedCheckValue.getBytes(StandardCharsets.US_ASCII));
    }

    /** Wraps a data key; the id is bound in, so a wrapped key cannot be relabelled. */
    public byte[] wrap(String dataKeyId, byte[] dataKey) {
        return Aead.seal(key, dataKey, wrapAad(dataKeyId));
    }

    public byte[] unwrap(String dataKeyId, byte[] wrapped) {
        return Aead.open(key, wrapped, wrapAad(dataKeyId));
    }

    private static byte[] wrapAad(String dataKeyId) {
        return ("signet/data-key/v1\0" + dataKeyId).getBytes(StandardCharsets.UTF_8);
    }

    /** Overwrites the key bytes; the object is unusable afterwards. */
    public void destroy() {
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "MasterKey[redacted]";
    }
}

package dev.signet.core.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * The text format of a secret at rest: {@code sv1.<data key id>.<base64url(nonce || ciphertext ||
 * tag)>}, sealed with AES-256-GCM under a {@link DataKey}.
 *
 * <p>The associated data binds three things: the format version, the data key id, and the
 * caller's <em>context</em> — the identity of the row and column that holds the secret (for
 * example {@code app_secret.value/audit-mac}). A ciphertext copied into another row therefore fails
 * {@link #open} with {@link CryptoException#INTEGRITY}, as does any flipped byte.
 */
public final class Envelope {
    private static final String PREFIX = "sv1.";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Envelope() {}

    public static String seal(DataKey key, String context, byte[] plaintext) {
        if (!KEY_ID.matcher(key.id()).matches()) {
            throw new IllegalArgumentException("a data key id is 1-64 characters of A-Z a-z 0-9 _ -");
        }
        byte[] sealed = Aead.seal(key.material(), plaintext, aad(key.id(), context));
        return PREFIX + key.id() + "." + B64.encodeToString(sealed);
    }

    /** The id of the data key that sealed {@code envelope}, without decrypting. */
    public static String dataKeyId(String envelope) {
        return parse(envelope)[0];
    }

    /**
     * Opens an envelope with the data key it names, looked up through {@code keys}.
     *
     * @throws CryptoException on a malformed envelope, an unknown key, or any integrity failure
     */
    public static byte[] open(String envelope, String context, Function<String, Optional<DataKey>> keys) {
        String[] parts = parse(envelope);
        DataKey key = keys.apply(parts[0])
                .orElseThrow(() -> new CryptoException(
                        CryptoException.UNKNOWN_KEY,
                        "the data key " + parts[0] + " that sealed this secret is unknown"));
        byte[] sealed;
        try {
            sealed = B64D.decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new CryptoException(CryptoException.FORMAT, "sealed secret is not valid base64url");
        }
        // Only the exact text seal() writes is accepted: no padding, no stray trailing bits.
        if (!B64.encodeToString(sealed).equals(parts[1])) {
            throw new CryptoException(CryptoException.FORMAT, "sealed secret is not canonical base64url");
        }
        return Aead.open(key.material(), sealed, aad(key.id(), context));
    }

    private static String[] parse(String envelope) {
        if (envelope == null || !envelope.startsWith(PREFIX)) {
            throw new CryptoException(CryptoException.FORMAT, "not a Signet sealed secret (expected prefix sv1.)");
        }
        int dot = envelope.indexOf('.', PREFIX.length());
        if (dot <= PREFIX.length() || dot == envelope.length() - 1) {
            throw new CryptoException(CryptoException.FORMAT, "sealed secret is missing its key id or body");
        }
        return new String[] {envelope.substring(PREFIX.length(), dot), envelope.substring(dot + 1)};
    }

    private static byte[] aad(String keyId, String context) {
        return ("signet/secret/v1\0" + keyId + "\0" + context).getBytes(StandardCharsets.UTF_8);
    }
}

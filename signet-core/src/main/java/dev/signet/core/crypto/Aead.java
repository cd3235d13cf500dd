package dev.signet.core.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a fresh random 96-bit nonce per message (NIST SP 800-38D, section 8.2.2).
 *
 * <p>Output layout: {@code nonce (12 bytes) || ciphertext || tag (16 bytes)}. The associated data is
 * authenticated but not stored: the caller must supply the same bytes to {@link #open}. Random
 * nonces bound the number of messages per key to 2<sup>32</sup>; callers rotate keys well before.
 */
public final class Aead {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private Aead() {}

    public static byte[] seal(byte[] key, byte[] plaintext, byte[] associatedData) {
        checkKey(key);
        byte[] nonce = Secure.randomBytes(NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            byte[] ct = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + ct.length)
                    .put(nonce)
                    .put(ct)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /**
     * Decrypts and authenticates.
     *
     * @throws CryptoException {@link CryptoException#INTEGRITY} when the tag does not verify
     *     (tampered bytes, other associated data, or another key); {@link CryptoException#FORMAT}
     *     when the input is too short to be a message
     */
    public static byte[] open(byte[] key, byte[] sealed, byte[] associatedData) {
        checkKey(key);
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new CryptoException(CryptoException.FORMAT, "sealed data is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new CryptoException(
                    CryptoException.INTEGRITY,
                    "integrity check failed: the data was modified, moved to another place, or the key is wrong");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key");
        }
    }
}

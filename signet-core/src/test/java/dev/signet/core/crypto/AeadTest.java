package dev.signet.core.crypto;

import static dev.signet.core.crypto.CryptoAssertions.assertFailsWith;
import static dev.signet.core.crypto.CryptoAssertions.hex;
import static dev.signet.core.testing.Cases.between;
import static dev.signet.core.testing.Cases.bytes;
import static dev.signet.core.testing.Cases.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AeadTest {
    private static final byte[] KEY = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] AAD = "table.column/row-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PLAINTEXT = "a TOTP seed, say".getBytes(StandardCharsets.UTF_8);

    /**
     * McGrew and Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV, 20
     * bytes of associated data), laid out as {@code nonce || ciphertext || tag}. Cross-checked with
     * Python's {@code cryptography} (OpenSSL) AESGCM.
     */
    @Test
    void openWhenGcmSpecTestCase16ThenPublishedPlaintext() {
        byte[] key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        byte[] sealed = hex("cafebabefacedbaddecaf888"
                + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                + "76fc6ece0f4e1768cddf8853bb2d551b");
        byte[] aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");

        assertThat(Aead.open(key, sealed, aad))
                .isEqualTo(hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"));
    }

    record Message(byte[] plaintext, byte[] aad) {}

    @Test
    void sealWhenOpenedWithSameKeyAndAadThenRoundTrips() {
        forAll(200, r -> new Message(bytes(r, 0, 300), bytes(r, 0, 64)), m -> {
            byte[] sealed = Aead.seal(KEY, m.plaintext(), m.aad());

            assertThat(sealed).hasSize(Aead.NONCE_BYTES + m.plaintext().length + Aead.TAG_BITS / 8);
            assertThat(Aead.open(KEY, sealed, m.aad())).isEqualTo(m.plaintext());
        });
    }

    @Test
    void sealWhenPlaintextEmptyThenRoundTrips() {
        byte[] sealed = Aead.seal(KEY, new byte[0], AAD);

        assertThat(Aead.open(KEY, sealed, AAD)).isEmpty();
    }

    record Flip(byte[] plaintext, int position, int mask) {}

    @Test
    void openWhenAnySingleByteFlippedThenIntegrity() {
        forAll(500, r -> new Flip(bytes(r, 0, 80), between(r, 0, 1_000_000), between(r, 1, 255)), f -> {
            byte[] sealed = Aead.seal(KEY, f.plaintext(), AAD);
            sealed[f.position() % sealed.length] ^= (byte) f.mask();

            assertFailsWith(CryptoException.INTEGRITY, () -> Aead.open(KEY, sealed, AAD));
        });
    }

    @Test
    void openWhenEachBitOfEachByteFlippedThenIntegrity() {
        byte[] original = Aead.seal(KEY, PLAINTEXT, AAD);
        for (int i = 0; i < original.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] sealed = original.clone();
                sealed[i] ^= (byte) (1 << bit);
                assertFailsWith(CryptoException.INTEGRITY, () -> Aead.open(KEY, sealed, AAD));
            }
        }
    }

    @Test
    void openWhenOtherAssociatedDataThenIntegrity() {
        byte[] sealed = Aead.seal(KEY, PLAINTEXT, AAD);

        assertFailsWith(
                CryptoException.INTEGRITY,
                () -> Aead.open(KEY, sealed, "table.column/row-2".getBytes(StandardCharsets.UTF_8)));
        assertFailsWith(CryptoException.INTEGRITY, () -> Aead.open(KEY, sealed, new byte[0]));
    }

    @Test
    void openWhenOtherKeyThenIntegrity() {
        byte[] sealed = Aead.seal(KEY, PLAINTEXT, AAD);
        byte[] otherKey = KEY.clone();
        otherKey[31] ^= 1;

        assertFailsWith(CryptoException.INTEGRITY, () -> Aead.open(otherKey, sealed, AAD));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 11, 12, 27})
    void openWhenShorterThanNonceAndTagThenFormat(int length) {
        byte[] sealed = Arrays.copyOf(Aead.seal(KEY, PLAINTEXT, AAD), length);

        assertFailsWith(CryptoException.FORMAT, () -> Aead.open(KEY, sealed, AAD));
    }

    @Test
    void openWhenTruncatedButStillLongEnoughThenIntegrity() {
        byte[] full = Aead.seal(KEY, PLAINTEXT, AAD);
        for (int length = Aead.NONCE_BYTES + Aead.TAG_BITS / 8; length < full.length; length++) {
            byte[] sealed = Arrays.copyOf(full, length);
            assertFailsWith(CryptoException.INTEGRITY, () -> Aead.open(KEY, sealed, AAD));
        }
    }

    @Test
    void openWhenBytesAppendedThenIntegrity() {
        byte[] full = Aead.seal(KEY, PLAINTEXT, AAD);
        byte[] sealed = Arrays.copyOf(full, full.length + 1);

        assertFailsWith(CryptoException.INTEGRITY, () -> Aead.open(KEY, sealed, AAD));
    }

    @Test
    void sealWhenSamePlaintextTwiceThenNoncesAndCiphertextsDiffer() {
        byte[] first = Aead.seal(KEY, PLAINTEXT, AAD);
        byte[] second = Aead.seal(KEY, PLAINTEXT, AAD);

        assertThat(Arrays.copyOf(first, Aead.NONCE_BYTES)).isNotEqualTo(Arrays.copyOf(second, Aead.NONCE_BYTES));
        assertThat(Arrays.copyOfRange(first, Aead.NONCE_BYTES, first.length))
                .isNotEqualTo(Arrays.copyOfRange(second, Aead.NONCE_BYTES, second.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 24, 31, 33})
    void sealWhenKeyIsNot32BytesThenIllegalArgument(int length) {
        byte[] key = new byte[length];

        assertThatThrownBy(() -> Aead.seal(key, PLAINTEXT, AAD)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Aead.open(key, new byte[40], AAD)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealWhenKeyIsNullThenIllegalArgument() {
        assertThatThrownBy(() -> Aead.seal(null, PLAINTEXT, AAD)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.signet.core.crypto;

import static dev.signet.core.crypto.CryptoAssertions.assertFailsWith;
import static dev.signet.core.crypto.CryptoAssertions.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MasterKeyTest {
    private static final String KEY_B64 = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="; // 32 x 0x42
    /** HMAC-SHA256(32 x 0x42, "signet/master-key-check/v1"), computed with Python's hmac module. */
    private static final String KEY_CHECK_VALUE = "40c568565a3bc2aa6a251c8436bff3ae9d45a8743d1b45d7e0ca958a10277085";

    private static final byte[] DATA_KEY = hex("6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283");
    /**
     * {@link #DATA_KEY} wrapped under {@link #KEY_B64} for id {@code dk-2024}, made with Python's
     * {@code cryptography} AESGCM: nonce {@code 0b0a..00}, associated data {@code
     * "signet/data-key/v1\0dk-2024"}, laid out {@code nonce || ciphertext || tag}.
     */
    private static final byte[] PEER_WRAPPED = hex("0b0a09080706050403020100"
            + "94b65195adef35eca0ac97656ef80d20755757f9c3b32695f857e8f199e975e0"
            + "b8fafa5f611e9dbc98103b94e62a2971");

    @Test
    void fromBase64WhenEncodedWithToBase64ThenSameKey() {
        MasterKey key = MasterKey.generate();

        MasterKey parsed = MasterKey.fromBase64(key.toBase64());

        assertThat(parsed.toBase64()).isEqualTo(key.toBase64());
        assertThat(parsed.checkValue()).isEqualTo(key.checkValue());
    }

    @Test
    void toBase64WhenKnownKeyThenStandardPaddedBase64() {
        assertThat(MasterKey.of(filled(0x42)).toBase64()).isEqualTo(KEY_B64).hasSize(44);
    }

    @Test
    void fromBase64WhenSurroundedByWhiteSpaceThenAccepted() {
        assertThat(MasterKey.fromBase64("  " + KEY_B64 + "\n").checkValue()).isEqualTo(KEY_CHECK_VALUE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 31, 33, 64})
    void fromBase64WhenWrongLengthThenMalformed(int length) {
        String encoded = Base64.getEncoder().encodeToString(new byte[length]);

        assertFailsWith(CryptoException.BAD_MASTER_KEY, () -> MasterKey.fromBase64(encoded));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not base64!",
                "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC QkJCQkJCQkI=",
                "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk_=",
                "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI==",
            })
    void fromBase64WhenNotBase64OfThirtyTwoBytesThenMalformed(String encoded) {
        assertFailsWith(CryptoException.BAD_MASTER_KEY, () -> MasterKey.fromBase64(encoded));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 33})
    void ofWhenWrongLengthThenMalformed(int length) {
        assertFailsWith(CryptoException.BAD_MASTER_KEY, () -> MasterKey.of(new byte[length]));
    }

    @Test
    void ofWhenCallerChangesArrayAfterwardsThenKeyUnchanged() {
        byte[] raw = filled(0x42);
        MasterKey key = MasterKey.of(raw);
        Arrays.fill(raw, (byte) 0);

        assertThat(key.checkValue()).isEqualTo(KEY_CHECK_VALUE);
    }

    @Test
    void checkValueWhenKnownKeyThenHmacOfLabel() {
        assertThat(MasterKey.fromBase64(KEY_B64).checkValue()).isEqualTo(KEY_CHECK_VALUE);
    }

    @Test
    void checkValueWhenSameKeyThenEqual() {
        assertThat(MasterKey.of(filled(0x42)).checkValue())
                .isEqualTo(MasterKey.fromBase64(KEY_B64).checkValue());
    }

    @Test
    void checkValueWhenKeysDifferInOneBitThenDiffers() {
        byte[] other = filled(0x42);
        other[0] ^= 1;

        assertThat(MasterKey.of(other).checkValue()).isNotEqualTo(KEY_CHECK_VALUE);
        assertThat(MasterKey.generate().checkValue())
                .isNotEqualTo(MasterKey.generate().checkValue());
    }

    @Test
    void matchesWhenOwnCheckValueThenTrue() {
        assertThat(MasterKey.fromBase64(KEY_B64).matches(KEY_CHECK_VALUE)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "40c568565a3bc2aa6a251c8436bff3ae9d45a8743d1b45d7e0ca958a10277084",
                "40c568565a3bc2aa6a251c8436bff3ae9d45a8743d1b45d7e0ca958a1027708",
                "40c568565a3bc2aa6a251c8436bff3ae9d45a8743d1b45d7e0ca958a102770850",
            })
    void matchesWhenOtherCheckValueThenFalse(String stored) {
        assertThat(MasterKey.fromBase64(KEY_B64).matches(stored)).isFalse();
    }

    @Test
    void matchesWhenAnotherKeysCheckValueThenFalse() {
        assertThat(MasterKey.generate().matches(KEY_CHECK_VALUE)).isFalse();
    }

    @Test
    void wrapWhenUnwrappedWithSameIdThenDataKey() {
        MasterKey key = MasterKey.generate();
        byte[] dataKey = DataKey.generate("dk-1").material();

        assertThat(key.unwrap("dk-1", key.wrap("dk-1", dataKey))).isEqualTo(dataKey);
    }

    @Test
    void unwrapWhenWrappedByPeerThenDataKey() {
        assertThat(MasterKey.fromBase64(KEY_B64).unwrap("dk-2024", PEER_WRAPPED))
                .isEqualTo(DATA_KEY);
    }

    @Test
    void wrapWhenSameDataKeyTwiceThenDifferentBytes() {
        MasterKey key = MasterKey.fromBase64(KEY_B64);

        assertThat(key.wrap("dk-2024", DATA_KEY)).isNotEqualTo(key.wrap("dk-2024", DATA_KEY));
    }

    @Test
    void unwrapWhenOtherDataKeyIdThenIntegrity() {
        MasterKey key = MasterKey.fromBase64(KEY_B64);

        assertFailsWith(CryptoException.INTEGRITY, () -> key.unwrap("dk-2025", PEER_WRAPPED));
        assertFailsWith(CryptoException.INTEGRITY, () -> key.unwrap("dk-202", PEER_WRAPPED));
    }

    @Test
    void unwrapWhenOtherMasterKeyThenIntegrity() {
        assertFailsWith(CryptoException.INTEGRITY, () -> MasterKey.generate().unwrap("dk-2024", PEER_WRAPPED));
    }

    @Test
    void unwrapWhenAnyByteFlippedThenIntegrity() {
        MasterKey key = MasterKey.fromBase64(KEY_B64);
        for (int i = 0; i < PEER_WRAPPED.length; i++) {
            byte[] wrapped = PEER_WRAPPED.clone();
            wrapped[i] ^= (byte) 0x80;
            assertFailsWith(CryptoException.INTEGRITY, () -> key.unwrap("dk-2024", wrapped));
        }
    }

    @Test
    void unwrapWhenTruncatedThenFormat() {
        MasterKey key = MasterKey.fromBase64(KEY_B64);

        assertFailsWith(CryptoException.FORMAT, () -> key.unwrap("dk-2024", Arrays.copyOf(PEER_WRAPPED, 20)));
    }

    @Test
    void toStringWhenCalledThenNoKeyMaterial() {
        MasterKey key = MasterKey.fromBase64(KEY_B64);

        assertThat(key.toString())
                .doesNotContain(KEY_B64)
                .doesNotContain(KEY_B64.substring(0, 8))
                .doesNotContain("4242")
                .doesNotContain(KEY_CHECK_VALUE.substring(0, 8))
                .contains("redacted");
    }

    @Test
    void destroyWhenCalledThenKeyNoLongerMatchesOrUnwraps() {
        MasterKey key = MasterKey.fromBase64(KEY_B64);

        key.destroy();

        assertThat(key.matches(KEY_CHECK_VALUE)).isFalse();
        assertFailsWith(CryptoException.INTEGRITY, () -> key.unwrap("dk-2024", PEER_WRAPPED));
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}

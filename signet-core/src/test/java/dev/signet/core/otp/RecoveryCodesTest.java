package dev.signet.core.otp;

import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Recovery codes: generation, what people type, and the stored keyed hash. */
class RecoveryCodesTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    @Test
    void generateWhenDefaultThenTenDistinctCanonicalCodes() {
        List<String> codes = RecoveryCodes.generate();

        assertThat(codes).hasSize(10).doesNotHaveDuplicates();
        assertThat(codes).allSatisfy(code -> {
            assertThat(code).matches("[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}");
            assertThat(RecoveryCodes.normalize(code)).contains(code);
        });
    }

    @Test
    void alphabetWhenCountedThenAtLeastFiftyBitsPerCode() {
        assertThat(RecoveryCodes.ALPHABET).hasSize(32).doesNotContain("i", "l", "o", "u");
        assertThat(RecoveryCodes.ALPHABET.chars().distinct().count()).isEqualTo(32);
        BigInteger codes = BigInteger.valueOf(RecoveryCodes.ALPHABET.length()).pow(RecoveryCodes.SYMBOLS);
        assertThat(codes).isGreaterThanOrEqualTo(BigInteger.TWO.pow(50));
        assertThat(codes).isEqualTo(BigInteger.TWO.pow(60));
    }

    @Test
    void generateWhenManyThenEverySymbolUsed() {
        // a coarse check that all 32 symbols are drawn: 100 codes give 1200 symbols
        String all =
                String.join("", RecoveryCodes.generate(100, new SecureRandom())).replace("-", "");
        assertThat(all.chars().distinct().count()).isEqualTo(32);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "7k2q-9fzm-c0xe",
                "7K2Q-9FZM-C0XE",
                "7k2q9fzmc0xe",
                "7k2q 9fzm c0xe",
                " 7k2q - 9fzm - c0xe ",
                "7k-2q9f-zmc0-xe",
                "7K2Q9FZMCOXE", // letter O for zero
            })
    void normalizeWhenTypedVariantsThenCanonical(String typed) {
        assertThat(RecoveryCodes.normalize(typed)).contains("7k2q-9fzm-c0xe");
    }

    @Test
    void normalizeWhenCrockfordLookalikesThenReadAsDigits() {
        assertThat(RecoveryCodes.normalize("ilIL-oO00-1111")).contains("1111-0000-1111");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "7k2q-9fzm-c0x", // 11 symbols
                "7k2q-9fzm-c0xee", // 13
                "7k2q-9fzm-c0xu", // u is not in the alphabet
                "7k2q_9fzm_c0xe",
                "7k2q.9fzm.c0xe",
                "７k2q-9fzm-c0xe", // full-width digit
                "7k2q-9fzm-c0xé",
                "7k2q-9fzm-c0x\u0130", // dotted capital I: no locale case folding
            })
    void normalizeWhenMalformedThenEmpty(String typed) {
        assertThat(RecoveryCodes.normalize(typed)).isEmpty();
    }

    @Test
    void normalizeWhenAnyTextThenEmptyOrCanonicalNeverThrows() {
        forAll(
                500,
                r -> r.nextBoolean() ? text(r, 20) : text(r, 16, "0123456789abcdefghijklmnopqrstuvwxyzOIL -"),
                typed -> RecoveryCodes.normalize(typed).ifPresent(code -> {
                    assertThat(code).matches("[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}");
                    assertThat(RecoveryCodes.normalize(code)).contains(code);
                    assertThat(RecoveryCodes.normalize(typed.toUpperCase(Locale.ROOT)))
                            .contains(code);
                }));
    }

    @Test
    void hashWhenSameKeyAndCodeThenStableHex() {
        String hash = RecoveryCodes.hash(KEY, "7k2q-9fzm-c0xe");

        assertThat(hash).hasSize(64).matches("[0-9a-f]+");
        assertThat(RecoveryCodes.hash(KEY, "7k2q-9fzm-c0xe")).isEqualTo(hash);
        // HMAC-SHA-256 (RFC 2104) of the ASCII bytes, computed independently
        assertThat(hash).isEqualTo(hmacSha256Hex(KEY, "7k2q-9fzm-c0xe"));
    }

    @Test
    void hashWhenDifferentKeyOrCodeThenDifferent() {
        String hash = RecoveryCodes.hash(KEY, "7k2q-9fzm-c0xe");

        assertThat(RecoveryCodes.hash(OTHER_KEY, "7k2q-9fzm-c0xe")).isNotEqualTo(hash);
        assertThat(RecoveryCodes.hash(KEY, "7k2q-9fzm-c0xf")).isNotEqualTo(hash);
    }

    @Test
    void hashWhenTypedVariantNormalizedThenSameHash() {
        String typed = "7K2Q 9FZM COXE";
        assertThat(RecoveryCodes.hash(KEY, RecoveryCodes.normalize(typed).orElseThrow()))
                .isEqualTo(RecoveryCodes.hash(KEY, "7k2q-9fzm-c0xe"));
    }

    @Test
    void hashWhenNotCanonicalOrShortKeyThenIllegalArgument() {
        assertThatThrownBy(() -> RecoveryCodes.hash(KEY, "7K2Q-9FZM-C0XE"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecoveryCodes.hash(KEY, "7k2q9fzmc0xe")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecoveryCodes.hash(KEY, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecoveryCodes.hash(new byte[31], "7k2q-9fzm-c0xe"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String hmacSha256Hex(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.signet.core.otp;

import static dev.signet.core.testing.Cases.bytes;
import static dev.signet.core.testing.Cases.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeds (RFC 4226 section 4 R6), their base32 form (RFC 4648 section 6), and {@link OtpParams}. */
class OtpSeedTest {
    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({"SHA1, 20", "SHA256, 32", "SHA512, 64"})
    void generateWhenAlgorithmThenItsHashLengthAndAtLeast160Bits(OtpAlgorithm algorithm, int bytes) {
        OtpSeed seed = OtpSeed.generate(algorithm);
        assertThat(seed.length()).isEqualTo(bytes).isGreaterThanOrEqualTo(160 / 8);
    }

    @Test
    void generateWhenCalledRepeatedlyThenDifferentSeeds() {
        Set<OtpSeed> seeds = new HashSet<>();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 100; i++) {
            seeds.add(OtpSeed.generate(OtpAlgorithm.SHA1, random));
        }
        assertThat(seeds).hasSize(100);
    }

    @Test
    void base32WhenRfcSecretThenUnpaddedUpperCase() {
        assertThat(OtpSeed.of(RFC_SECRET).base32()).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        // 16 bytes: RFC 4648 would pad with six '='; the Key Uri Format omits padding
        assertThat(OtpSeed.of(new byte[16]).base32()).isEqualTo("AAAAAAAAAAAAAAAAAAAAAAAAAA");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
                "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
                "gezd gnbv gy3t qojq\tgezd gnbv gy3t qojq\n",
            })
    void fromBase32WhenCaseOrSpacesDifferThenSameSeed(String text) {
        assertThat(OtpSeed.fromBase32(text).bytes()).isEqualTo(RFC_SECRET);
    }

    @Test
    void fromBase32WhenPaddedOrUnpaddedThenSameSeed() {
        assertThat(OtpSeed.fromBase32("AAAAAAAAAAAAAAAAAAAAAAAAAA======").bytes())
                .isEqualTo(new byte[16]);
        assertThat(OtpSeed.fromBase32("AAAAAAAAAAAAAAAAAAAAAAAAAA").bytes()).isEqualTo(new byte[16]);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", // '1' is not base32
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ8",
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQA", // 33 characters: 1 left over
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQAAA", // 3 left over
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQAAAAAA", // 6 left over
                "GEZDGNBV=GY3TQOJQGEZDGNBVGY3TQOJQ", // padding inside
                "AAAAAAAAAAAAAAAAAAAAAAAAAA====", // wrong amount of padding
                "GEZDGNBVGY3TQOJQ-GEZDGNBVGY3TQOJQ",
                "ＧＥＺＤGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            })
    void fromBase32WhenNotBase32ThenSeedMalformed(String text) {
        assertThatThrownBy(() -> OtpSeed.fromBase32(text))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.SEED_MALFORMED))
                .hasMessageNotContaining(text);
    }

    @Test
    void fromBase32WhenNullThenSeedMalformed() {
        assertThatThrownBy(() -> OtpSeed.fromBase32(null))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.SEED_MALFORMED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "JBSWY3DPEHPK3PXP", "AAAAAAAAAAAAAAAAAAAAAAAA"})
    void fromBase32WhenUnder128BitsThenSeedLength(String text) {
        // JBSWY3DPEHPK3PXP is the Key Uri Format's own 80-bit example
        assertThatThrownBy(() -> OtpSeed.fromBase32(text))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.SEED_LENGTH));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, OtpSeed.MAX_BYTES + 1})
    void ofWhenLengthOutOfRangeThenSeedLength(int length) {
        assertThatThrownBy(() -> OtpSeed.of(new byte[length]))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.SEED_LENGTH));
    }

    @Test
    void base32WhenAnySeedThenRoundTripsInAnyCase() {
        forAll(300, r -> bytes(r, OtpSeed.MIN_BYTES, OtpSeed.MAX_BYTES), bytes -> {
            String text = OtpSeed.of(bytes).base32();
            assertThat(text).matches("[A-Z2-7]+");
            assertThat(OtpSeed.fromBase32(text).bytes()).isEqualTo(bytes);
            assertThat(OtpSeed.fromBase32(text.toLowerCase(Locale.ROOT)).bytes())
                    .isEqualTo(bytes);
        });
    }

    @Test
    void ofWhenInputChangedLaterThenSeedUnchanged() {
        byte[] input = RFC_SECRET.clone();
        OtpSeed seed = OtpSeed.of(input);
        input[0] ^= 1;
        seed.bytes()[1] ^= 1;

        assertThat(seed.bytes()).isEqualTo(RFC_SECRET);
    }

    @Test
    void toStringWhenSeedThenNoSecret() {
        OtpSeed seed = OtpSeed.of(RFC_SECRET);
        assertThat(seed.toString())
                .isEqualTo("OtpSeed[20 bytes]")
                .doesNotContain(seed.base32())
                .doesNotContain("1234567890");
        assertThat(OtpAuthUri.totp("Signet", "alice", OtpParams.totpDefault(), seed)
                        .toString())
                .doesNotContain(seed.base32());
    }

    @Test
    void equalsWhenSameBytesThenEqual() {
        assertThat(OtpSeed.of(RFC_SECRET))
                .isEqualTo(OtpSeed.fromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
                .hasSameHashCodeAs(OtpSeed.fromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
                .isNotEqualTo(OtpSeed.of(new byte[20]));
    }

    // --- OtpParams

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 7, 9, 10, -6})
    void paramsWhenDigitsNotSixOrEightThenIllegalArgument(int digits) {
        assertThatThrownBy(() -> OtpParams.totp(OtpAlgorithm.SHA1, digits, 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 or 8");
        assertThatThrownBy(() -> OtpParams.hotp(OtpAlgorithm.SHA1, digits))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -30, OtpParams.MAX_PERIOD_SECONDS + 1})
    void paramsWhenPeriodOutOfRangeThenIllegalArgument(int period) {
        assertThatThrownBy(() -> OtpParams.totp(OtpAlgorithm.SHA1, 6, period))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void totpDefaultWhenCreatedThenSha1SixDigitsThirtySeconds() {
        assertThat(OtpParams.totpDefault()).isEqualTo(new OtpParams(OtpType.TOTP, OtpAlgorithm.SHA1, 6, 30));
    }

    @Test
    void hotpWhenPeriodGivenThenIgnored() {
        assertThat(new OtpParams(OtpType.HOTP, OtpAlgorithm.SHA256, 8, 90))
                .isEqualTo(OtpParams.hotp(OtpAlgorithm.SHA256, 8));
    }

    @ParameterizedTest
    @EnumSource(OtpAlgorithm.class)
    void algorithmWhenUriNameThenFoundIgnoringCase(OtpAlgorithm algorithm) {
        assertThat(OtpAlgorithm.fromUriName(algorithm.uriName())).contains(algorithm);
        assertThat(OtpAlgorithm.fromUriName(algorithm.uriName().toLowerCase(Locale.ROOT)))
                .contains(algorithm);
        assertThat(OtpAlgorithm.fromUriName(algorithm.jcaName())).isEmpty();
    }

    @Test
    void timeStepWhenBeforeEpochOrHotpThenIllegalArgument() {
        assertThatThrownBy(() -> OneTimePasswords.timeStep(OtpParams.totpDefault(), Instant.ofEpochSecond(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OneTimePasswords.timeStep(OtpParams.hotp(OtpAlgorithm.SHA1, 6), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        OneTimePasswords.generate(OtpParams.hotp(OtpAlgorithm.SHA1, 6), OtpSeed.of(RFC_SECRET), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

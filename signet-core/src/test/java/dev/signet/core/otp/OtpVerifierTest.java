package dev.signet.core.otp;

import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.oneOf;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Windows, replay and malformed input, for TOTP (RFC 6238 section 5.2) and HOTP (RFC 4226 section 7). */
class OtpVerifierTest {
    private static final OtpParams TOTP = OtpParams.totpDefault();
    private static final OtpParams HOTP = OtpParams.hotp(OtpAlgorithm.SHA1, 6);
    private static final OtpSeed SEED = Rfc4226Test.SECRET;
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:10Z");
    private static final long STEP = NOW.getEpochSecond() / 30;
    private static final long NONE = OtpVerifier.NO_STEP_ACCEPTED;

    private static String totpAt(long step) {
        return OneTimePasswords.generate(TOTP, SEED, step);
    }

    private static String hotpAt(long counter) {
        return OneTimePasswords.generate(HOTP, SEED, counter);
    }

    @Test
    void fixtureCodesAroundNowAreDistinct() {
        // Otherwise a code from one step would match another and the window tests would prove nothing.
        Set<String> codes = new HashSet<>();
        LongStream.rangeClosed(STEP - 3, STEP + 3).forEach(step -> codes.add(totpAt(step)));
        assertThat(codes).hasSize(7);
    }

    // --- TOTP window

    @ParameterizedTest(name = "window 1: code of step now{0} -> accepted {1}")
    @CsvSource({"-2, false", "-1, true", "0, true", "+1, true", "+2, false"})
    void totpWhenWindowOneThenStepsMinusOneToPlusOneAccepted(int offset, boolean accepted) {
        var result = OtpVerifier.totp(TOTP, SEED, totpAt(STEP + offset), NOW, 1, NONE);
        if (accepted) {
            assertThat(result).hasValue(STEP + offset);
        } else {
            assertThat(result).isEmpty();
        }
    }

    @ParameterizedTest(name = "window 0: code of step now{0} -> accepted {1}")
    @CsvSource({"-1, false", "0, true", "+1, false"})
    void totpWhenWindowZeroThenOnlyCurrentStepAccepted(int offset, boolean accepted) {
        var result = OtpVerifier.totp(TOTP, SEED, totpAt(STEP + offset), NOW, 0, NONE);
        assertThat(result.isPresent()).isEqualTo(accepted);
    }

    @ParameterizedTest(name = "window 2: code of step now{0} -> accepted {1}")
    @CsvSource({"-3, false", "-2, true", "+2, true", "+3, false"})
    void totpWhenWindowTwoThenStepsMinusTwoToPlusTwoAccepted(int offset, boolean accepted) {
        var result = OtpVerifier.totp(TOTP, SEED, totpAt(STEP + offset), NOW, 2, NONE);
        assertThat(result.isPresent()).isEqualTo(accepted);
    }

    @Test
    void totpWhenAtEndOfStepThenStepFromFloorOfTime() {
        Instant lastSecond = Instant.ofEpochSecond((STEP + 1) * 30 - 1);
        assertThat(OtpVerifier.totp(TOTP, SEED, totpAt(STEP), lastSecond, 0, NONE))
                .hasValue(STEP);
        assertThat(OtpVerifier.totp(TOTP, SEED, totpAt(STEP), lastSecond.plusSeconds(1), 0, NONE))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, OtpVerifier.MAX_WINDOW + 1, Integer.MIN_VALUE})
    void totpWhenWindowOutOfRangeThenIllegalArgument(int window) {
        assertThatThrownBy(() -> OtpVerifier.totp(TOTP, SEED, totpAt(STEP), NOW, window, NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
    }

    @Test
    void totpWhenHotpParamsThenIllegalArgument() {
        assertThatThrownBy(() -> OtpVerifier.totp(HOTP, SEED, totpAt(STEP), NOW, 1, NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- TOTP replay

    @Test
    void totpWhenSameCodeAgainThenRefused() {
        String code = totpAt(STEP);
        long accepted = OtpVerifier.totp(TOTP, SEED, code, NOW, 1, NONE).orElseThrow();

        assertThat(accepted).isEqualTo(STEP);
        assertThat(OtpVerifier.totp(TOTP, SEED, code, NOW, 1, accepted)).isEmpty();
        assertThat(OtpVerifier.totp(TOTP, SEED, code, NOW.plusSeconds(25), 1, accepted))
                .isEmpty();
    }

    @Test
    void totpWhenLaterStepAfterAcceptedThenAccepted() {
        long accepted = OtpVerifier.totp(TOTP, SEED, totpAt(STEP), NOW, 1, NONE).orElseThrow();

        assertThat(OtpVerifier.totp(TOTP, SEED, totpAt(STEP + 1), NOW.plusSeconds(30), 1, accepted))
                .hasValue(STEP + 1);
        // the next step's code is in the window already now, and not a replay
        assertThat(OtpVerifier.totp(TOTP, SEED, totpAt(STEP + 1), NOW, 1, accepted))
                .hasValue(STEP + 1);
    }

    @Test
    void totpWhenOlderStepAfterNewerAcceptedThenRefused() {
        long accepted =
                OtpVerifier.totp(TOTP, SEED, totpAt(STEP + 1), NOW, 1, NONE).orElseThrow();

        assertThat(OtpVerifier.totp(TOTP, SEED, totpAt(STEP), NOW, 1, accepted)).isEmpty();
        assertThat(OtpVerifier.totp(TOTP, SEED, totpAt(STEP - 1), NOW, 1, accepted))
                .isEmpty();
    }

    // --- malformed codes: refused, never thrown

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "12345",
                "1234567",
                "abcdef",
                "１２３４５６",
                "12 345",
                "123456 ",
                " 123456",
                "-12345",
                "+12345",
                "12345\u0000",
                "١٢٣٤٥٦",
                "0x1234"
            })
    void totpWhenMalformedThenRefusedWithoutException(String code) {
        assertThat(OtpVerifier.totp(TOTP, SEED, code, NOW, 1, NONE)).isEmpty();
        assertThat(OtpVerifier.hotp(HOTP, SEED, code, 0, 10)).isEmpty();
        assertThat(OtpVerifier.resync(HOTP, SEED, code, hotpAt(1), 0, 100)).isEmpty();
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(0), code, 0, 100)).isEmpty();
    }

    @Test
    void totpWhenValidCodeInFullWidthOrOtherScriptDigitsThenRefused() {
        String code = totpAt(STEP);
        for (int zero : List.of(0xFF10, 0x0660, 0x0966)) { // full-width, Arabic-Indic, Devanagari
            StringBuilder lookalike = new StringBuilder();
            code.chars().forEach(c -> lookalike.appendCodePoint(zero + (c - '0')));
            assertThat(OtpVerifier.totp(TOTP, SEED, lookalike.toString(), NOW, 1, NONE))
                    .as("digits from U+%04X", zero)
                    .isEmpty();
        }
    }

    @Test
    void totpWhenSevenDigitsForSixDigitParamsThenRefused() {
        String code = totpAt(STEP);
        assertThat(OtpVerifier.totp(TOTP, SEED, code + "0", NOW, 1, NONE)).isEmpty();
        assertThat(OtpVerifier.totp(TOTP, SEED, "0" + code, NOW, 1, NONE)).isEmpty();
    }

    @Test
    void totpWhenSixDigitsForEightDigitParamsThenRefused() {
        OtpParams eight = OtpParams.totp(OtpAlgorithm.SHA1, 8, 30);
        String code = OneTimePasswords.generate(eight, SEED, NOW);
        assertThat(OtpVerifier.totp(eight, SEED, code, NOW, 0, NONE)).hasValue(STEP);
        // HOTP's truncation makes the 6-digit code the last 6 digits of the 8-digit one
        assertThat(OtpVerifier.totp(eight, SEED, code.substring(2), NOW, 0, NONE))
                .isEmpty();
        assertThat(OtpVerifier.totp(TOTP, SEED, code.substring(2), NOW, 0, NONE))
                .hasValue(STEP);
    }

    @Test
    void totpWhenAnyOtherTextThenRefusedWithoutException() {
        String valid = totpAt(STEP);
        forAll(
                500,
                r -> oneOf(r, text(r, 10), text(r, 6, "0123456789"), text(r, 8, "0123456789 -")),
                code -> assertThat(
                                OtpVerifier.totp(TOTP, SEED, code, NOW, 0, NONE).isPresent())
                        .isEqualTo(code.equals(valid)));
    }

    // --- HOTP look-ahead

    @ParameterizedTest(name = "device at {0}, server expects 0, look-ahead {1} -> accepted {2}")
    @CsvSource({"0, 0, true", "3, 2, false", "3, 3, true", "10, 10, true", "11, 10, false"})
    void hotpWhenDeviceAheadThenAcceptedWithinLookAhead(long device, int lookAhead, boolean accepted) {
        var result = OtpVerifier.hotp(HOTP, SEED, hotpAt(device), 0, lookAhead);
        if (accepted) {
            assertThat(result).hasValue(device);
        } else {
            assertThat(result).isEmpty();
        }
    }

    @Test
    void hotpWhenCounterAlreadyUsedThenRefused() {
        long matched = OtpVerifier.hotp(HOTP, SEED, hotpAt(4), 2, 5).orElseThrow();

        assertThat(matched).isEqualTo(4);
        assertThat(OtpVerifier.hotp(HOTP, SEED, hotpAt(4), matched + 1, 5)).isEmpty();
        assertThat(OtpVerifier.hotp(HOTP, SEED, hotpAt(1), 2, 5)).isEmpty();
        assertThat(OtpVerifier.hotp(HOTP, SEED, hotpAt(5), matched + 1, 5)).hasValue(5);
    }

    @Test
    void hotpWhenBadArgumentsThenIllegalArgument() {
        assertThatThrownBy(() -> OtpVerifier.hotp(HOTP, SEED, hotpAt(0), 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpVerifier.hotp(HOTP, SEED, hotpAt(0), 0, OtpVerifier.MAX_LOOK_AHEAD + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpVerifier.hotp(HOTP, SEED, hotpAt(0), -1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpVerifier.hotp(HOTP, SEED, hotpAt(0), Long.MAX_VALUE, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpVerifier.hotp(TOTP, SEED, hotpAt(0), 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- HOTP resynchronisation (RFC 4226 section 7.4)

    @Test
    void resyncWhenDevicePastLookAheadThenTwoConsecutiveCodesResynchronise() {
        assertThat(OtpVerifier.hotp(HOTP, SEED, hotpAt(50), 0, 10)).isEmpty();

        long next =
                OtpVerifier.resync(HOTP, SEED, hotpAt(50), hotpAt(51), 0, 100).orElseThrow();

        assertThat(next).isEqualTo(52);
        assertThat(OtpVerifier.hotp(HOTP, SEED, hotpAt(52), next, 0)).hasValue(52);
        assertThat(OtpVerifier.hotp(HOTP, SEED, hotpAt(51), next, 10)).isEmpty();
    }

    @Test
    void resyncWhenAtEdgesOfWindowThenFound() {
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(7), hotpAt(8), 7, 100)).hasValue(9);
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(107), hotpAt(108), 7, 100))
                .hasValue(109);
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(108), hotpAt(109), 7, 100))
                .isEmpty();
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(6), hotpAt(7), 7, 100)).isEmpty();
    }

    @Test
    void resyncWhenWindowLargerThenFartherDeviceFound() {
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(900), hotpAt(901), 0, 100))
                .isEmpty();
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(900), hotpAt(901), 0, 1000))
                .hasValue(902);
    }

    @ParameterizedTest(name = "codes of counters {0} and {1} -> refused")
    @CsvSource({"50, 52", "51, 50", "50, 50", "50, 49"})
    void resyncWhenCodesNotConsecutiveThenRefused(long first, long second) {
        assertThat(OtpVerifier.resync(HOTP, SEED, hotpAt(first), hotpAt(second), 0, 100))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, OtpVerifier.MAX_RESYNC_WINDOW + 1})
    void resyncWhenWindowOutOfRangeThenIllegalArgument(int window) {
        assertThatThrownBy(() -> OtpVerifier.resync(HOTP, SEED, hotpAt(0), hotpAt(1), 0, window))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resyncWindow");
    }
}

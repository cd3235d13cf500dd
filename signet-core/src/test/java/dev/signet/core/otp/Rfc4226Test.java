package dev.signet.core.otp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** <a href="https://www.rfc-editor.org/rfc/rfc4226#appendix-D">RFC 4226 Appendix D</a>: HOTP test values. */
class Rfc4226Test {
    /** Appendix D: Secret = 0x3132333435363738393031323334353637383930. */
    static final OtpSeed SECRET = OtpSeed.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

    static final OtpParams HOTP_SHA1_6 = OtpParams.hotp(OtpAlgorithm.SHA1, 6);

    @ParameterizedTest(name = "Appendix D: count {0} -> HOTP {1}")
    @CsvSource({
        "0, 755224", "1, 287082", "2, 359152", "3, 969429", "4, 338314",
        "5, 254676", "6, 287922", "7, 162583", "8, 399871", "9, 520489",
    })
    void appendixD(long count, String hotp) {
        assertThat(OneTimePasswords.generate(HOTP_SHA1_6, SECRET, count)).isEqualTo(hotp);
    }

    @ParameterizedTest(name = "Appendix D: count {0} verifies at next counter {0}")
    @CsvSource({"0, 755224", "5, 254676", "9, 520489"})
    void appendixDWhenVerifiedAtItsCounterThenAccepted(long count, String hotp) {
        assertThat(OtpVerifier.hotp(HOTP_SHA1_6, SECRET, hotp, count, 0)).hasValue(count);
    }
}

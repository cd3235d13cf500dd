package dev.signet.core.otp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * <a href="https://www.rfc-editor.org/rfc/rfc6238#appendix-B">RFC 6238 Appendix B</a>: TOTP test
 * values, 8 digits, X = 30, T0 = 0. The seeds are those of the Appendix A reference code (the table
 * in Appendix B names only the 20-byte one): the ASCII digits "1234567890" repeated to 20, 32 and 64
 * bytes.
 */
class Rfc6238Test {
    private static OtpSeed seed(int bytes) {
        return OtpSeed.of("1234567890".repeat(7).substring(0, bytes).getBytes(StandardCharsets.US_ASCII));
    }

    static OtpSeed seedFor(OtpAlgorithm algorithm) {
        return switch (algorithm) {
            case SHA1 -> seed(20);
            case SHA256 -> seed(32);
            case SHA512 -> seed(64);
        };
    }

    @ParameterizedTest(name = "Appendix B: {0} s, {2} -> {3} (T = {1})")
    @CsvSource({
        "59, 0000000000000001, SHA1, 94287082",
        "59, 0000000000000001, SHA256, 46119246",
        "59, 0000000000000001, SHA512, 90693936",
        "1111111109, 00000000023523EC, SHA1, 07081804",
        "1111111109, 00000000023523EC, SHA256, 68084774",
        "1111111109, 00000000023523EC, SHA512, 25091201",
        "1111111111, 00000000023523ED, SHA1, 14050471",
        "1111111111, 00000000023523ED, SHA256, 67062674",
        "1111111111, 00000000023523ED, SHA512, 99943326",
        "1234567890, 000000000273EF07, SHA1, 89005924",
        "1234567890, 000000000273EF07, SHA256, 91819424",
        "1234567890, 000000000273EF07, SHA512, 93441116",
        "2000000000, 0000000003F940AA, SHA1, 69279037",
        "2000000000, 0000000003F940AA, SHA256, 90698825",
        "2000000000, 0000000003F940AA, SHA512, 38618901",
        "20000000000, 0000000027BC86AA, SHA1, 65353130",
        "20000000000, 0000000027BC86AA, SHA256, 77737706",
        "20000000000, 0000000027BC86AA, SHA512, 47863826",
    })
    void appendixB(long unixSeconds, String stepHex, OtpAlgorithm algorithm, String totp) {
        OtpParams params = OtpParams.totp(algorithm, 8, 30);
        Instant time = Instant.ofEpochSecond(unixSeconds);

        assertThat(OneTimePasswords.timeStep(params, time)).isEqualTo(Long.parseLong(stepHex, 16));
        assertThat(OneTimePasswords.generate(params, seedFor(algorithm), time)).isEqualTo(totp);
        assertThat(OtpVerifier.totp(params, seedFor(algorithm), totp, time, 0, OtpVerifier.NO_STEP_ACCEPTED))
                .hasValue(Long.parseLong(stepHex, 16));
    }
}

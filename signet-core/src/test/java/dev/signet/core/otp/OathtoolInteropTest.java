package dev.signet.core.otp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real peer: OATH Toolkit's {@code oathtool} (Debian package {@code oathtool}) generates codes for
 * a freshly generated seed that our verifier must accept, and checks ours. The seed travels on
 * standard input ({@code -} as KEY), unpadded base32 as in an {@code otpauth} URI. Without oathtool
 * these tests fail: CI installs it.
 */
class OathtoolInteropTest {
    private static final String NOW = "2026-11-23 10:00:00 UTC";
    private static final Instant INSTANT = Instant.parse("2026-11-23T10:00:00Z");

    @ParameterizedTest(name = "TOTP {0}, {1} digits, {2} s")
    @CsvSource({
        "SHA1, 6, 30",
        "SHA1, 8, 30",
        "SHA256, 6, 30",
        "SHA256, 8, 30",
        "SHA512, 6, 30",
        "SHA512, 8, 30",
        "SHA1, 6, 60",
        "SHA512, 8, 45",
    })
    void totpWhenOathtoolGeneratesThenVerifierAccepts(OtpAlgorithm algorithm, int digits, int period) throws Exception {
        OtpParams params = OtpParams.totp(algorithm, digits, period);
        OtpSeed seed = OtpSeed.generate(algorithm);
        String[] mode = {"--totp=" + algorithm.uriName(), "--time-step-size=" + period + "s", "--now=" + NOW};

        String theirs = oathtool(seed, digits, mode);

        assertThat(theirs).hasSize(digits).containsOnlyDigits();
        assertThat(OtpVerifier.totp(params, seed, theirs, INSTANT, 0, OtpVerifier.NO_STEP_ACCEPTED))
                .hasValue(INSTANT.getEpochSecond() / period);
        assertThat(OneTimePasswords.generate(params, seed, INSTANT)).isEqualTo(theirs);
    }

    @ParameterizedTest(name = "TOTP {0}, {1} digits: oathtool validates ours")
    @CsvSource({"SHA1, 6", "SHA256, 8", "SHA512, 6"})
    void totpWhenWeGenerateThenOathtoolValidates(OtpAlgorithm algorithm, int digits) throws Exception {
        OtpParams params = OtpParams.totp(algorithm, digits, 30);
        OtpSeed seed = OtpSeed.generate(algorithm);
        String ours = OneTimePasswords.generate(params, seed, INSTANT);

        // KEY OTP with window 0: oathtool prints the matching offset (0) and exits 0, or exits 2
        assertThat(oathtool(seed, digits, "--totp=" + algorithm.uriName(), "--now=" + NOW, "-w", "0", "-", ours))
                .isEqualTo("0");
    }

    @ParameterizedTest(name = "HOTP SHA1, {0} digits, counter {1}")
    @CsvSource({"6, 0", "6, 1", "8, 7", "8, 1000000", "6, 4294967296"})
    void hotpWhenOathtoolGeneratesThenVerifierAccepts(int digits, long counter) throws Exception {
        // oathtool's HOTP is HMAC-SHA-1 only
        OtpParams params = OtpParams.hotp(OtpAlgorithm.SHA1, digits);
        OtpSeed seed = OtpSeed.generate(OtpAlgorithm.SHA1);

        String theirs = oathtool(seed, digits, "--hotp", "--counter=" + counter);

        assertThat(OtpVerifier.hotp(params, seed, theirs, counter, 0)).hasValue(counter);
        assertThat(OtpVerifier.hotp(params, seed, theirs, Math.max(0, counter - 5), 5))
                .hasValue(counter);
        assertThat(OneTimePasswords.generate(params, seed, counter)).isEqualTo(theirs);
    }

    /** Runs oathtool with {@code --base32 --digits=N}, the seed on stdin; returns its trimmed output. */
    private static String oathtool(OtpSeed seed, int digits, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary(), "--base32", "--digits=" + digits));
        command.addAll(List.of(args));
        if (!command.contains("-")) {
            command.add("-");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((seed.base32() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("oathtool timed out: " + command);
        }
        assertThat(process.exitValue())
                .as("%s (seed of %d bytes)%n%s", command, seed.length(), output)
                .isZero();
        return output;
    }

    private static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "oathtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        Path debian = Path.of("/usr/bin/oathtool");
        if (Files.isExecutable(debian)) {
            return debian.toString();
        }
        throw new AssertionError(
                "oathtool is required for these tests and is not on the PATH: install it (apt-get install oathtool)");
    }
}

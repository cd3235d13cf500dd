package dev.signet.core.otp;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Computes HOTP (<a href="https://www.rfc-editor.org/rfc/rfc4226#section-5.3">RFC 4226 section
 * 5.3</a>) and TOTP (<a href="https://www.rfc-editor.org/rfc/rfc6238#section-4.2">RFC 6238 section
 * 4.2</a>) codes as zero-padded ASCII digit strings. Use {@link OtpVerifier} to check a code.
 *
 * <p>HMAC and dynamic truncation are {@code com.eatthepath:java-otp}'s. TOTP is HOTP over the time
 * step {@code T = floor((unix time - T0) / X)} with {@code T0 = 0}, which {@link #timeStep} computes.
 */
public final class OneTimePasswords {
    /*
     * java-otp's HmacOneTimePasswordGenerator offers only HMAC-SHA-1 publicly, but its
     * TimeBasedOneTimePasswordGenerator accepts any HMAC and is exactly HOTP(K, epochMillis / step).
     * With a one-millisecond step, an instant of `counter` milliseconds yields HOTP(K, counter) for
     * every algorithm; the RFC 4226 and RFC 6238 vectors pin this down in the tests.
     */
    private static final Duration ONE_MILLISECOND = Duration.ofMillis(1);

    /** Generators are thread-safe (each call clones a prototype Mac); one per algorithm and length. */
    private static final TimeBasedOneTimePasswordGenerator[][] ENGINES =
            new TimeBasedOneTimePasswordGenerator[OtpAlgorithm.values().length][2];

    static {
        for (OtpAlgorithm algorithm : OtpAlgorithm.values()) {
            ENGINES[algorithm.ordinal()][0] =
                    new TimeBasedOneTimePasswordGenerator(ONE_MILLISECOND, 6, algorithm.jcaName());
            ENGINES[algorithm.ordinal()][1] =
                    new TimeBasedOneTimePasswordGenerator(ONE_MILLISECOND, 8, algorithm.jcaName());
        }
    }

    private OneTimePasswords() {}

    /**
     * The code for {@code counter}: HOTP's moving factor C, or for TOTP parameters the time step T.
     *
     * @param counter 0 or more (RFC 4226 treats C as an unsigned 8-byte value)
     * @return {@code params.digits()} ASCII digits, zero-padded on the left
     */
    public static String generate(OtpParams params, OtpSeed seed, long counter) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(seed, "seed");
        if (counter < 0) {
            throw new IllegalArgumentException("an OTP counter is not negative: " + counter);
        }
        int value = compute(params, seed, counter);
        String digits = Integer.toString(value);
        return "0".repeat(params.digits() - digits.length()) + digits;
    }

    /**
     * The TOTP code at {@code time}: {@code generate(params, seed, timeStep(params, time))}.
     *
     * @throws IllegalArgumentException for HOTP parameters, or a time before 1970
     */
    public static String generate(OtpParams params, OtpSeed seed, Instant time) {
        return generate(params, seed, timeStep(params, time));
    }

    /**
     * RFC 6238 section 4.2's {@code T = floor(unix seconds / period)} for TOTP parameters.
     *
     * @throws IllegalArgumentException for HOTP parameters, or a time before 1970 (RFC 6238 counts
     *     from T0 = 0 and has no negative steps)
     */
    public static long timeStep(OtpParams params, Instant time) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(time, "time");
        if (params.type() != OtpType.TOTP) {
            throw new IllegalArgumentException("time steps are for TOTP, not " + params.type());
        }
        if (time.getEpochSecond() < 0) {
            throw new IllegalArgumentException("TOTP counts from 1970-01-01T00:00:00Z, not " + time);
        }
        return Math.floorDiv(time.getEpochSecond(), params.periodSeconds());
    }

    /** The truncated HOTP value as a number below 10^digits. */
    static int compute(OtpParams params, OtpSeed seed, long counter) {
        TimeBasedOneTimePasswordGenerator engine = ENGINES[params.algorithm().ordinal()][params.digits() == 6 ? 0 : 1];
        try {
            return engine.generateOneTimePassword(seed.key(params.algorithm()), Instant.ofEpochMilli(counter));
        } catch (InvalidKeyException e) {
            // A raw HMAC key of 16 to 256 bytes is valid for every JCA HMAC.
            throw new IllegalStateException("the JCA refused an HMAC key of " + seed.length() + " bytes", e);
        }
    }
}

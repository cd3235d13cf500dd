package dev.signet.core.otp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Checks one-time codes without holding state: the caller passes in what it stored (the last
 * accepted TOTP step, the next HOTP counter) and stores what comes back.
 *
 * <p>A wrong, replayed or malformed code is an empty result, never an exception; exceptions mean
 * the call itself is wrong (missing arguments, HOTP parameters for TOTP, a window out of range).
 * Codes are compared with {@link MessageDigest#isEqual}, and every candidate in the window is
 * computed and compared, whether or not an earlier one matched.
 *
 * <p>The caller's steps, for every method here:
 *
 * <ul>
 *   <li>Throttle guesses before calling (<a href="https://www.rfc-editor.org/rfc/rfc4226#section-7.3">RFC
 *       4226 section 7.3</a>): a 6-digit code falls to about a million tries, and a window of w
 *       makes each try 2w+1 (TOTP) or w+1 (HOTP) times as likely to hit.
 *   <li>Store the returned step or counter with a compare-and-set (for example {@code UPDATE ... SET
 *       last_step = ? WHERE id = ? AND last_step = ?}) and treat a lost race as a failure:
 *       otherwise two concurrent requests with the same code both succeed.
 *   <li>Answer every failure the same way, whatever the reason.
 * </ul>
 */
public final class OtpVerifier {
    /** {@code lastAcceptedStep} for a TOTP credential that has never accepted a code. */
    public static final long NO_STEP_ACCEPTED = -1;

    /** Largest TOTP window: 10 steps either side is 5 minutes of drift at 30 seconds. */
    public static final int MAX_WINDOW = 10;

    /** Largest HOTP look-ahead for an ordinary sign-in. */
    public static final int MAX_LOOK_AHEAD = 100;

    /** Largest HOTP resynchronisation window. */
    public static final int MAX_RESYNC_WINDOW = 10_000;

    private OtpVerifier() {}

    /**
     * Verifies a TOTP code (<a href="https://www.rfc-editor.org/rfc/rfc6238#section-5.2">RFC 6238
     * section 5.2</a>).
     *
     * <ol>
     *   <li>A code that is not exactly {@code params.digits()} ASCII digits fails.
     *   <li>T = floor(now / period) (RFC 6238 section 4.2).
     *   <li>The candidates are steps T-window to T+window: RFC 6238 section 5.2 allows for clock
     *       drift and transmission delay, and recommends a window of at most one step back.
     *   <li>Steps at or before {@code lastAcceptedStep} are not candidates: "the verifier MUST NOT
     *       accept the second attempt of the same OTP after the successful validation has been
     *       issued for the first OTP" (section 5.2). Refusing earlier steps too keeps an older code
     *       from being used once a newer one was.
     *   <li>If the code matches several candidates, the latest step is returned, so that as many
     *       steps as possible are closed to a replay.
     *   <li>Caller: store the returned step as the new {@code lastAcceptedStep}; the difference to
     *       T is the device's drift, which it may record (section 6).
     * </ol>
     *
     * @param now the verifier's current time, from the caller's {@link java.time.Clock}
     * @param window steps accepted either side of now, 0 to {@value #MAX_WINDOW}
     * @param lastAcceptedStep the step accepted last time, or {@link #NO_STEP_ACCEPTED}
     * @return the matched time step, or empty
     */
    public static OptionalLong totp(
            OtpParams params, OtpSeed seed, String code, Instant now, int window, long lastAcceptedStep) {
        requireType(params, OtpType.TOTP);
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(now, "now");
        requireRange("window", window, 0, MAX_WINDOW);
        // Step 1.
        byte[] given = wellFormed(code, params.digits());
        // Step 2.
        long step = OneTimePasswords.timeStep(params, now);
        // Steps 3 to 5: every candidate is computed and compared; the last eligible match wins.
        boolean matched = false;
        long matchedStep = 0;
        for (long candidate = step - window; candidate <= step + window; candidate++) {
            boolean eligible = candidate >= 0 && candidate > lastAcceptedStep;
            byte[] expected = ascii(OneTimePasswords.generate(params, seed, Math.max(candidate, 0)));
            boolean equal = MessageDigest.isEqual(expected, given); // false for a null (malformed) code
            if (equal & eligible) {
                matched = true;
                matchedStep = candidate;
            }
        }
        return matched ? OptionalLong.of(matchedStep) : OptionalLong.empty();
    }

    /**
     * Verifies an HOTP code (<a href="https://www.rfc-editor.org/rfc/rfc4226#section-7.2">RFC 4226
     * section 7.2</a>).
     *
     * <ol>
     *   <li>A code that is not exactly {@code params.digits()} ASCII digits fails.
     *   <li>The candidates are counters {@code nextCounter} to {@code nextCounter + lookAhead}: the
     *       device's counter runs ahead when its button is pressed without signing in (section 7.4,
     *       the look-ahead parameter s). Counters before {@code nextCounter} were used or skipped
     *       and never match again.
     *   <li>If the code matches several candidates, the earliest counter is returned.
     *   <li>Caller: store {@code matched + 1} as the new {@code nextCounter}.
     * </ol>
     *
     * @param nextCounter the first counter not yet accepted (0 for a new credential)
     * @param lookAhead counters tried beyond {@code nextCounter}, 0 to {@value #MAX_LOOK_AHEAD}
     * @return the matched counter (not the next one), or empty
     */
    public static OptionalLong hotp(OtpParams params, OtpSeed seed, String code, long nextCounter, int lookAhead) {
        requireType(params, OtpType.HOTP);
        Objects.requireNonNull(seed, "seed");
        requireRange("lookAhead", lookAhead, 0, MAX_LOOK_AHEAD);
        requireCounter(nextCounter, lookAhead);
        // Step 1.
        byte[] given = wellFormed(code, params.digits());
        // Steps 2 and 3: scan the whole window; keep the earliest match.
        boolean matched = false;
        long matchedCounter = 0;
        for (long candidate = nextCounter + lookAhead; candidate >= nextCounter; candidate--) {
            byte[] expected = ascii(OneTimePasswords.generate(params, seed, candidate));
            if (MessageDigest.isEqual(expected, given)) {
                matched = true;
                matchedCounter = candidate;
            }
        }
        return matched ? OptionalLong.of(matchedCounter) : OptionalLong.empty();
    }

    /**
     * Resynchronises an HOTP credential whose device ran past the look-ahead window, from two
     * consecutive codes (<a href="https://www.rfc-editor.org/rfc/rfc4226#section-7.4">RFC 4226
     * section 7.4</a>: "the system MAY require the user to send a sequence of (say, 2, 3) HOTP
     * values for resynchronization purpose, since forging a sequence of consecutive HOTP values is
     * even more difficult than guessing a single HOTP value").
     *
     * <ol>
     *   <li>Either code not exactly {@code params.digits()} ASCII digits fails.
     *   <li>The candidates are counters c from {@code nextCounter} to {@code nextCounter +
     *       resyncWindow}; c matches when {@code code1} is the code for c and {@code code2} the code
     *       for c+1. A random pair passes with probability about {@code resyncWindow / 10^(2 digits)}.
     *   <li>If several c match, the earliest is taken.
     *   <li>Caller: the window is wide, so throttle harder than for {@link #hotp}; store the
     *       returned value as the new {@code nextCounter}.
     * </ol>
     *
     * @param nextCounter the first counter not yet accepted
     * @param resyncWindow counters searched beyond {@code nextCounter}, 1 to {@value #MAX_RESYNC_WINDOW}
     * @return the new next counter, c+2 (not the matched counter), or empty
     */
    public static OptionalLong resync(
            OtpParams params, OtpSeed seed, String code1, String code2, long nextCounter, int resyncWindow) {
        requireType(params, OtpType.HOTP);
        Objects.requireNonNull(seed, "seed");
        requireRange("resyncWindow", resyncWindow, 1, MAX_RESYNC_WINDOW);
        requireCounter(nextCounter, resyncWindow + 1);
        // Step 1.
        byte[] first = wellFormed(code1, params.digits());
        byte[] second = wellFormed(code2, params.digits());
        // Step 2: each counter's code is computed once and compared against both codes.
        boolean matched = false;
        long matchedCounter = 0;
        boolean nextMatchesSecond = false;
        for (long candidate = nextCounter + resyncWindow + 1; candidate >= nextCounter; candidate--) {
            byte[] expected = ascii(OneTimePasswords.generate(params, seed, candidate));
            boolean matchesFirst = MessageDigest.isEqual(expected, first);
            boolean matchesSecond = MessageDigest.isEqual(expected, second);
            // Step 3: scanning downwards, the last pair found is the earliest.
            if (matchesFirst & nextMatchesSecond) {
                matched = true;
                matchedCounter = candidate;
            }
            nextMatchesSecond = matchesSecond;
        }
        return matched ? OptionalLong.of(matchedCounter + 2) : OptionalLong.empty();
    }

    /** The code's ASCII bytes if it is exactly {@code digits} characters '0' to '9'; else null. */
    private static byte[] wellFormed(String code, int digits) {
        if (code == null || code.length() != digits) {
            return null;
        }
        for (int i = 0; i < digits; i++) {
            char c = code.charAt(i);
            // not Character.isDigit: that also accepts full-width and other scripts' digits
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return ascii(code);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void requireType(OtpParams params, OtpType type) {
        Objects.requireNonNull(params, "params");
        if (params.type() != type) {
            throw new IllegalArgumentException("these are " + params.type() + " parameters, not " + type);
        }
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", not " + value);
        }
    }

    private static void requireCounter(long nextCounter, int span) {
        if (nextCounter < 0 || nextCounter > Long.MAX_VALUE - span) {
            throw new IllegalArgumentException("HOTP counter out of range: " + nextCounter);
        }
    }
}

package dev.signet.core.password;

import com.nulabinc.zxcvbn.Feedback;
import com.nulabinc.zxcvbn.Pattern;
import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import com.nulabinc.zxcvbn.matchers.Match;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The password rules of <a href="https://pages.nist.gov/800-63-4/sp800-63b.html#passwordver">NIST SP
 * 800-63B-4, section 3.1.1.2</a>, checked when a password is chosen or changed.
 *
 * <p>What it enforces, in this order, each with its own {@link PasswordRefused} code:
 *
 * <ol>
 *   <li>{@code password.missing}: a password is given;
 *   <li>{@code password.too_long}: at most {@link Rules#maxLength()} characters (NIST: permit at least
 *       64), checked before any costly work;
 *   <li>{@code password.too_short}: at least {@link Rules#minLength()} characters (NIST: 15 when the
 *       password is the only factor, 8 when it is part of multi-factor authentication);
 *   <li>{@code password.not_printable}: no control characters (Unicode category Cc, such as tab, line
 *       feed, NUL, DEL), no line or paragraph separators, no unassigned code points and no broken
 *       surrogate pairs. Every other character is allowed: spaces, punctuation, accented letters, any
 *       script, emoji. Unassigned code points are refused because their normalization may change with a
 *       later Unicode version (NIST asks for the normalization of <em>stabilized</em> strings); a brand
 *       new emoji is therefore accepted only once the JDK knows its Unicode version;
 *   <li>{@code password.personal}: not built from the user's own username, email address or name
 *       (the context-specific words NIST asks verifiers to check);
 *   <li>{@code password.common}: not a common or breached password, nor made from them (the NIST
 *       blocklist), using the password list of <a href="https://github.com/nulab/zxcvbn4j">zxcvbn4j</a>;
 *   <li>{@code password.weak}: not otherwise easy to guess: its zxcvbn score (0 to 4) is at least
 *       {@link Rules#minScore()}. This catches repeats, sequences, keyboard patterns, dates and single
 *       dictionary words.
 * </ol>
 *
 * <p>Lengths count Unicode code points of the {@linkplain #normalize normalized} password, so an
 * emoji or a CJK character counts as one character, as NIST requires. As NIST also requires, there are
 * no composition rules (nothing demands digits, symbols or mixed case) and nothing about expiry.
 *
 * <p>Verifiers hash {@link #normalize normalize(password)}, never the raw input, so the same password
 * typed with composed or decomposed accents, or with compatibility characters, still matches.
 *
 * <p>zxcvbn's cost grows steeply with length and with the variety of symbols that could stand for
 * letters ({@code @ $ 0 1 3 ...}): measured with zxcvbn4j 1.9.0 on the project's 2-core machine, a random
 * printable-ASCII password took 25 to 135 ms at 64 characters, 0.4 to 2 s at 100 to 128, and 7 to 15 s
 * at 256. Only the first {@link #ANALYSED_CODE_POINTS} code points are therefore analysed (a few ms for
 * ordinary passwords; about 100 to 250 ms for a crafted input made only of such symbols, comparable to one
 * Argon2id hash, so callers throttle password changes as they throttle sign-ins). Every entry of the
 * common-password list is shorter than that window. A longer password is accepted when its start is
 * strong (more characters only add guesses) and refused when its start is easy to guess; this is also
 * how a long, trivially repetitive password such as 200 times {@code a} is refused cheaply.
 *
 * <p>Instances are immutable and safe to share between threads. The zxcvbn engine (about 60 ms to load
 * its dictionaries) is built once per class loader and shared; zxcvbn4j keeps no mutable state between
 * calls (its dictionaries are final maps built up front and every call makes its own matchers), which
 * its maintainers confirm in <a href="https://github.com/nulab/zxcvbn4j/issues/71">issue 71</a>.
 */
public final class PasswordPolicy {
    /** The default maximum length in code points: well above the 64 that NIST asks verifiers to permit. */
    public static final int MAX_LENGTH = 256;

    /** How many leading code points zxcvbn analyses; see the class comment for the measurements behind it. */
    public static final int ANALYSED_CODE_POINTS = 32;

    /** Shortest personal word (code points) that is looked for; shorter ones would refuse too much. */
    private static final int MIN_PERSONAL = 3;

    private static final String USER_INPUTS = "user_inputs";
    private static final String PASSWORDS = "passwords";

    /**
     * What the policy demands.
     *
     * @param minLength fewest code points; never below 8 (NIST's floor with multi-factor authentication)
     * @param maxLength most code points; at least 64 (NIST: verifiers should permit at least 64)
     * @param minScore lowest acceptable zxcvbn score, 0 to 4 (2: guesses above 10^8; 3: above 10^10)
     */
    public record Rules(int minLength, int maxLength, int minScore) {
        /** The password is the only authenticator: NIST's minimum of 15, zxcvbn score 3. */
        public static final Rules SINGLE_FACTOR = new Rules(15, MAX_LENGTH, 3);

        /**
         * The password is one factor of several: NIST's minimum of 8, zxcvbn score 2 (zxcvbn scores any
         * 8-character password at most 2; online guessing is also throttled and needs the second factor).
         */
        public static final Rules MULTI_FACTOR = new Rules(8, MAX_LENGTH, 2);

        public Rules {
            if (minLength < 8) {
                throw new IllegalArgumentException(
                        "minLength must be at least 8 (NIST SP 800-63B-4), was " + minLength);
            }
            if (maxLength < 64) {
                throw new IllegalArgumentException(
                        "maxLength must be at least 64 (NIST SP 800-63B-4), was " + maxLength);
            }
            if (minLength > maxLength) {
                throw new IllegalArgumentException(
                        "minLength " + minLength + " is greater than maxLength " + maxLength);
            }
            if (minScore < 0 || minScore > 4) {
                throw new IllegalArgumentException("minScore must be between 0 and 4, was " + minScore);
            }
        }
    }

    /** Loaded on first use, once: the dictionaries are large and zxcvbn4j is thread-safe. */
    private static final class Engine {
        static final Zxcvbn ZXCVBN = new Zxcvbn();
    }

    private final Rules rules;

    public PasswordPolicy(Rules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    public Rules rules() {
        return rules;
    }

    /**
     * The form of a password that is hashed and compared: Unicode NFKC, as NIST SP 800-63B-4 asks of
     * verifiers that accept Unicode. Verifiers hash {@code normalize(password)}.
     */
    public static String normalize(String password) {
        return Normalizer.normalize(password, Normalizer.Form.NFKC);
    }

    /**
     * Checks a new password against the rules.
     *
     * @param password the password as typed
     * @param personal words about the user that the password must not be built from: username, email
     *     address, display name. {@code null} values (and a {@code null} collection) are allowed. Email
     *     addresses are also split into their local part and domain labels, and every value into its
     *     runs of letters; words shorter than 3 characters are ignored.
     * @throws PasswordRefused with the first rule the password breaks (see the class comment)
     */
    public void check(String password, Collection<String> personal) {
        if (password == null || password.isEmpty()) {
            throw new PasswordRefused(PasswordRefused.MISSING, "Enter a password.");
        }
        // cheap bound first: each code point is one or two chars
        if (password.length() > 2L * rules.maxLength()
                || password.codePointCount(0, password.length()) > rules.maxLength()) {
            throw tooLong();
        }
        String normalized = normalize(password);
        int length = normalized.codePointCount(0, normalized.length());
        if (length > rules.maxLength()) {
            throw tooLong();
        }
        if (length < rules.minLength()) {
            throw new PasswordRefused(
                    PasswordRefused.TOO_SHORT,
                    "Use at least " + rules.minLength() + " characters. A few unrelated words make a long"
                            + " password that is still easy to remember.");
        }
        if (!printable(password) || !printable(normalized)) {
            throw new PasswordRefused(
                    PasswordRefused.NOT_PRINTABLE,
                    "This password contains a control character (such as a tab or a line break) or a"
                            + " character that Unicode does not define. Letters of any script, digits, spaces,"
                            + " punctuation, symbols and emoji are all fine.");
        }

        Personal words = Personal.of(personal);
        String folded = normalized.toLowerCase(Locale.ROOT);
        for (String value : words.values()) {
            if (folded.contains(value)) {
                throw new PasswordRefused(
                        PasswordRefused.PERSONAL,
                        "This password contains your username, email address or name, which attackers try first.");
            }
        }

        boolean truncated = length > ANALYSED_CODE_POINTS;
        String analysed = truncated
                ? normalized.substring(0, normalized.offsetByCodePoints(0, ANALYSED_CODE_POINTS))
                : normalized;
        Strength strength = Engine.ZXCVBN.measure(analysed, words.tokens());
        double all = analysed.length();
        double personalPart = covered(strength.getSequence(), USER_INPUTS) / all;
        double commonPart = covered(strength.getSequence(), PASSWORDS) / all;
        boolean guessable = strength.getScore() < rules.minScore();

        // when the score is too low, the larger of the two parts is the reason
        if (personalPart >= 0.5 || (guessable && personalPart > 0 && personalPart >= commonPart)) {
            throw refused(
                    PasswordRefused.PERSONAL,
                    "This password is built from your username, email address or name, which attackers try first.",
                    strength,
                    truncated);
        }
        // one listed password (perhaps capitalised, reversed, in l33t or repeated): refused whatever
        // minScore says, as NIST's blocklist is a SHALL; passwords combined from several are scored
        boolean listed = strength.getSequence().size() == 1 && commonPart >= 1 - 1e-9;
        if (listed || (guessable && commonPart > 0)) {
            throw refused(
                    PasswordRefused.COMMON,
                    "This password is on the lists of common and breached passwords that attackers try first.",
                    strength,
                    truncated);
        }
        if (guessable) {
            throw refused(PasswordRefused.WEAK, "This password is too easy to guess.", strength, truncated);
        }
    }

    private PasswordRefused tooLong() {
        return new PasswordRefused(PasswordRefused.TOO_LONG, "Use at most " + rules.maxLength() + " characters.");
    }

    private static PasswordRefused refused(String code, String reason, Strength strength, boolean truncated) {
        StringBuilder message = new StringBuilder(reason);
        Feedback feedback = strength.getFeedback();
        // Locale.ROOT: zxcvbn4j's English base messages, whatever the JVM's default locale
        String warning = feedback.getWarning(Locale.ROOT);
        if (warning != null && !warning.isBlank()) {
            message.append(' ').append(warning.strip());
        }
        List<String> suggestions = feedback.getSuggestions(Locale.ROOT);
        if (suggestions.isEmpty()) {
            message.append(" Add another word or two. Uncommon words are better.");
        }
        for (String suggestion : suggestions) {
            message.append(' ').append(suggestion.strip());
        }
        if (truncated) {
            message.append(" (Only the first ")
                    .append(ANALYSED_CODE_POINTS)
                    .append(" characters are checked for patterns, so they must be hard to guess on their own.)");
        }
        return new PasswordRefused(code, message.toString());
    }

    /** How many chars of the analysed text the matches from {@code dictionary} cover, repeats included. */
    private static double covered(List<Match> sequence, String dictionary) {
        double chars = 0;
        for (Match match : sequence) {
            int length = match.j - match.i + 1;
            if (match.pattern == Pattern.Dictionary && dictionary.equals(match.dictionaryName)) {
                chars += length;
            } else if (match.pattern == Pattern.Repeat
                    && match.baseMatches != null
                    && match.baseToken != null
                    && match.baseToken.length() > 0) {
                chars += length * covered(match.baseMatches, dictionary) / match.baseToken.length();
            }
        }
        return chars;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); ) {
            int codePoint = s.codePointAt(i);
            switch (Character.getType(codePoint)) {
                case Character.CONTROL,
                        Character.UNASSIGNED,
                        Character.SURROGATE,
                        Character.LINE_SEPARATOR,
                        Character.PARAGRAPH_SEPARATOR -> {
                    return false;
                }
                default -> i += Character.charCount(codePoint);
            }
        }
        return true;
    }

    /**
     * The user's words: whole values (a password containing one is refused outright) and the tokens
     * given to zxcvbn as its user-input dictionary, most specific first.
     */
    private record Personal(List<String> values, List<String> tokens) {
        static Personal of(Collection<String> personal) {
            Set<String> values = new LinkedHashSet<>();
            Set<String> tokens = new LinkedHashSet<>();
            if (personal != null) {
                for (String raw : personal) {
                    if (raw == null) {
                        continue;
                    }
                    String value = normalize(raw).toLowerCase(Locale.ROOT).strip();
                    if (longEnough(value)) {
                        values.add(value);
                        tokens.add(value);
                    }
                    int at = value.lastIndexOf('@');
                    if (at >= 0) {
                        addIfLongEnough(tokens, value.substring(0, at));
                        for (String label : value.substring(at + 1).split("\\.")) {
                            addIfLongEnough(tokens, label);
                        }
                    }
                    for (String word : value.split("\\P{L}+")) {
                        addIfLongEnough(tokens, word);
                    }
                }
            }
            return new Personal(List.copyOf(values), new ArrayList<>(tokens));
        }

        private static void addIfLongEnough(Set<String> tokens, String token) {
            if (longEnough(token)) {
                tokens.add(token);
            }
        }

        private static boolean longEnough(String token) {
            return token.codePointCount(0, token.length()) >= MIN_PERSONAL;
        }
    }
}

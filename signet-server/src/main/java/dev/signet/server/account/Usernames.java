package dev.signet.server.account;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Username rules: Unicode NFKC, then lower case in {@link Locale#ROOT}, gives the key that must be
 * unique (so "Alice", "ALICE" and "Ａｌｉｃｅ" are one account).
 */
public final class Usernames {
    public static final int MAX_LENGTH = 64;

    private Usernames() {}

    /** The uniqueness key of a username. */
    public static String key(String username) {
        return Normalizer.normalize(username.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** Checks a username offered for a new account; returns it normalised (NFKC, trimmed). */
    public static String validate(String username) {
        if (username == null || username.isBlank()) {
            throw new AccountException("username.missing", "a username is required");
        }
        String n = Normalizer.normalize(username.strip(), Normalizer.Form.NFKC);
        if (n.codePointCount(0, n.length()) > MAX_LENGTH) {
            throw new AccountException("username.too_long", "a username has at most " + MAX_LENGTH + " characters");
        }
        if (!n.codePoints()
                .allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '@')) {
            throw new AccountException(
                    "username.invalid_characters", "a username may contain letters, digits, and . _ - @ only");
        }
        return n;
    }
}

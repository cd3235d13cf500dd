package dev.signet.server.account;

import java.util.Locale;

/**
 * The password rules the foundation enforces (NIST SP 800-63B-4, section 3.1.1.2): length only, no
 * composition rules; every printable character allowed. An account whose password is its only
 * factor needs at least 15 characters. Dictionary and breached-password checks come with the
 * accounts feature.
 */
public final class PasswordRules {
    public static final int MIN_SINGLE_FACTOR = 15;
    /** Well above the 64 NIST asks to allow; bounds the hashing cost of a hostile request. */
    public static final int MAX_LENGTH = 256;

    private PasswordRules() {}

    public static void check(String username, String password, String confirmation) {
        check(username, password, confirmation, MIN_SINGLE_FACTOR);
    }

    public static void check(String username, String password, String confirmation, int minLength) {
        if (password == null || password.isEmpty()) {
            throw new AccountException("password.missing", "a password is required");
        }
        int length = password.codePointCount(0, password.length());
        if (length > MAX_LENGTH) {
            throw new AccountException("password.too_long", "a password has at most " + MAX_LENGTH + " characters");
        }
        if (length < minLength) {
            throw new AccountException(
                    "password.too_short",
                    "a password needs at least " + minLength + " characters (it is the only factor of this account)");
        }
        if (confirmation != null && !confirmation.equals(password)) {
            throw new AccountException("password.mismatch", "the two passwords differ");
        }
        if (username != null && password.toLowerCase(Locale.ROOT).contains(Usernames.key(username))) {
            throw new AccountException("password.contains_username", "a password must not contain the username");
        }
    }
}

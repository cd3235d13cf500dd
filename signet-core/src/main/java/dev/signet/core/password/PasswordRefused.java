package dev.signet.core.password;

import dev.signet.core.SignetException;

/**
 * A new password does not meet the {@link PasswordPolicy}. {@link #code()} says which rule refused it
 * (stable); the message says why in words a person can act on, and never contains the password.
 */
public final class PasswordRefused extends SignetException {
    /** No password, or an empty one. */
    public static final String MISSING = "password.missing";
    /** More code points than the policy's maximum; refused before any analysis. */
    public static final String TOO_LONG = "password.too_long";
    /** Fewer code points than the policy's minimum. */
    public static final String TOO_SHORT = "password.too_short";
    /** Contains a control character, a line or paragraph separator, an unassigned code point or a broken surrogate. */
    public static final String NOT_PRINTABLE = "password.not_printable";
    /** Built from the user's own username, email address or name. */
    public static final String PERSONAL = "password.personal";
    /** A common or previously breached password, or built from them. */
    public static final String COMMON = "password.common";
    /** Easy to guess for another reason: repeats, sequences, keyboard patterns, dates, single words. */
    public static final String WEAK = "password.weak";

    public PasswordRefused(String code, String message) {
        super(code, message);
    }
}

package dev.signet.server.account;

import java.util.Optional;

/**
 * The rule for names people give their own things (an authenticator, a passkey): trimmed, 1 to
 * {@code max} code points, and only printable characters — no control, format, private-use,
 * surrogate, unassigned or line/paragraph separator code points, which could hide or reorder text
 * on a page or in the audit log.
 */
public final class DisplayNames {
    private DisplayNames() {}

    /** The trimmed name, or empty when it breaks the rule. */
    public static Optional<String> clean(String name, int max) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty()
                || n.codePointCount(0, n.length()) > max
                || n.codePoints().anyMatch(DisplayNames::unprintable)) {
            return Optional.empty();
        }
        return Optional.of(n);
    }

    private static boolean unprintable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.PRIVATE_USE,
                    Character.SURROGATE,
                    Character.UNASSIGNED,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }
}

package dev.signet.core.ledger;

import java.util.Objects;

/**
 * The content of one audit event, as it is hashed. Fields must be well-formed Unicode (see {@link
 * #sanitize}), which makes the hash input encoding injective. Every field but {@code type}, {@code outcome} and
 * {@code occurredAtMillis} may be {@code null}.
 *
 * @param occurredAtMillis when it happened, in epoch milliseconds
 * @param type stable event type, e.g. {@code auth.sign_in}
 * @param actor who did it (user name, {@code system}, or null when unknown)
 * @param subject what it was done to
 * @param ip client address as seen by the server
 * @param userAgent client's user agent, truncated by the caller
 * @param outcome {@code success} or {@code failure} (or another stable word)
 * @param reason stable reason code, e.g. {@code bad_credentials}
 * @param details free-form JSON object with extra facts, never a secret
 */
public record ChainEntry(
        long occurredAtMillis,
        String type,
        String actor,
        String subject,
        String ip,
        String userAgent,
        String outcome,
        String reason,
        String details) {
    public ChainEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        for (String field : new String[] {type, actor, subject, ip, userAgent, outcome, reason, details}) {
            if (field != null && !wellFormed(field)) {
                throw new IllegalArgumentException("audit fields must be well-formed Unicode (unpaired surrogate)");
            }
        }
    }

    /**
     * Replaces unpaired surrogates with U+FFFD, so that any Java string can be recorded and what is
     * stored is exactly what is hashed.
     */
    public static String sanitize(String s) {
        if (s == null || wellFormed(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}

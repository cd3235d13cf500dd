package dev.signet.core.ledger;

import java.util.Objects;

/**
 * The content of one audit event, as it is hashed. Every field but {@code type}, {@code outcome} and
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
    }
}

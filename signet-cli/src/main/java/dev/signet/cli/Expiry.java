package dev.signet.cli;

import dev.signet.core.SignetException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token's {@code --expires}: a number of days ({@code 90d}), a date ({@code 2027-01-01}, midnight
 * UTC), an ISO-8601 instant ({@code 2027-01-01T12:00:00Z}), or {@code never}.
 */
sealed interface Expiry {
    Pattern DAYS = Pattern.compile("(\\d{1,4})d");

    /** Expires this many days after creation. */
    record InDays(int days) implements Expiry {}

    /** Expires at this instant. */
    record At(Instant instant) implements Expiry {}

    /** Does not expire (must be asked for explicitly). */
    record Never() implements Expiry {}

    /** @throws SignetException {@code usage.expires_invalid} (exit code 2) */
    static Expiry parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("never")) {
            return new Never();
        }
        Matcher days = DAYS.matcher(t);
        if (days.matches() && Integer.parseInt(days.group(1)) > 0) {
            return new InDays(Integer.parseInt(days.group(1)));
        }
        try {
            return new At(
                    t.length() == 10
                            ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
                            : Instant.parse(t));
        } catch (DateTimeException e) {
            throw new SignetException(
                    "usage.expires_invalid",
                    "--expires takes a number of days (90d), a date (2027-01-01), an instant (2027-01-01T12:00:00Z)"
                            + " or 'never'");
        }
    }

    /** When a token created at {@code now} expires; empty for never. */
    default Optional<Instant> at(Instant now) {
        return switch (this) {
            case InDays d -> Optional.of(now.plus(Duration.ofDays(d.days())));
            case At a -> Optional.of(a.instant());
            case Never n -> Optional.empty();
        };
    }
}

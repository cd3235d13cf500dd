package dev.signet.server.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Checks of query parameters; each refusal is {@code request.invalid} naming the parameter. */
final class Params {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final int MAX_TEXT = 200;

    private Params() {}

    /** A page: offset from 0, limit 1 to {@link #MAX_LIMIT}. */
    record Paging(int offset, int limit) {}

    static Paging paging(int offset, int limit) {
        if (offset < 0) {
            throw RequestRefused.invalid("parameter 'offset' must be 0 or more");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw RequestRefused.invalid("parameter 'limit' must be from 1 to " + MAX_LIMIT);
        }
        return new Paging(offset, limit);
    }

    /** Free text (a search, a name), at most {@link #MAX_TEXT} characters; empty when absent or blank. */
    static Optional<String> text(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (value.length() > MAX_TEXT) {
            throw RequestRefused.invalid("parameter '" + name + "' is longer than " + MAX_TEXT + " characters");
        }
        return Optional.of(value.strip());
    }

    /** One of an enum's constants, written in lower case; empty when absent. */
    static <E extends Enum<E>> Optional<E> oneOf(String name, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.strip())) {
                return Optional.of(e);
            }
        }
        throw RequestRefused.invalid("parameter '" + name + "' must be one of "
                + Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
    }

    /** An ISO-8601 instant ({@code 2026-05-01T12:00:00Z}) or date ({@code 2026-05-01}, midnight UTC). */
    static Optional<Instant> instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(parseInstant(value.strip())
                .orElseThrow(() -> RequestRefused.invalid("parameter '" + name
                        + "' must be an ISO-8601 instant such as 2026-05-01T12:00:00Z, or a date such as 2026-05-01")));
    }

    static Optional<Instant> parseInstant(String value) {
        if (value.length() > 40) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    value.length() == 10
                            ? LocalDate.parse(value)
                                    .atStartOfDay(ZoneOffset.UTC)
                                    .toInstant()
                            : Instant.parse(value));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}

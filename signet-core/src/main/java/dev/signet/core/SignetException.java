package dev.signet.core;

import java.util.Objects;

/**
 * Base of every Signet failure that has a stable, documented error code.
 *
 * <p>The code (for example {@code secret.integrity}) is what APIs return and what tests assert; the
 * message is for people and may change. Subclasses exist per area so callers can catch what they
 * can handle; the server maps all of them to problem+json in one place.
 */
public class SignetException extends RuntimeException {
    private final String code;

    public SignetException(String code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public SignetException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Stable, dotted, lower-case error code. Never changes meaning once published. */
    public String code() {
        return code;
    }
}

package dev.signet.server.api;

import dev.signet.core.SignetException;
import org.springframework.http.HttpStatus;

/**
 * A request the API itself refuses (malformed JSON, a wrong type, a bad query parameter, an
 * oversized body, a token asking for more than it has), with the HTTP status to answer and a stable
 * code.
 */
final class RequestRefused extends SignetException {
    static final String MALFORMED = "request.malformed";
    static final String INVALID = "request.invalid";
    static final String TOO_LARGE = "request.too_large";

    private final HttpStatus status;

    RequestRefused(HttpStatus status, String code, String message) {
        super(code, message);
        this.status = status;
    }

    static RequestRefused malformed(String message) {
        return new RequestRefused(HttpStatus.BAD_REQUEST, MALFORMED, message);
    }

    static RequestRefused invalid(String message) {
        return new RequestRefused(HttpStatus.BAD_REQUEST, INVALID, message);
    }

    HttpStatus status() {
        return status;
    }
}

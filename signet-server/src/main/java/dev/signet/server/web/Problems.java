package dev.signet.server.web;

import dev.signet.core.SignetException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/**
 * problem+json (RFC 9457) answers with Signet's stable {@code code}, written where Spring MVC is not
 * involved (filters, entry points), and the one mapping from codes to HTTP statuses.
 */
public final class Problems {
    private Problems() {}

    /** The status a refusal with this code gets. */
    public static HttpStatus status(String code) {
        if (code.endsWith(".not_found")
                || code.equals("sign.key_unknown")
                || code.equals("keys.grantee_not_found")
                || code.equals("keys.grant_not_found")) {
            return HttpStatus.NOT_FOUND;
        }
        if (code.endsWith(".taken")
                || code.endsWith(".last_admin")
                || code.endsWith(".last_required")
                || code.endsWith(".already_registered")
                || code.endsWith(".conflict")) {
            return HttpStatus.CONFLICT;
        }
        // The CA's state forbids it now (its key is offline, or online already; revocation is final).
        if (code.equals("ca.offline")
                || code.equals("ca.online")
                || code.equals("ca.revoked")
                || code.endsWith(".already_revoked")) {
            return HttpStatus.CONFLICT;
        }
        // A signing key's state forbids it: its certificate is revoked or expired, it is not exportable.
        if (code.equals("sign.key_revoked")
                || code.equals("sign.key_expired")
                || code.equals("keys.not_exportable")
                || code.equals("keys.grant_conflict")) {
            return HttpStatus.CONFLICT;
        }
        if (code.equals("sign.not_allowed")) {
            return HttpStatus.FORBIDDEN;
        }
        if (code.equals("sign.batch_too_large")) {
            return HttpStatus.CONTENT_TOO_LARGE;
        }
        if (code.equals("sign.timestamp_unavailable") || code.equals("tsa.unavailable")) {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }
        if (code.endsWith(".forbidden") || code.endsWith(".insufficient_scope") || code.endsWith(".step_up_required")) {
            return HttpStatus.FORBIDDEN;
        }
        if (code.equals("request.too_large")) {
            return HttpStatus.CONTENT_TOO_LARGE;
        }
        if (code.endsWith(".throttled")) {
            return HttpStatus.TOO_MANY_REQUESTS;
        }
        return HttpStatus.BAD_REQUEST;
    }

    static HttpStatus status(SignetException e) {
        return status(e.code());
    }

    static void write(HttpServletResponse response, HttpStatus status, String code, String detail) throws IOException {
        response.setStatus(status.value());
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter()
                .write("{\"type\":\"about:blank\",\"title\":\"" + status.getReasonPhrase() + "\",\"status\":"
                        + status.value() + ",\"detail\":\"" + json(detail) + "\",\"code\":\"" + json(code) + "\"}");
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}

package dev.signet.server.oidc;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An application's request waiting for the user: an authorization request (or a device approval)
 * that sent the browser to sign in, to a second factor or to a step-up. Kept in the session for
 * fifteen minutes; the sign-in flow sends the browser back to it ({@code /oidc/continue}) when the
 * user is signed in, instead of the dashboard.
 */
public final class OidcContinuation {
    static final String ATTRIBUTE = "signet.oidc.continue";
    /** When a fresh authentication was asked for (prompt=login, max_age): a sign-in after it counts as fresh. */
    static final String FRESH_AFTER = "signet.oidc.freshAfter";
    /** Where the sign-in flow sends a browser that has an application waiting. */
    public static final String PATH = "/oidc/continue";

    static final Duration TTL = Duration.ofMinutes(15);

    /** The saved request: a path and query on this server, and when it was saved. */
    record Saved(String pathAndQuery, Instant savedAt) implements Serializable {}

    private OidcContinuation() {}

    static void save(HttpServletRequest request, String pathAndQuery, Clock clock) {
        request.getSession().setAttribute(ATTRIBUTE, new Saved(pathAndQuery, clock.instant()));
    }

    /** Whether an application is waiting (a sign-in that completes should go to {@link #PATH}). */
    public static boolean pending(HttpServletRequest request, Clock clock) {
        return peek(request, clock).isPresent();
    }

    static Optional<String> peek(HttpServletRequest request, Clock clock) {
        HttpSession session = request.getSession(false);
        if (session == null || !(session.getAttribute(ATTRIBUTE) instanceof Saved saved)) {
            return Optional.empty();
        }
        if (saved.savedAt().plus(TTL).isBefore(clock.instant())) {
            session.removeAttribute(ATTRIBUTE);
            return Optional.empty();
        }
        return Optional.of(saved.pathAndQuery());
    }

    /** The waiting request, forgotten as it is taken. */
    static Optional<String> take(HttpServletRequest request, Clock clock) {
        Optional<String> saved = peek(request, clock);
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(ATTRIBUTE);
        }
        return saved;
    }

    /** Where the sign-in flow goes once signed in: {@link #PATH} when an application waits, else {@code otherwise}. */
    public static String next(HttpServletRequest request, Clock clock, String otherwise) {
        return pending(request, clock) ? PATH : otherwise;
    }
}

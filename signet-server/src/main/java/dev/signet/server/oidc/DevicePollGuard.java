package dev.signet.server.oidc;

import dev.signet.core.crypto.Secure;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The polling interval of the device authorization grant, enforced (RFC 8628 section 3.5): a device
 * that asks the token endpoint about its device code again sooner than {@link #INTERVAL} after its
 * last request is answered {@code slow_down} (400), and must then wait 5 seconds longer between
 * requests. Spring's authorization server answers only {@code authorization_pending}; this filter
 * runs ahead of it and lets every other request through untouched.
 *
 * <p>The last request per device code is kept in this node's memory, keyed by the code's SHA-256
 * and dropped once older than the longest a device code lives; behind a load balancer each node
 * enforces the interval on the requests it sees.
 */
public final class DevicePollGuard extends OncePerRequestFilter {
    /** RFC 8628 section 3.2: "If no value is provided, clients MUST use 5 as the default." */
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    static final String TOKEN_PATH = "/oauth2/token";
    private static final Duration FORGET_AFTER = Duration.ofMinutes(30);
    private static final int MAX_TRACKED = 100_000;

    private final Clock clock;
    private final Map<String, Instant> lastPoll = new ConcurrentHashMap<>();

    public DevicePollGuard(Clock clock) {
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || !TOKEN_PATH.equals(request.getRequestURI()
                        .substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType == null
                || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                || !OidcClient.DEVICE_CODE.equals(request.getParameter("grant_type"))) {
            chain.doFilter(request, response);
            return;
        }
        String code = request.getParameter("device_code");
        if (code == null || code.isEmpty() || code.length() > 512) {
            chain.doFilter(request, response);
            return;
        }
        Instant now = clock.instant();
        Instant previous = lastPoll.put(Secure.sha256Hex(code), now);
        if (lastPoll.size() > MAX_TRACKED) {
            forgetOld(now);
        }
        if (previous != null && now.isBefore(previous.plus(INTERVAL))) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setHeader("Cache-Control", "no-store");
            response.getWriter()
                    .write("{\"error\":\"slow_down\",\"error_description\":\"poll at most every " + INTERVAL.toSeconds()
                            + " seconds, and 5 seconds more after each slow_down\"}");
            return;
        }
        chain.doFilter(request, response);
    }

    private void forgetOld(Instant now) {
        Instant horizon = now.minus(FORGET_AFTER);
        for (Iterator<Instant> it = lastPoll.values().iterator(); it.hasNext(); ) {
            if (it.next().isBefore(horizon)) {
                it.remove();
            }
        }
        if (lastPoll.size() > MAX_TRACKED) {
            lastPoll.clear();
        }
    }
}

package dev.signet.server.signin;

import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;

/**
 * Where a request came from: the client's address (after the trusted proxy's {@code
 * X-Forwarded-For}, when {@code SIGNET_TRUST_PROXY} is on) and its user agent, cut to the lengths the
 * database keeps.
 */
public record ClientInfo(String ip, String userAgent) implements Serializable {
    public ClientInfo {
        ip = cut(ip, 64);
        userAgent = cut(userAgent, 512);
    }

    public static ClientInfo of(HttpServletRequest request) {
        return new ClientInfo(request.getRemoteAddr(), request.getHeader("User-Agent"));
    }

    private static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        return s.length() <= max ? s : s.substring(0, max);
    }
}

package dev.signet.server.web;

import dev.signet.server.account.PasswordHasher;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signing.SigningService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses oversized input before anything else looks at it (no session lookup, no hashing): a body
 * over 64 KiB (over {@value #MAX_SIGN_BODY} bytes for a batch of digests to sign, {@code POST
 * /api/v1/sign} and {@code POST /sign}) gets 413 {@code request.too_large}; on the forms that take
 * passwords, a username over 256 or a password over 512 characters gets 400 {@code input.too_long}.
 */
final class InputLimitFilter extends OncePerRequestFilter {
    static final long MAX_BODY = 64 * 1024;
    static final int MAX_SIGN_BODY = SigningService.MAX_REQUEST_BYTES;
    private static final Set<String> SIGNING_PATHS = Set.of("/api/v1/sign", "/sign");
    private static final Set<String> PASSWORD_FIELDS = Set.of("password", "current", "confirm", "next");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            long length = request.getContentLengthLong();
            long max = "POST".equals(request.getMethod())
                            && SIGNING_PATHS.contains(request.getRequestURI()
                                    .substring(request.getContextPath().length()))
                    ? MAX_SIGN_BODY
                    : MAX_BODY;
            if (length > max) {
                response.setHeader("Connection", "close");
                Problems.write(
                        response, HttpStatus.CONTENT_TOO_LARGE, "request.too_large", "the request body is too large");
                return;
            }
            String type = request.getContentType();
            if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
                String username = request.getParameter("username");
                if (username != null && username.length() > SignInService.MAX_USERNAME) {
                    Problems.write(response, HttpStatus.BAD_REQUEST, "input.too_long", "the username is too long");
                    return;
                }
                for (String field : PASSWORD_FIELDS) {
                    String v = request.getParameter(field);
                    if (v != null && v.length() > PasswordHasher.MAX_LENGTH * 2) {
                        Problems.write(response, HttpStatus.BAD_REQUEST, "input.too_long", "the password is too long");
                        return;
                    }
                }
            }
        }
        chain.doFilter(request, response);
    }
}

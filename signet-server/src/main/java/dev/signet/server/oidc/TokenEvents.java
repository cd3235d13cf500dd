package dev.signet.server.oidc;

import com.nimbusds.jwt.SignedJWT;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2AccessTokenResponseAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;

/**
 * What the token endpoint records. Every token answer counts in {@code signet.oidc.tokens} (tag
 * {@code grant}); a person's sign-in to an application (a code or device code redeemed) is audited
 * as {@code oidc.token_issued} with the client and the user. Client-credentials and refresh grants
 * are counted but not audited: they are machine traffic at high rates, and an audit write would be
 * the one database write of an otherwise write-free client-credentials grant. A client
 * authentication that fails for a registered client is audited ({@code oidc.client_auth_failed}),
 * like a failed password.
 */
final class TokenEvents {
    private final AuditLog audit;
    private final MeterRegistry meters;
    private final SignetClients clients;
    private final UserRepository users;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AuthenticationSuccessHandler tokens = new OAuth2AccessTokenResponseAuthenticationSuccessHandler();
    private final OAuth2ErrorHttpMessageConverter errorConverter = new OAuth2ErrorHttpMessageConverter();

    TokenEvents(AuditLog audit, MeterRegistry meters, SignetClients clients, UserRepository users) {
        this.users = users;
        this.audit = audit;
        this.meters = meters;
        this.clients = clients;
    }

    AuthenticationSuccessHandler issued() {
        return (request, response, authentication) -> {
            String grant = grant(request);
            counters.computeIfAbsent(grant, g -> meters.counter("signet.oidc.tokens", "grant", g))
                    .increment();
            if ((grant.equals("authorization_code") || grant.equals("device_code"))
                    && authentication instanceof OAuth2AccessTokenAuthenticationToken issued) {
                String userId = subject(issued.getAccessToken().getTokenValue());
                audit.append(AuditEvent.of("oidc.token_issued", AuditEvent.SUCCESS)
                        .actor(issued.getRegisteredClient().getClientId())
                        .subject(
                                userId == null
                                        ? null
                                        : users.byId(userId).map(User::username).orElse(userId))
                        .client(request.getRemoteAddr(), request.getHeader("User-Agent"))
                        .detail("client", issued.getRegisteredClient().getClientId())
                        .detail("grant", grant)
                        .detail(
                                "scopes",
                                String.join(" ", issued.getAccessToken().getScopes()))
                        .build());
            }
            tokens.onAuthenticationSuccess(request, response, authentication);
        };
    }

    /** Client authentication failures at the client endpoints: audited when the client exists. */
    AuthenticationFailureHandler clientAuthenticationFailed() {
        return (request, response, exception) -> {
            String clientId = clientId(request);
            if (clientId != null && clients.client(clientId).isPresent()) {
                String code = exception instanceof OAuth2AuthenticationException o
                        ? o.getError().getErrorCode()
                        : "invalid_client";
                audit.append(AuditEvent.of("oidc.client_auth_failed", AuditEvent.FAILURE)
                        .actor(clientId)
                        .subject(clientId)
                        .reason(code)
                        .client(request.getRemoteAddr(), request.getHeader("User-Agent"))
                        .build());
            }
            // as Spring answers a failed client authentication: 401 for invalid_client, else 400
            org.springframework.security.core.context.SecurityContextHolder.clearContext();
            OAuth2Error error = exception instanceof OAuth2AuthenticationException o
                    ? o.getError()
                    : new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT);
            ServletServerHttpResponse http = new ServletServerHttpResponse(response);
            http.setStatusCode(
                    OAuth2ErrorCodes.INVALID_CLIENT.equals(error.getErrorCode())
                            ? HttpStatus.UNAUTHORIZED
                            : HttpStatus.BAD_REQUEST);
            errorConverter.write(error, null, http);
        };
    }

    /** The client a request names: {@code client_id}, or the user name of HTTP Basic (RFC 6749 section 2.3.1). */
    private static String clientId(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(
                        java.util.Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? null : URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return request.getParameter("client_id");
    }

    private static String grant(HttpServletRequest request) {
        String grant = request.getParameter("grant_type");
        if (grant == null) {
            return "unknown";
        }
        return switch (grant) {
            case "authorization_code", "refresh_token", "client_credentials" -> grant;
            case ClientAuthentications.DEVICE_GRANT -> "device_code";
            default -> "other";
        };
    }

    private static String subject(String jwt) {
        try {
            return SignedJWT.parse(jwt).getJWTClaimsSet().getSubject();
        } catch (ParseException e) {
            return null;
        }
    }
}

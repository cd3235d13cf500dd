package dev.signet.server.oidc;

import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.text.ParseException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Two gaps in Spring's client authentication, filled so that standard clients work:
 *
 * <ul>
 *   <li>{@link #assertionClientId}: a {@code private_key_jwt} request without {@code client_id} (the
 *       parameter is optional, RFC 7523 section 3 and 2.2: the assertion's {@code sub} names the
 *       client; Nimbus and others leave it out). The client id is read from the assertion and then
 *       checked like any other: the assertion's signature and {@code iss}/{@code sub} are verified by
 *       {@link ClientAssertions}.
 *   <li>{@link #publicDeviceConverter} and {@link #publicDeviceProvider}: a public client using the
 *       device grant (RFC 8628 section 3.1 and 3.4) names itself with {@code client_id} only; Spring
 *       accepts a public client only with PKCE (code exchange).
 * </ul>
 */
final class ClientAuthentications {
    static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private static final String DEVICE_MARK = "signet.public_device_client";

    private ClientAuthentications() {}

    /** Spring's assertion converter, given the client id from the assertion when the request has none. */
    static AuthenticationConverter assertionClientId(AuthenticationConverter delegate) {
        return request -> {
            String assertion = request.getParameter("client_assertion");
            if (assertion == null || request.getParameter("client_id") != null) {
                return delegate.convert(request);
            }
            String subject;
            try {
                subject = SignedJWT.parse(assertion).getJWTClaimsSet().getSubject();
            } catch (ParseException | RuntimeException e) {
                throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
            }
            if (subject == null || subject.isBlank() || subject.length() > 64) {
                throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
            }
            return delegate.convert(withParameter(request, "client_id", subject));
        };
    }

    /** A device authorization request or device code token request that names only a client id. */
    static AuthenticationConverter publicDeviceConverter() {
        return request -> {
            if (!"POST".equals(request.getMethod())) {
                return null;
            }
            String path =
                    request.getRequestURI().substring(request.getContextPath().length());
            boolean deviceAuthorization = path.equals("/oauth2/device_authorization");
            boolean deviceToken =
                    path.equals("/oauth2/token") && DEVICE_GRANT.equals(request.getParameter("grant_type"));
            if (!deviceAuthorization && !deviceToken) {
                return null;
            }
            if (request.getHeader("Authorization") != null
                    || request.getParameter("client_secret") != null
                    || request.getParameter("client_assertion") != null) {
                return null; // a confidential client: its own converter
            }
            String[] ids = request.getParameterValues("client_id");
            if (ids == null || ids.length != 1 || ids[0].isBlank()) {
                throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_REQUEST);
            }
            return new OAuth2ClientAuthenticationToken(
                    ids[0], ClientAuthenticationMethod.NONE, null, Map.of(DEVICE_MARK, Boolean.TRUE));
        };
    }

    /** Authenticates a public device client: it exists, is enabled, and authenticates with "none". */
    static AuthenticationProvider publicDeviceProvider(RegisteredClientRepository clients) {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication authentication) {
                OAuth2ClientAuthenticationToken token = (OAuth2ClientAuthenticationToken) authentication;
                if (!ClientAuthenticationMethod.NONE.equals(token.getClientAuthenticationMethod())
                        || !Boolean.TRUE.equals(token.getAdditionalParameters().get(DEVICE_MARK))) {
                    return null;
                }
                RegisteredClient client = clients.findByClientId((String) token.getPrincipal());
                if (client == null
                        || !client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
                    throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
                }
                return new OAuth2ClientAuthenticationToken(client, ClientAuthenticationMethod.NONE, null);
            }

            @Override
            public boolean supports(Class<?> authentication) {
                return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
            }
        };
    }

    private static HttpServletRequest withParameter(HttpServletRequest request, String name, String value) {
        Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameterMap());
        parameters.put(name, new String[] {value});
        Map<String, String[]> view = Collections.unmodifiableMap(parameters);
        return new HttpServletRequestWrapper(request) {
            @Override
            public String getParameter(String n) {
                String[] values = view.get(n);
                return values == null || values.length == 0 ? null : values[0];
            }

            @Override
            public Map<String, String[]> getParameterMap() {
                return view;
            }

            @Override
            public Enumeration<String> getParameterNames() {
                return Collections.enumeration(view.keySet());
            }

            @Override
            public String[] getParameterValues(String n) {
                return view.get(n);
            }
        };
    }
}

package dev.signet.server.oidc;

import dev.signet.core.crypto.Secure;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.session.SessionsEnded;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * OpenID Connect sessions and their end. A Signet browser session is the single sign-on session: the
 * first authorization request in it gives it an id ({@code sid}, random, kept in the session) that
 * the ID tokens of that session carry. When the session ends (console sign-out, or RP-initiated
 * logout at {@code /connect/logout}), the grants made in it that are not for offline use ({@code
 * offline_access}) are revoked, and every client that got tokens in it and registered a back-channel
 * logout URI is sent a signed logout token (<a
 * href="https://openid.net/specs/openid-connect-backchannel-1_0.html#LogoutToken">OpenID Connect
 * Back-Channel Logout 1.0 section 2.4</a>) by a POST from a background thread, with a five-second
 * timeout; the outcome of each is audited. Sessions ended from elsewhere (the sessions page, an
 * administrator, a password change, a disabled or deleted account) end the same way ({@link
 * #sessionsEnded}).
 */
public final class OidcLogout implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OidcLogout.class);
    static final String SID = "signet.oidc.sid";
    static final String BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";
    static final Duration LOGOUT_TOKEN_TTL = Duration.ofMinutes(2);

    private final DbAuthorizationService authorizations;
    private final SignetClients clients;
    private final SignetJwtEncoder encoder;
    private final OidcIssuer issuer;
    private final AuditLog audit;
    private final Clock clock;
    private final HttpClient http;
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("signet-backchannel-logout-", 0).factory());

    OidcLogout(
            DbAuthorizationService authorizations,
            SignetClients clients,
            SignetJwtEncoder encoder,
            OidcIssuer issuer,
            AuditLog audit,
            Clock clock) {
        this.authorizations = authorizations;
        this.clients = clients;
        this.encoder = encoder;
        this.issuer = issuer;
        this.audit = audit;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The OpenID Connect session id of the current request's browser session, made on first use. */
    static Supplier<String> currentSid() {
        return () -> {
            if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
                HttpSession session = attributes.getRequest().getSession(false);
                if (session != null) {
                    Object sid = session.getAttribute(SID);
                    if (sid instanceof String s) {
                        return s;
                    }
                    String fresh = Secure.randomToken(16);
                    session.setAttribute(SID, fresh);
                    return fresh;
                }
            }
            return null;
        };
    }

    /**
     * The browser session of {@code request} is ending: revokes its online grants and tells the
     * clients that asked to be told. Returns the deliveries started (tests wait on them).
     */
    public List<Future<Boolean>> sessionEnding(HttpServletRequest request, Authentication who) {
        HttpSession session = request.getSession(false);
        if (session == null || !(session.getAttribute(SID) instanceof String sid)) {
            return List.of();
        }
        String subject = who != null && who.getPrincipal() instanceof SignetPrincipal p ? p.userId() : null;
        return tell(authorizations.endSession(sid), subject, sid);
    }

    /**
     * Sessions ended from elsewhere ({@link SessionsEnded}: the sessions page, an administrator, a
     * password change, a disabled or deleted account): each one's online grants are revoked in the
     * ending's transaction, and its clients are told as on sign-out, once that transaction has
     * committed (nothing is announced that a rollback would undo).
     */
    void sessionsEnded(List<SessionsEnded.Ended> sessions) {
        for (SessionsEnded.Ended ended : sessions) {
            if (!(ended.attributes().get(SID) instanceof String sid)) {
                continue; // no application was signed in through it
            }
            Set<String> clientIds = authorizations.endSession(sid, "session_ended");
            if (clientIds.isEmpty()) {
                continue;
            }
            Runnable tell = () -> tell(clientIds, ended.userId(), sid);
            if (TransactionSynchronizationManager.isSynchronizationActive()) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        tell.run();
                    }
                });
            } else {
                tell.run();
            }
        }
    }

    /** Back-channel logout of {@code sid} to those of {@code clientIds} that registered an endpoint. */
    private List<Future<Boolean>> tell(Set<String> clientIds, String subject, String sid) {
        return clientIds.stream()
                .map(clients::client)
                .flatMap(java.util.Optional::stream)
                .filter(c -> c.backchannelLogoutUri() != null
                        && !c.backchannelLogoutUri().isBlank())
                .map(c -> senders.submit(() -> send(c, subject, sid)))
                .toList();
    }

    private boolean send(OidcClient client, String subject, String sid) {
        boolean delivered = false;
        String detail;
        try {
            String token = logoutToken(client, subject, sid);
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create(client.backchannelLogoutUri()))
                            .timeout(Duration.ofSeconds(5))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("Cache-Control", "no-store")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            delivered = response.statusCode() / 100 == 2;
            detail = Integer.toString(response.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            detail = "interrupted";
        } catch (Exception e) {
            detail = e.getClass().getSimpleName();
        }
        if (!delivered) {
            log.warn("back-channel logout to client {} failed: {}", client.clientId(), detail);
        }
        try {
            audit.append(AuditEvent.of("oidc.backchannel_logout", delivered ? AuditEvent.SUCCESS : AuditEvent.FAILURE)
                    .actor("signet")
                    .subject(subject)
                    .reason(delivered ? null : "delivery_failed")
                    .detail("client", client.clientId())
                    .detail("status", detail)
                    .build());
        } catch (RuntimeException e) {
            log.warn("back-channel logout to client {} could not be audited: {}", client.clientId(), e.toString());
        }
        return delivered;
    }

    /** A logout token (Back-Channel Logout 1.0 section 2.4), signed like the client's ID tokens. */
    String logoutToken(OidcClient client, String subject, String sid) {
        Instant now = clock.instant();
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer(issuer.get())
                .audience(List.of(client.clientId()))
                .issuedAt(now)
                .expiresAt(now.plus(LOGOUT_TOKEN_TTL))
                .id(Secure.randomToken(16))
                .claim("sid", sid)
                .claim("events", Map.of(BACKCHANNEL_EVENT, Map.of()));
        if (subject != null) {
            claims.subject(subject);
        }
        JwsHeader header = JwsHeader.with(
                        switch (TokenKeys.Algorithm.named(client.idTokenAlgorithm())) {
                            case ES256 -> SignatureAlgorithm.ES256;
                            case RS256 -> SignatureAlgorithm.RS256;
                            case EdDSA -> SignetJwtEncoder.EDDSA;
                        })
                .type("logout+jwt")
                .build();
        return encoder.encode(JwtEncoderParameters.from(header, claims.build())).getTokenValue();
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }
}

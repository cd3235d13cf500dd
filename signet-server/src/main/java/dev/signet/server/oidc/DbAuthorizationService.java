package dev.signet.server.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.signet.core.crypto.Secure;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Grants and their tokens in the database (table {@code oauth_authorization}, {@code oauth_token}),
 * for Spring's authorization server.
 *
 * <p>At rest: one-time tokens (authorization codes, refresh tokens, device and user codes, consent
 * states) and ID tokens only as SHA-256; the grant itself (principal, request, token metadata, with
 * every token value replaced by its hash) serialised and sealed with the key ring, bound to its row.
 * Access tokens are self-contained JWTs and are not stored: one is found by verifying its signature
 * and reading its {@code jti}, which is "grant id.random" for a token issued from a grant (so the
 * grant's revocation reaches it) and plain random for a client-credentials token (which never causes
 * a write: only its revocation does, in {@code oauth_revoked_jti}).
 *
 * <p>One-time use, race-safe: every change to a grant is a conditional update on its version. Of two
 * requests redeeming one code, or refreshing with one refresh token, one wins; the other finds the
 * version moved, and the family is revoked (RFC 9700 section 2.2.2 and 4.14.2: a reused or raced
 * one-time token means it leaked). A used code presented again revokes the tokens issued from it
 * (RFC 6749 section 4.1.2); a rotated refresh token presented again revokes its family ({@link
 * RefreshReuse}). Revoked grants answer as inactive everywhere (introspection, userinfo, refresh).
 *
 * <p>Expiry of stored tokens is judged by the server's {@link Clock} (tests move it).
 */
public final class DbAuthorizationService implements OAuth2AuthorizationService {
    private static final Logger log = LoggerFactory.getLogger(DbAuthorizationService.class);

    /** The row version a loaded grant was read at; carried to {@link #save}, never stored. */
    static final String VERSION = "signet.version";
    /** The OpenID Connect session id (Signet browser session) a grant was made in. */
    static final String SID = "signet.sid";
    /** Marks a client-credentials grant rebuilt from its self-contained access token. */
    static final String SELF_CONTAINED = "signet.self_contained";
    /** Marks a loaded grant that has been revoked; never stored. */
    private static final String REVOKED = "signet.revoked";

    private static final String PLACEHOLDER = "sha256:";
    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
            "maxdepth=20;maxrefs=10000;maxbytes=262144;java.**;jakarta.servlet.**;org.springframework.**;"
                    + "dev.signet.**;!*");
    /** A grant that only waits for consent (no token yet) is kept this long. */
    private static final Duration PENDING_TTL = Duration.ofHours(1);
    /** Grants are kept this long past their last token's expiry (an expired ID token still names its session). */
    static final Duration KEEP_AFTER_EXPIRY = Duration.ofDays(1);

    /** The kinds of stored token, by the token type names Spring uses. */
    enum Kind {
        CODE("code", OAuth2AuthorizationCode.class),
        REFRESH("refresh_token", OAuth2RefreshToken.class),
        ID_TOKEN("id_token", OidcIdToken.class),
        DEVICE_CODE("device_code", OAuth2DeviceCode.class),
        USER_CODE("user_code", OAuth2UserCode.class),
        STATE("state", null);

        final String type;
        final Class<? extends OAuth2Token> tokenClass;

        Kind(String type, Class<? extends OAuth2Token> tokenClass) {
            this.type = type;
            this.tokenClass = tokenClass;
        }

        static Kind of(String type) {
            for (Kind k : values()) {
                if (k.type.equals(type)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A grant as the account page lists it. */
    public record Grant(
            String id, String clientId, Set<String> scopes, Instant createdAt, Instant expiresAt, boolean offline) {}

    private record TokenRow(Kind kind, String hash, long expiresAt, boolean used) {}

    private static final class Conflict extends RuntimeException {
        Conflict() {
            super(null, null, false, false);
        }
    }

    private final Store store;
    private final KeyRing keyRing;
    private final Clock clock;
    private final TokenKeys keys;
    private final SignetClients clients;
    private final AuditLog audit;
    private final Supplier<String> currentSid;

    DbAuthorizationService(
            Store store,
            KeyRing keyRing,
            Clock clock,
            TokenKeys keys,
            SignetClients clients,
            AuditLog audit,
            Supplier<String> currentSid) {
        this.store = store;
        this.keyRing = keyRing;
        this.clock = clock;
        this.keys = keys;
        this.clients = clients;
        this.audit = audit;
        this.currentSid = currentSid;
    }

    // ---- saving --------------------------------------------------------------------------------

    @Override
    public void save(OAuth2Authorization authorization) {
        if (authorization.getAttribute(SELF_CONTAINED) != null
                || (authorization.getAttribute(VERSION) == null
                        && AuthorizationGrantType.CLIENT_CREDENTIALS.equals(
                                authorization.getAuthorizationGrantType()))) {
            // A client-credentials token is not stored; only its revocation is.
            revokeAccessTokenIfInvalidated(authorization);
            return;
        }
        Integer version = authorization.getAttribute(VERSION);
        OAuth2Authorization toStore = authorization;
        if (version == null
                && authorization.getAttribute(SID) == null
                && AuthorizationGrantType.AUTHORIZATION_CODE.equals(authorization.getAuthorizationGrantType())) {
            String sid = currentSid.get();
            if (sid != null) {
                toStore = OAuth2Authorization.from(authorization)
                        .attribute(SID, sid)
                        .build();
            }
        }
        long now = clock.millis();
        List<TokenRow> tokens = tokenRows(toStore, now);
        long expiresAt = tokens.stream().mapToLong(TokenRow::expiresAt).max().orElse(now + PENDING_TTL.toMillis());
        expiresAt = Math.max(expiresAt, accessExpiry(toStore, now));
        String sealed = seal(toStore);
        String userId = userId(toStore);
        String scopes = String.join(" ", toStore.getAuthorizedScopes());
        boolean offline = toStore.getAuthorizedScopes().contains("offline_access");
        String sid = toStore.getAttribute(SID);
        OAuth2Authorization stored = toStore;
        long familyExpiry = expiresAt;
        if (version == null) {
            store.inTransaction(() -> {
                store.jdbc()
                        .sql(
                                "INSERT INTO oauth_authorization (id, client_id, principal_name, user_id, grant_type, scopes,"
                                        + " sid, offline, version, created_at, updated_at, expires_at, data)"
                                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)")
                        .params(
                                stored.getId(),
                                stored.getRegisteredClientId(),
                                stored.getPrincipalName(),
                                userId,
                                stored.getAuthorizationGrantType().getValue(),
                                scopes,
                                sid,
                                offline ? 1 : 0,
                                now,
                                now,
                                familyExpiry,
                                sealed)
                        .update();
                for (TokenRow t : tokens) {
                    insertToken(stored.getId(), t, now);
                }
            });
            revokeAccessTokenIfInvalidated(stored);
            return;
        }
        boolean refreshRevoked =
                stored.getRefreshToken() != null && stored.getRefreshToken().isInvalidated();
        try {
            store.inTransaction(() -> {
                int updated = store.jdbc()
                        .sql("UPDATE oauth_authorization SET principal_name = ?, user_id = COALESCE(?, user_id),"
                                + " scopes = ?, offline = ?, version = version + 1, updated_at = ?, expires_at = ?,"
                                + " data = ?, revoked_at = ?, revoked_reason = ?"
                                + " WHERE id = ? AND version = ? AND revoked_at IS NULL")
                        .params(
                                stored.getPrincipalName(),
                                userId,
                                scopes,
                                offline ? 1 : 0,
                                now,
                                familyExpiry,
                                sealed,
                                refreshRevoked ? now : null,
                                refreshRevoked ? "revoked" : null,
                                stored.getId(),
                                version)
                        .update();
                if (updated != 1) {
                    throw new Conflict();
                }
                Map<String, TokenRow> existing = new HashMap<>();
                store.jdbc()
                        .sql("SELECT token_hash, kind, expires_at, used_at FROM oauth_token WHERE authorization_id = ?")
                        .param(stored.getId())
                        .query(rs -> {
                            existing.put(
                                    rs.getString("token_hash"),
                                    new TokenRow(
                                            Kind.valueOf(rs.getString("kind")),
                                            rs.getString("token_hash"),
                                            rs.getLong("expires_at"),
                                            rs.getObject("used_at") != null));
                        });
                Set<String> current = new HashSet<>();
                for (TokenRow t : tokens) {
                    current.add(t.hash());
                    TokenRow before = existing.get(t.hash());
                    if (before == null) {
                        insertToken(stored.getId(), t, now);
                    } else if (t.used() && !before.used() && !markUsed(t.hash(), now)) {
                        throw new Conflict();
                    }
                }
                // Tokens this grant no longer holds were consumed or replaced: a rotated refresh
                // token, a redeemed code, a consent state, a user code. Old ID tokens stay valid as
                // logout hints.
                for (TokenRow before : existing.values()) {
                    if (!before.used() && before.kind() != Kind.ID_TOKEN && !current.contains(before.hash())) {
                        markUsed(before.hash(), now);
                    }
                }
                if (refreshRevoked) {
                    store.jdbc()
                            .sql("UPDATE oauth_token SET used_at = ? WHERE authorization_id = ? AND used_at IS NULL"
                                    + " AND kind <> 'ID_TOKEN'")
                            .params(now, stored.getId())
                            .update();
                }
            });
        } catch (Conflict e) {
            // The grant changed under this request: a one-time token was used twice at once, or the
            // family was revoked meanwhile. Either way it must not yield tokens.
            revokeFamily(stored.getId(), "reuse", stored.getRegisteredClientId(), stored.getPrincipalName());
            throw new OAuth2AuthenticationException(new OAuth2Error(
                    OAuth2ErrorCodes.INVALID_GRANT, "the grant was used concurrently or has been revoked", null));
        }
        revokeAccessTokenIfInvalidated(stored);
        if (refreshRevoked) {
            audit.append(AuditEvent.of("oidc.grant_revoked", AuditEvent.SUCCESS)
                    .actor(stored.getRegisteredClientId())
                    .subject(stored.getPrincipalName())
                    .reason("revoked")
                    .detail("client", stored.getRegisteredClientId())
                    .detail("grant", stored.getId())
                    .build());
        }
    }

    private void insertToken(String authorizationId, TokenRow t, long now) {
        store.jdbc()
                .sql("INSERT INTO oauth_token (token_hash, authorization_id, kind, issued_at, expires_at, used_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")
                .params(t.hash(), authorizationId, t.kind().name(), now, t.expiresAt(), t.used() ? now : null)
                .update();
    }

    private boolean markUsed(String hash, long now) {
        return store.jdbc()
                        .sql("UPDATE oauth_token SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")
                        .params(now, hash)
                        .update()
                == 1;
    }

    /** The stored tokens of a grant: hash, kind, expiry by this server's clock, used or not. */
    private List<TokenRow> tokenRows(OAuth2Authorization a, long now) {
        List<TokenRow> rows = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (kind == Kind.STATE) {
                String state = a.getAttribute(OAuth2ParameterNames.STATE);
                if (state != null) {
                    rows.add(new TokenRow(kind, hashOf(state), now + PENDING_TTL.toMillis(), false));
                }
                continue;
            }
            OAuth2Authorization.Token<? extends OAuth2Token> token = a.getToken(kind.tokenClass);
            if (token == null) {
                continue;
            }
            OAuth2Token t = token.getToken();
            long lifetime = t.getIssuedAt() != null && t.getExpiresAt() != null
                    ? Duration.between(t.getIssuedAt(), t.getExpiresAt()).toMillis()
                    : PENDING_TTL.toMillis();
            rows.add(new TokenRow(kind, hashOf(t.getTokenValue()), now + lifetime, token.isInvalidated()));
        }
        return rows;
    }

    private static long accessExpiry(OAuth2Authorization a, long now) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = a.getAccessToken();
        if (access == null || access.getToken().getExpiresAt() == null) {
            return 0;
        }
        Object exp = access.getClaims() == null ? null : access.getClaims().get("exp");
        return exp instanceof Instant i ? i.toEpochMilli() : now;
    }

    private void revokeAccessTokenIfInvalidated(OAuth2Authorization a) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = a.getAccessToken();
        if (access == null || !access.isInvalidated() || access.getClaims() == null) {
            return;
        }
        Object jti = access.getClaims().get("jti");
        Object exp = access.getClaims().get("exp");
        if (jti instanceof String id && exp instanceof Instant expires) {
            store.jdbc()
                    .sql("INSERT INTO oauth_revoked_jti (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING")
                    .params(id, expires.toEpochMilli())
                    .update();
        }
    }

    // ---- finding -------------------------------------------------------------------------------

    @Override
    public void remove(OAuth2Authorization authorization) {
        store.jdbc()
                .sql("DELETE FROM oauth_authorization WHERE id = ?")
                .param(authorization.getId())
                .update();
    }

    @Override
    public OAuth2Authorization findById(String id) {
        if (id == null || id.length() > 64) {
            return null;
        }
        return store.jdbc()
                .sql("SELECT id, version, revoked_at, data FROM oauth_authorization WHERE id = ?")
                .param(id)
                .query((rs, n) -> loaded(
                        rs.getString("id"), rs.getInt("version"), rs.getObject("revoked_at"), rs.getString("data")))
                .optional()
                .orElse(null);
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        if (token == null || token.isEmpty() || token.length() > 16 * 1024) {
            return null;
        }
        if (OAuth2TokenType.ACCESS_TOKEN.equals(tokenType)) {
            return byAccessToken(token);
        }
        Kind wanted = tokenType == null ? null : Kind.of(tokenType.getValue());
        if (tokenType != null && wanted == null) {
            return null;
        }
        String hash = hashOf(token);
        List<Map<String, Object>> rows = store.jdbc()
                .sql("SELECT t.kind, t.expires_at AS token_expires, t.used_at, a.id, a.version, a.revoked_at, a.data"
                        + " FROM oauth_token t JOIN oauth_authorization a ON a.id = t.authorization_id"
                        + " WHERE t.token_hash = ?")
                .param(hash)
                .query()
                .listOfRows();
        if (rows.isEmpty()) {
            return tokenType == null ? byAccessToken(token) : null;
        }
        Map<String, Object> row = rows.get(0);
        Kind kind = Kind.valueOf((String) row.get("kind"));
        if (wanted != null && kind != wanted) {
            return null;
        }
        // An expired ID token still names its session (a logout hint); nothing else does.
        if (kind != Kind.ID_TOKEN && ((Number) row.get("token_expires")).longValue() <= clock.millis()) {
            return null;
        }
        OAuth2Authorization a =
                loaded((String) row.get("id"), ((Number) row.get("version")).intValue(), row.get("revoked_at"), (String)
                        row.get("data"));
        if (a == null) {
            return null;
        }
        boolean used = row.get("used_at") != null;
        OAuth2Authorization.Token<? extends OAuth2Token> held =
                kind.tokenClass == null ? null : a.getToken(kind.tokenClass);
        boolean isCurrent = held != null && held.getToken().getTokenValue().equals(PLACEHOLDER + hash);
        // A used code still finds its grant (so that its reuse revokes what it issued); any other
        // used token is no token.
        if (used && !(kind == Kind.CODE && isCurrent)) {
            return null;
        }
        if (kind == Kind.STATE) {
            return a;
        }
        return withValue(a, kind, held, token);
    }

    /** The grant with the presented token's real value in place of its hash. */
    private static OAuth2Authorization withValue(
            OAuth2Authorization a, Kind kind, OAuth2Authorization.Token<? extends OAuth2Token> held, String value) {
        if (held == null) {
            return null;
        }
        OAuth2Token t = held.getToken();
        OAuth2Token real = switch (kind) {
            case CODE -> new OAuth2AuthorizationCode(value, t.getIssuedAt(), t.getExpiresAt());
            case REFRESH -> new OAuth2RefreshToken(value, t.getIssuedAt(), t.getExpiresAt());
            case ID_TOKEN -> new OidcIdToken(value, t.getIssuedAt(), t.getExpiresAt(), ((OidcIdToken) t).getClaims());
            case DEVICE_CODE -> new OAuth2DeviceCode(value, t.getIssuedAt(), t.getExpiresAt());
            case USER_CODE -> new OAuth2UserCode(value, t.getIssuedAt(), t.getExpiresAt());
            case STATE -> t;
        };
        Map<String, Object> metadata = held.getMetadata();
        return OAuth2Authorization.from(a)
                .token(real, md -> md.putAll(metadata))
                .build();
    }

    /** A self-contained access token: verified by signature, then its grant (if any) must be live. */
    private OAuth2Authorization byAccessToken(String token) {
        if (token.chars().filter(c -> c == '.').count() != 2) {
            return null;
        }
        Optional<JWTClaimsSet> verified = keys.verify(token, Set.of(TokenKeys.Algorithm.ES256));
        if (verified.isEmpty()) {
            return null;
        }
        JWTClaimsSet claims = verified.get();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        String jti = claims.getJWTID();
        Object clientId = claims.getClaim("client_id");
        if (exp == null || iat == null || jti == null || !(clientId instanceof String client)) {
            return null;
        }
        if (!exp.toInstant().isAfter(clock.instant()) || revoked(jti)) {
            return null;
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (claims.getClaim("scope") instanceof String s && !s.isBlank()) {
            scopes.addAll(List.of(s.trim().split("\\s+")));
        }
        Map<String, Object> springClaims = springClaims(claims);
        OAuth2AccessToken access = new OAuth2AccessToken(
                OAuth2AccessToken.TokenType.BEARER, token, iat.toInstant(), exp.toInstant(), scopes);
        int dot = jti.indexOf('.');
        if (dot < 0) {
            RegisteredClient registered = clients.findByClientId(client);
            if (registered == null) {
                return null;
            }
            return OAuth2Authorization.withRegisteredClient(registered)
                    .id("self-contained:" + jti)
                    .principalName(client)
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .authorizedScopes(scopes)
                    .token(access, md -> md.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME, springClaims))
                    .attribute(SELF_CONTAINED, Boolean.TRUE)
                    .build();
        }
        OAuth2Authorization grant = findById(jti.substring(0, dot));
        if (grant == null || !grant.getRegisteredClientId().equals(client) || grant.getAttribute(REVOKED) != null) {
            return null;
        }
        return OAuth2Authorization.from(grant)
                .token(access, md -> {
                    md.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME, springClaims);
                    md.put(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME, false);
                })
                .build();
    }

    private boolean revoked(String jti) {
        return store.jdbc()
                        .sql("SELECT COUNT(*) FROM oauth_revoked_jti WHERE jti = ?")
                        .param(jti)
                        .query(Long.class)
                        .single()
                > 0;
    }

    private static Map<String, Object> springClaims(JWTClaimsSet claims) {
        Map<String, Object> out = new LinkedHashMap<>(claims.toJSONObject());
        if (claims.getAudience() != null) {
            out.put("aud", new ArrayList<>(claims.getAudience()));
        }
        for (String name : List.of("exp", "iat", "nbf", "auth_time")) {
            Object v = claims.getClaim(name);
            if (v instanceof Date d) {
                out.put(name, d.toInstant());
            } else if (v instanceof Number n) {
                out.put(name, Instant.ofEpochSecond(n.longValue()));
            }
        }
        return out;
    }

    /** Reads a stored grant; a revoked one comes back with every token invalidated. */
    private OAuth2Authorization loaded(String id, int version, Object revokedAt, String data) {
        OAuth2Authorization a = open(id, data);
        if (a == null) {
            return null;
        }
        OAuth2Authorization.Builder builder = OAuth2Authorization.from(a).attribute(VERSION, version);
        if (revokedAt != null) {
            builder.attribute(REVOKED, Boolean.TRUE);
            for (Kind kind : Kind.values()) {
                if (kind.tokenClass != null && a.getToken(kind.tokenClass) != null) {
                    OAuth2Token t = a.getToken(kind.tokenClass).getToken();
                    builder.token(t, md -> md.put(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME, true));
                }
            }
            if (a.getAccessToken() != null) {
                builder.token(
                        a.getAccessToken().getToken(),
                        md -> md.put(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME, true));
            }
        }
        return builder.build();
    }

    // ---- families ------------------------------------------------------------------------------

    /**
     * Revokes a token family: the grant and every token issued from it (they stop introspecting as
     * active, stop refreshing, stop reaching userinfo). Returns whether it was live.
     */
    public boolean revokeFamily(String id, String reason, String clientId, String principalName) {
        long now = clock.millis();
        boolean revoked = store.inTransaction(() -> {
            int n = store.jdbc()
                    .sql("UPDATE oauth_authorization SET revoked_at = ?, revoked_reason = ?, version = version + 1"
                            + " WHERE id = ? AND revoked_at IS NULL")
                    .params(now, reason, id)
                    .update();
            store.jdbc()
                    .sql("UPDATE oauth_token SET used_at = ? WHERE authorization_id = ? AND used_at IS NULL"
                            + " AND kind <> 'ID_TOKEN'")
                    .params(now, id)
                    .update();
            return n == 1;
        });
        if (revoked) {
            log.info("OIDC grant {} of client {} revoked: {}", id, clientId, reason);
            audit.append(AuditEvent.of("oidc.grant_revoked", AuditEvent.SUCCESS)
                    .actor(reason.equals("reuse") ? "signet" : principalName)
                    .subject(principalName)
                    .reason(reason)
                    .detail("client", clientId)
                    .detail("grant", id)
                    .build());
        }
        return revoked;
    }

    /** Whether {@code refreshToken} is a refresh token this server issued that has been used (rotated or revoked). */
    Optional<String> usedRefreshFamily(String refreshToken) {
        if (refreshToken == null || refreshToken.length() > 1024) {
            return Optional.empty();
        }
        return store.jdbc()
                .sql("SELECT authorization_id FROM oauth_token WHERE token_hash = ? AND kind = 'REFRESH'"
                        + " AND used_at IS NOT NULL")
                .param(hashOf(refreshToken))
                .query(String.class)
                .optional();
    }

    /** The live grants of a user (not revoked, not expired), newest first. */
    public List<Grant> liveGrants(String userId) {
        return store.jdbc()
                .sql("SELECT id, client_id, scopes, created_at, expires_at, offline FROM oauth_authorization"
                        + " WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC")
                .params(userId, clock.millis())
                .query((rs, n) -> new Grant(
                        rs.getString("id"),
                        rs.getString("client_id"),
                        new LinkedHashSet<>(List.of(rs.getString("scopes").split(" "))),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        Instant.ofEpochMilli(rs.getLong("expires_at")),
                        rs.getInt("offline") == 1))
                .list();
    }

    /** Revokes every live grant of {@code userId} to {@code clientId}; returns how many. */
    public int revokeUserGrants(String userId, String clientId, String reason) {
        List<Map<String, Object>> rows = store.jdbc()
                .sql("SELECT id, principal_name FROM oauth_authorization"
                        + " WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL")
                .params(userId, clientId)
                .query()
                .listOfRows();
        int n = 0;
        for (Map<String, Object> row : rows) {
            if (revokeFamily((String) row.get("id"), reason, clientId, (String) row.get("principal_name"))) {
                n++;
            }
        }
        return n;
    }

    /**
     * Revokes the grants made in a browser session that are not for offline use (the session ended:
     * logout). Returns the clients that had grants in it.
     */
    Set<String> endSession(String sid) {
        Set<String> clientIds = new LinkedHashSet<>();
        if (sid == null) {
            return clientIds;
        }
        List<Map<String, Object>> rows = store.jdbc()
                .sql("SELECT id, client_id, principal_name, offline FROM oauth_authorization"
                        + " WHERE sid = ? AND revoked_at IS NULL")
                .param(sid)
                .query()
                .listOfRows();
        for (Map<String, Object> row : rows) {
            clientIds.add((String) row.get("client_id"));
            if (((Number) row.get("offline")).intValue() == 0) {
                revokeFamily((String) row.get("id"), "logout", (String) row.get("client_id"), (String)
                        row.get("principal_name"));
            }
        }
        return clientIds;
    }

    /** Deletes everything of a deleted client. */
    void clientDeleted(String clientId) {
        store.jdbc()
                .sql("DELETE FROM oauth_authorization WHERE client_id = ?")
                .param(clientId)
                .update();
    }

    /** Removes grants long past their last token, and revoked access token ids past their expiry. */
    int sweep() {
        long now = clock.millis();
        int n = store.jdbc()
                .sql("DELETE FROM oauth_authorization WHERE expires_at < ?")
                .param(now - KEEP_AFTER_EXPIRY.toMillis())
                .update();
        store.jdbc()
                .sql("DELETE FROM oauth_revoked_jti WHERE expires_at < ?")
                .param(now)
                .update();
        return n;
    }

    // ---- storage form --------------------------------------------------------------------------

    static String hashOf(String token) {
        return token.startsWith(PLACEHOLDER) ? token.substring(PLACEHOLDER.length()) : Secure.sha256Hex(token);
    }

    private static String userId(OAuth2Authorization a) {
        Object principal = a.getAttribute(Principal.class.getName());
        if (principal instanceof SignetAuthentication s) {
            return s.getPrincipal().userId();
        }
        return null;
    }

    /** The grant with every token value replaced by its hash, serialised and sealed. */
    private String seal(OAuth2Authorization a) {
        OAuth2Authorization.Builder stripped = OAuth2Authorization.from(a).attributes(attrs -> attrs.remove(VERSION));
        stripped.attributes(attrs -> attrs.remove(REVOKED));
        for (Kind kind : Kind.values()) {
            if (kind.tokenClass == null || a.getToken(kind.tokenClass) == null) {
                continue;
            }
            OAuth2Authorization.Token<? extends OAuth2Token> held = a.getToken(kind.tokenClass);
            OAuth2Token t = held.getToken();
            String placeholder = PLACEHOLDER + hashOf(t.getTokenValue());
            OAuth2Token masked = switch (kind) {
                case CODE -> new OAuth2AuthorizationCode(placeholder, t.getIssuedAt(), t.getExpiresAt());
                case REFRESH -> new OAuth2RefreshToken(placeholder, t.getIssuedAt(), t.getExpiresAt());
                case ID_TOKEN ->
                    new OidcIdToken(placeholder, t.getIssuedAt(), t.getExpiresAt(), ((OidcIdToken) t).getClaims());
                case DEVICE_CODE -> new OAuth2DeviceCode(placeholder, t.getIssuedAt(), t.getExpiresAt());
                case USER_CODE -> new OAuth2UserCode(placeholder, t.getIssuedAt(), t.getExpiresAt());
                case STATE -> t;
            };
            Map<String, Object> metadata = held.getMetadata();
            stripped.token(masked, md -> md.putAll(metadata));
        }
        OAuth2Authorization.Token<OAuth2AccessToken> access = a.getAccessToken();
        if (access != null) {
            OAuth2AccessToken t = access.getToken();
            Object jti = access.getClaims() == null ? null : access.getClaims().get("jti");
            OAuth2AccessToken masked = new OAuth2AccessToken(
                    t.getTokenType(), "jti:" + jti, t.getIssuedAt(), t.getExpiresAt(), t.getScopes());
            Map<String, Object> metadata = access.getMetadata();
            stripped.token(masked, md -> md.putAll(metadata));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(stripped.build());
        } catch (IOException e) {
            throw new UncheckedIOException("an authorization is not serialisable", e);
        }
        return keyRing.seal(ref(a.getId()), bytes.toByteArray());
    }

    private OAuth2Authorization open(String id, String sealed) {
        try {
            byte[] plain = keyRing.open(ref(id), sealed);
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(plain))) {
                in.setObjectInputFilter(FILTER);
                return (OAuth2Authorization) in.readObject();
            }
        } catch (RuntimeException | IOException | ClassNotFoundException e) {
            // Tampered, or written by a version whose classes changed: no grant.
            log.warn(
                    "OIDC grant {} could not be read and is ignored: {}",
                    id,
                    e.getClass().getSimpleName());
            return null;
        }
    }

    private static KeyRing.SecretRef ref(String id) {
        return new KeyRing.SecretRef("oauth_authorization", "data", id);
    }

    /** The principal of a grant, when it is a person's sign-in. */
    static Optional<SignetAuthentication> person(OAuth2Authorization a) {
        Object principal = a.getAttribute(Principal.class.getName());
        return principal instanceof SignetAuthentication s ? Optional.of(s) : Optional.empty();
    }
}

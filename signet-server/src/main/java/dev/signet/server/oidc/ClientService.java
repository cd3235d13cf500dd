package dev.signet.server.oidc;

import dev.signet.core.crypto.Secure;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.Store;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.springframework.dao.DataAccessException;

/**
 * The client registry: the applications, services and devices that get tokens from Signet's
 * authorization server. The HTTP API, the console and the CLI all go through this class, and the
 * authorization server reads clients through {@link #find}.
 *
 * <p><b>Rules.</b> Every create and update is checked as a whole (see {@link ClientException} for the
 * codes): a public client authenticates with {@code none} and uses PKCE; a confidential client with a
 * secret (RFC 6749 §2.3.1) or with {@code private_key_jwt} and a registered JWK Set of public keys
 * (RFC 7523 §2.2); redirect URIs are exact, absolute and without fragment (RFC 9700 §2.1, RFC 8252 §7
 * for native apps); a device never holds a shared secret. A refusal stores nothing.
 *
 * <p><b>Secrets.</b> A secret is {@code sgcs_} and 256 random bits in base64url. It is returned once,
 * by {@link #create} or {@link #rotateSecret}, and stored only as its SHA-256 (a random 256-bit value
 * needs no slow hash, which keeps client authentication fast); {@link #secretMatches} compares in
 * constant time.
 *
 * <p><b>Cache.</b> {@link #find} is on the token endpoint's hot path, so clients are kept in memory
 * for {@link #CACHE_TTL} and dropped at once when this node changes them. Another node sharing the
 * database sees a change within that time.
 *
 * <p>Every change is an audit event with the caller as actor: {@code client.created}, {@code
 * client.updated}, {@code client.enabled}, {@code client.disabled}, {@code client.secret_rotated},
 * {@code client.deleted}.
 */
public final class ClientService {
    /** Client ids: this prefix and 16 random bytes in base64url (22 characters). */
    public static final String ID_PREFIX = "sgc_";
    /** Client secrets: this prefix and 32 random bytes in base64url (43 characters). */
    public static final String SECRET_PREFIX = "sgcs_";
    /** How long a node trusts its cached copy of a client that another node may have changed. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(5);

    /**
     * What a client should be, for {@link #create} and {@link #update} (a whole replacement). {@code
     * null} lists and sets are empty; {@code null} lifetimes and algorithm take the defaults (5
     * minutes, 30 days, ES256).
     */
    public record NewClient(
            String name,
            ClientType type,
            ClientAuth auth,
            String jwks,
            List<String> redirectUris,
            List<String> postLogoutRedirectUris,
            Set<String> grantTypes,
            Set<String> scopes,
            Duration accessTokenTtl,
            Duration refreshTokenTtl,
            String idTokenAlgorithm,
            boolean consent,
            boolean requireMfa,
            String backchannelLogoutUri) {

        /** This request as it would describe {@code client} now (to change one field of it). */
        public static NewClient of(OidcClient client) {
            return new NewClient(
                    client.name(),
                    client.type(),
                    client.auth(),
                    client.jwks(),
                    client.redirectUris(),
                    client.postLogoutRedirectUris(),
                    client.grantTypes(),
                    client.scopes(),
                    client.accessTokenTtl(),
                    client.refreshTokenTtl(),
                    client.idTokenAlgorithm(),
                    client.consent(),
                    client.requireMfa(),
                    client.backchannelLogoutUri());
        }
    }

    /** A client with its new secret in clear text: show it once, keep nothing. {@code secret} is null without one. */
    public record Created(OidcClient client, String secret) {
        @Override
        public String toString() {
            return "Created[" + client.clientId() + ", secret=" + (secret == null ? "none" : "redacted") + "]";
        }
    }

    private record Cached(OidcClient client, Instant freshUntil) {}

    private static final String SELECT = "SELECT * FROM oauth_client";

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration cacheTtl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Bumped by every change on this node, so a read that raced a change does not cache what it read. */
    private final AtomicLong generation = new AtomicLong();

    private final List<Consumer<String>> deleteListeners = new CopyOnWriteArrayList<>();

    public ClientService(Store store, AuditLog audit, Clock clock) {
        this(store, audit, clock, CACHE_TTL);
    }

    public ClientService(Store store, AuditLog audit, Clock clock, Duration cacheTtl) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
    }

    /**
     * Registers a client. A client that authenticates with a secret gets one now, returned only here.
     *
     * @throws ClientException a rule's code; {@code client.taken} when the name is in use
     */
    public Created create(NewClient request, String actor) {
        Checked c = check(request);
        String id = ID_PREFIX + Secure.randomToken(16);
        String secret = c.auth().usesSecret() ? newSecret() : null;
        Instant now = clock.instant();
        OidcClient client = c.client(id, secret == null ? null : hash(secret), true, now, now);
        try {
            store.inTransaction(() -> {
                store.jdbc()
                        .sql("INSERT INTO oauth_client (client_id, name, name_key, client_type, auth_method,"
                                + " secret_hash, jwks, redirect_uris, post_logout_redirect_uris, grant_types, scopes,"
                                + " access_token_ttl, refresh_token_ttl, id_token_alg, consent, require_mfa,"
                                + " backchannel_logout_uri, enabled, created_at, created_by, updated_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .params(row(
                                List.of(id),
                                client,
                                List.of(flag(true), now.toEpochMilli(), actor, now.toEpochMilli())))
                        .update();
                audit.append(described(AuditEvent.of("client.created", AuditEvent.SUCCESS), client, actor)
                        .build());
            });
        } catch (DataAccessException e) {
            throw taken(e, client.name());
        }
        changed(id);
        return new Created(client, secret);
    }

    /**
     * Registers a client under a fixed id (Signet's own, such as {@link CliClient#ID}) unless a client
     * with that id or name exists already: what an administrator changed is kept. Checked like any
     * other client; audited as {@code client.created} by {@code actor} when it is created.
     *
     * @return whether it was created now
     */
    public boolean registerBuiltIn(String clientId, NewClient request, String actor) {
        Checked c = check(request);
        Instant now = clock.instant();
        OidcClient client = c.client(clientId, null, true, now, now);
        boolean created = store.inTransaction(() -> {
            // no conflict target: a clash on the id or on the name both leave the existing client alone
            int rows = store.jdbc()
                    .sql("INSERT INTO oauth_client (client_id, name, name_key, client_type, auth_method,"
                            + " secret_hash, jwks, redirect_uris, post_logout_redirect_uris, grant_types, scopes,"
                            + " access_token_ttl, refresh_token_ttl, id_token_alg, consent, require_mfa,"
                            + " backchannel_logout_uri, enabled, created_at, created_by, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING")
                    .params(
                            clientId,
                            client.name(),
                            nameKey(client.name()),
                            client.type().name(),
                            client.auth().name(),
                            lines(client.redirectUris()),
                            lines(client.postLogoutRedirectUris()),
                            String.join(" ", client.grantTypes()),
                            String.join(" ", client.scopes()),
                            client.accessTokenTtl().toSeconds(),
                            client.refreshTokenTtl().toSeconds(),
                            client.idTokenAlgorithm(),
                            flag(client.consent()),
                            flag(client.requireMfa()),
                            client.backchannelLogoutUri(),
                            flag(true),
                            now.toEpochMilli(),
                            actor,
                            now.toEpochMilli())
                    .update();
            if (rows == 1) {
                audit.append(described(AuditEvent.of("client.created", AuditEvent.SUCCESS), client, actor)
                        .detail("built_in", "true")
                        .build());
            }
            return rows == 1;
        });
        changed(clientId);
        return created;
    }

    /** The client with that id, if any; answered from memory when it was read recently. */
    public Optional<OidcClient> find(String clientId) {
        if (clientId == null || clientId.isEmpty() || clientId.length() > 40) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Cached cached = cache.get(clientId);
        if (cached != null && now.isBefore(cached.freshUntil())) {
            return Optional.of(cached.client());
        }
        long seen = generation.get();
        Optional<OidcClient> loaded = load(clientId);
        if (loaded.isEmpty()) {
            // Unknown ids are not remembered: anyone can send any number of them.
            cache.remove(clientId);
            return loaded;
        }
        Cached fresh = new Cached(loaded.get(), now.plus(cacheTtl));
        cache.put(clientId, fresh);
        if (generation.get() != seen) {
            // A change on this node may have committed after the read: do not keep what was read.
            cache.remove(clientId, fresh);
        }
        return loaded;
    }

    /**
     * The client with that id.
     *
     * @throws ClientException {@code client.not_found}
     */
    public OidcClient get(String clientId) {
        return find(clientId).orElseThrow(ClientService::notFound);
    }

    /** Every client, by name. */
    public List<OidcClient> list() {
        return store.jdbc()
                .sql(SELECT + " ORDER BY name_key")
                .query(ClientService::client)
                .list();
    }

    /**
     * Replaces what the client is with {@code request}, checked like a new one. Its id and secret stay;
     * a client that stops authenticating with a secret loses it, and one that starts has none until
     * {@link #rotateSecret} issues one.
     *
     * @throws ClientException {@code client.not_found}, {@code client.taken}, or a rule's code
     */
    public OidcClient update(String clientId, NewClient request, String actor) {
        Checked c = check(request);
        Instant now = clock.instant();
        OidcClient updated;
        try {
            updated = store.inTransaction(() -> {
                OidcClient before = loadForUpdate(clientId);
                String secretHash = c.auth().usesSecret() ? before.secretHash() : null;
                OidcClient after = c.client(clientId, secretHash, before.enabled(), before.createdAt(), now);
                store.jdbc()
                        .sql("UPDATE oauth_client SET name = ?, name_key = ?, client_type = ?, auth_method = ?,"
                                + " secret_hash = ?, jwks = ?, redirect_uris = ?, post_logout_redirect_uris = ?,"
                                + " grant_types = ?, scopes = ?, access_token_ttl = ?, refresh_token_ttl = ?,"
                                + " id_token_alg = ?, consent = ?, require_mfa = ?, backchannel_logout_uri = ?,"
                                + " updated_at = ? WHERE client_id = ?")
                        .params(row(List.of(), after, List.of(now.toEpochMilli(), clientId)))
                        .update();
                AuditEvent.Builder event = described(AuditEvent.of("client.updated", AuditEvent.SUCCESS), after, actor);
                if (before.hasSecret() && !after.hasSecret()) {
                    event.detail("secret", "removed");
                }
                if (!Objects.equals(before.jwks(), after.jwks())) {
                    event.detail("jwks", after.jwks() == null ? "removed" : "changed");
                }
                audit.append(event.build());
                return after;
            });
        } catch (DataAccessException e) {
            throw taken(e, c.name());
        } finally {
            changed(clientId);
        }
        return updated;
    }

    /**
     * Turns a client on or off. A disabled client is refused by the authorization server; its
     * registration and grants stay.
     *
     * @throws ClientException {@code client.not_found}
     */
    public OidcClient setEnabled(String clientId, boolean enabled, String actor) {
        Instant now = clock.instant();
        try {
            return store.inTransaction(() -> {
                OidcClient before = loadForUpdate(clientId);
                store.jdbc()
                        .sql("UPDATE oauth_client SET enabled = ?, updated_at = ? WHERE client_id = ?")
                        .params(flag(enabled), now.toEpochMilli(), clientId)
                        .update();
                audit.append(AuditEvent.of(enabled ? "client.enabled" : "client.disabled", AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(clientId)
                        .detail("name", before.name())
                        .build());
                return load(clientId).orElseThrow(ClientService::notFound);
            });
        } finally {
            changed(clientId);
        }
    }

    /**
     * Deletes a client. The listeners registered with {@link #onDelete} run in the same transaction
     * (they end its grants and tokens); if one throws, nothing is deleted.
     *
     * @throws ClientException {@code client.not_found}
     */
    public void delete(String clientId, String actor) {
        try {
            store.inTransaction(() -> {
                OidcClient before = loadForUpdate(clientId);
                store.jdbc()
                        .sql("DELETE FROM oauth_client WHERE client_id = ?")
                        .param(clientId)
                        .update();
                for (Consumer<String> listener : deleteListeners) {
                    listener.accept(clientId);
                }
                audit.append(AuditEvent.of("client.deleted", AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(clientId)
                        .detail("name", before.name())
                        .build());
            });
        } finally {
            changed(clientId);
        }
    }

    /**
     * Issues a new secret; the old one stops working at once.
     *
     * @throws ClientException {@code client.not_found}; {@code client.no_secret} when the client does
     *     not authenticate with a secret
     */
    public Created rotateSecret(String clientId, String actor) {
        String secret = newSecret();
        Instant now = clock.instant();
        try {
            OidcClient after = store.inTransaction(() -> {
                OidcClient before = loadForUpdate(clientId);
                if (!before.auth().usesSecret()) {
                    throw new ClientException(
                            ClientException.NO_SECRET,
                            "this client authenticates with " + before.auth().id() + ", not with a secret");
                }
                store.jdbc()
                        .sql("UPDATE oauth_client SET secret_hash = ?, updated_at = ? WHERE client_id = ?")
                        .params(hash(secret), now.toEpochMilli(), clientId)
                        .update();
                audit.append(AuditEvent.of("client.secret_rotated", AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(clientId)
                        .detail("name", before.name())
                        .detail("first", before.hasSecret() ? "false" : "true")
                        .build());
                return load(clientId).orElseThrow(ClientService::notFound);
            });
            return new Created(after, secret);
        } finally {
            changed(clientId);
        }
    }

    /**
     * Whether {@code presented} is the client's secret, compared in constant time; false when the
     * client has no secret or does not authenticate with one.
     */
    public boolean secretMatches(OidcClient client, String presented) {
        if (client == null
                || presented == null
                || client.secretHash() == null
                || !client.auth().usesSecret()) {
            return false;
        }
        return Secure.constantTimeEquals(
                hash(presented).getBytes(StandardCharsets.US_ASCII),
                client.secretHash().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Registers {@code listener} to be called with a client's id inside the transaction that deletes
     * it, to delete what hangs off the client (authorizations, consents, tokens).
     */
    public void onDelete(Consumer<String> listener) {
        deleteListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---------------------------------------------------------------------------------------------

    /** A request that passed every rule, normalised. */
    private record Checked(
            String name,
            ClientType type,
            ClientAuth auth,
            String jwks,
            List<String> redirectUris,
            List<String> postLogoutRedirectUris,
            Set<String> grantTypes,
            Set<String> scopes,
            Duration accessTokenTtl,
            Duration refreshTokenTtl,
            String idTokenAlgorithm,
            boolean consent,
            boolean requireMfa,
            String backchannelLogoutUri) {
        OidcClient client(String id, String secretHash, boolean enabled, Instant created, Instant updated) {
            return new OidcClient(
                    id,
                    name,
                    type,
                    auth,
                    secretHash,
                    jwks,
                    redirectUris,
                    postLogoutRedirectUris,
                    grantTypes,
                    scopes,
                    accessTokenTtl,
                    refreshTokenTtl,
                    idTokenAlgorithm,
                    consent,
                    requireMfa,
                    backchannelLogoutUri,
                    enabled,
                    created,
                    updated);
        }
    }

    private static Checked check(NewClient r) {
        Objects.requireNonNull(r, "request");
        String name = ClientRules.name(r.name());
        ClientRules.auth(r.type(), r.auth());
        String jwks = ClientRules.jwks(r.auth(), r.jwks());
        Set<String> grants = ClientRules.grants(r.grantTypes(), r.type(), r.auth());
        List<String> redirects =
                ClientRules.redirectUris(r.redirectUris(), "redirect", ClientException.REDIRECT_URI_INVALID);
        List<String> logoutRedirects = ClientRules.redirectUris(
                r.postLogoutRedirectUris(), "post-logout redirect", ClientException.REDIRECT_URI_INVALID);
        boolean signsPeopleIn = grants.contains(OidcClient.AUTHORIZATION_CODE);
        if (signsPeopleIn && redirects.isEmpty()) {
            throw new ClientException(
                    ClientException.REDIRECT_URI_MISSING,
                    "the authorization_code grant needs at least one redirect URI");
        }
        if (!signsPeopleIn && (!redirects.isEmpty() || !logoutRedirects.isEmpty())) {
            throw new ClientException(
                    ClientException.REDIRECT_URI_UNEXPECTED,
                    "redirect URIs are only used by the authorization_code grant, which this client does not have");
        }
        Set<String> scopes = ClientRules.scopes(r.scopes());
        Duration access = ClientRules.accessTtl(r.accessTokenTtl());
        Duration refresh = ClientRules.refreshTtl(r.refreshTokenTtl(), access);
        String alg = ClientRules.idTokenAlgorithm(r.idTokenAlgorithm());
        String logout = ClientRules.logoutUri(r.backchannelLogoutUri());
        return new Checked(
                name,
                r.type(),
                r.auth(),
                jwks,
                redirects,
                logoutRedirects,
                grants,
                scopes,
                access,
                refresh,
                alg,
                r.consent(),
                r.requireMfa(),
                logout);
    }

    private AuditEvent.Builder described(AuditEvent.Builder event, OidcClient c, String actor) {
        return event.actor(actor)
                .subject(c.clientId())
                .detail("name", c.name())
                .detail("type", c.type().id())
                .detail("auth", c.auth().id())
                .detail("grants", String.join(" ", c.grantTypes()))
                .detail("scopes", String.join(" ", c.scopes()))
                .detail("redirect_uris", String.join(" ", c.redirectUris()))
                .detail("require_mfa", String.valueOf(c.requireMfa()))
                .detail("consent", String.valueOf(c.consent()));
    }

    /** Reads the row inside a transaction that will change it; PostgreSQL locks it until commit. */
    private OidcClient loadForUpdate(String clientId) {
        String lock = store.dialect() == Store.Dialect.POSTGRES ? " FOR UPDATE" : "";
        return store.jdbc()
                .sql(SELECT + " WHERE client_id = ?" + lock)
                .param(clientId)
                .query(ClientService::client)
                .optional()
                .orElseThrow(ClientService::notFound);
    }

    private Optional<OidcClient> load(String clientId) {
        return store.jdbc()
                .sql(SELECT + " WHERE client_id = ?")
                .param(clientId)
                .query(ClientService::client)
                .optional();
    }

    private void changed(String clientId) {
        generation.incrementAndGet();
        cache.remove(clientId);
    }

    private ClientException taken(DataAccessException e, String name) {
        if (UserRepository.isUniqueViolation(e)) {
            return new ClientException(ClientException.TAKEN, "a client named " + name + " exists already");
        }
        throw e;
    }

    private static ClientException notFound() {
        return new ClientException(ClientException.NOT_FOUND, "no such client");
    }

    private static String newSecret() {
        return SECRET_PREFIX + Secure.randomToken(32);
    }

    /** Base64url (unpadded) SHA-256 of the secret's UTF-8 bytes. */
    static String hash(String secret) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Secure.sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    private static String nameKey(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    private static String lines(List<String> uris) {
        return String.join("\n", uris);
    }

    private static List<String> unlines(String text) {
        return text == null || text.isEmpty()
                ? List.of()
                : Arrays.stream(text.split("\n")).filter(s -> !s.isEmpty()).toList();
    }

    private static Set<String> words(String text) {
        return text == null || text.isBlank()
                ? Set.of()
                : new LinkedHashSet<>(Arrays.asList(text.strip().split(" +")));
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }

    private static OidcClient client(ResultSet rs, int row) throws SQLException {
        return new OidcClient(
                rs.getString("client_id"),
                rs.getString("name"),
                ClientType.valueOf(rs.getString("client_type")),
                ClientAuth.valueOf(rs.getString("auth_method")),
                rs.getString("secret_hash"),
                rs.getString("jwks"),
                unlines(rs.getString("redirect_uris")),
                unlines(rs.getString("post_logout_redirect_uris")),
                words(rs.getString("grant_types")),
                words(rs.getString("scopes")),
                Duration.ofSeconds(rs.getLong("access_token_ttl")),
                Duration.ofSeconds(rs.getLong("refresh_token_ttl")),
                rs.getString("id_token_alg"),
                rs.getInt("consent") != 0,
                rs.getInt("require_mfa") != 0,
                rs.getString("backchannel_logout_uri"),
                rs.getInt("enabled") != 0,
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    /**
     * The statement parameters for a client's settings columns, {@code name} through {@code
     * backchannel_logout_uri} in the order INSERT and UPDATE both name them, between {@code before}
     * and {@code after}. Nullable values (secret hash, JWKS, logout URI) may be null, so not List.of.
     */
    private static List<Object> row(List<?> before, OidcClient c, List<?> after) {
        List<Object> values = new java.util.ArrayList<Object>(before);
        values.addAll(java.util.Arrays.asList(
                c.name(),
                nameKey(c.name()),
                c.type().name(),
                c.auth().name(),
                c.secretHash(),
                c.jwks(),
                lines(c.redirectUris()),
                lines(c.postLogoutRedirectUris()),
                String.join(" ", c.grantTypes()),
                String.join(" ", c.scopes()),
                c.accessTokenTtl().toSeconds(),
                c.refreshTokenTtl().toSeconds(),
                c.idTokenAlgorithm(),
                flag(c.consent()),
                flag(c.requireMfa()),
                c.backchannelLogoutUri()));
        values.addAll(after);
        return values;
    }
}

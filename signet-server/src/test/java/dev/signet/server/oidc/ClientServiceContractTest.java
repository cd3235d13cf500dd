package dev.signet.server.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.oidc.ClientService.Created;
import dev.signet.server.oidc.ClientService.NewClient;
import dev.signet.server.store.Store;
import dev.signet.server.store.Vault;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client registry against a real database, run unchanged on SQLite and on a real PostgreSQL
 * (the two subclasses): the rules and their codes (a refusal stores nothing and audits nothing),
 * secrets shown once and stored hashed, the cache and its invalidation, delete listeners in the
 * deleting transaction, and name uniqueness decided by the database under concurrency.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientServiceContractTest {
    static final String ADMIN = "admin";

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    Vault.Opened vault;
    AuditLog audit;
    ClientService clients;

    abstract TestDatabases.Kind kind();

    /** One database for the class (opening one per test costs more than the tests); each test starts with no clients. */
    @BeforeAll
    void open(@TempDir Path dataDir) {
        vault = Vault.open(
                TestDatabases.settings(kind(), dataDir),
                clock,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        audit = new AuditLog(store(), vault.keyRing(), clock);
    }

    @BeforeEach
    void fresh() {
        store().jdbc().sql("DELETE FROM oauth_client").update();
        clients = new ClientService(store(), audit, clock);
    }

    @AfterAll
    void close() {
        if (vault != null) {
            vault.close();
        }
    }

    Store store() {
        return vault.store();
    }

    static NewClient webApp(String name) {
        return new NewClient(
                name,
                ClientType.CONFIDENTIAL,
                ClientAuth.CLIENT_SECRET_BASIC,
                null,
                List.of("https://app.example.com/callback"),
                List.of("https://app.example.com/"),
                Set.of(OidcClient.AUTHORIZATION_CODE, OidcClient.REFRESH_TOKEN),
                Set.of("openid", "profile", "email", "offline_access"),
                null,
                null,
                null,
                true,
                false,
                null);
    }

    static NewClient spa(String name) {
        return new NewClient(
                name,
                ClientType.PUBLIC,
                ClientAuth.NONE,
                null,
                List.of("https://spa.example.com/cb", "http://127.0.0.1/cb", "com.example.app:/oauth2redirect"),
                List.of(),
                Set.of(OidcClient.AUTHORIZATION_CODE),
                Set.of("openid"),
                Duration.ofMinutes(10),
                Duration.ofHours(8),
                "EdDSA",
                true,
                true,
                null);
    }

    static NewClient service(String name, String jwks) {
        return new NewClient(
                name,
                ClientType.CONFIDENTIAL,
                ClientAuth.PRIVATE_KEY_JWT,
                jwks,
                null,
                null,
                Set.of(OidcClient.CLIENT_CREDENTIALS, OidcClient.DEVICE_CODE),
                Set.of("inventory:read"),
                null,
                null,
                "RS256",
                false,
                false,
                "https://svc.example.com/logout");
    }

    static NewClient with(NewClient base, UnaryOperator<Builder> change) {
        return change.apply(new Builder(base)).build();
    }

    /** A mutable copy of a request, to change one field in a test. */
    static final class Builder {
        String name;
        ClientType type;
        ClientAuth auth;
        String jwks;
        List<String> redirectUris;
        List<String> postLogout;
        Set<String> grants;
        Set<String> scopes;
        Duration access;
        Duration refresh;
        String alg;
        boolean consent;
        boolean mfa;
        String logout;

        Builder(NewClient c) {
            name = c.name();
            type = c.type();
            auth = c.auth();
            jwks = c.jwks();
            redirectUris = c.redirectUris();
            postLogout = c.postLogoutRedirectUris();
            grants = c.grantTypes();
            scopes = c.scopes();
            access = c.accessTokenTtl();
            refresh = c.refreshTokenTtl();
            alg = c.idTokenAlgorithm();
            consent = c.consent();
            mfa = c.requireMfa();
            logout = c.backchannelLogoutUri();
        }

        Builder type(ClientType t, ClientAuth a) {
            type = t;
            auth = a;
            return this;
        }

        Builder jwks(String j) {
            jwks = j;
            return this;
        }

        Builder redirects(String... uris) {
            redirectUris = List.of(uris);
            return this;
        }

        Builder grants(String... g) {
            grants = Set.of(g);
            return this;
        }

        Builder scopes(String... s) {
            scopes = Set.of(s);
            return this;
        }

        Builder ttl(Duration a, Duration r) {
            access = a;
            refresh = r;
            return this;
        }

        Builder alg(String a) {
            alg = a;
            return this;
        }

        Builder logout(String l) {
            logout = l;
            return this;
        }

        Builder name(String n) {
            name = n;
            return this;
        }

        NewClient build() {
            return new NewClient(
                    name,
                    type,
                    auth,
                    jwks,
                    redirectUris,
                    postLogout,
                    grants,
                    scopes,
                    access,
                    refresh,
                    alg,
                    consent,
                    mfa,
                    logout);
        }
    }

    static String publicJwks() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256)
                .keyID("k1")
                .keyUse(KeyUse.SIGNATURE)
                .generate();
        return new JWKSet(ec.toPublicJWK()).toString();
    }

    /** A public OKP JWK (RFC 8037 §2) of a key made by the JDK. */
    static JWK okp(String algorithm, Curve curve, String kid) throws Exception {
        byte[] spki = KeyPairGenerator.getInstance(algorithm)
                .generateKeyPair()
                .getPublic()
                .getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        return new OctetKeyPair.Builder(curve, Base64URL.encode(raw)).keyID(kid).build();
    }

    static JWK secp256k1() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec("secp256k1"));
        return new ECKey.Builder(
                        Curve.SECP256K1, (ECPublicKey) g.generateKeyPair().getPublic())
                .build();
    }

    /** Asserts that {@code request} is refused with {@code code} and that nothing was stored or audited. */
    void refused(NewClient request, String code) {
        int before = clients.list().size();
        long events = audit.size();
        assertThatThrownBy(() -> clients.create(request, ADMIN))
                .isInstanceOf(ClientException.class)
                .hasFieldOrPropertyWithValue("code", code);
        assertThat(clients.list()).hasSize(before);
        assertThat(audit.size()).isEqualTo(events);
    }

    // ---- creation -------------------------------------------------------------------------------

    @Test
    void createWhenConfidentialThenSecretIsShownOnceAndStoredOnlyHashed() {
        Created created = clients.create(webApp("Wiki"), ADMIN);
        OidcClient c = created.client();

        assertThat(c.clientId()).matches("sgc_[A-Za-z0-9_-]{22}");
        assertThat(created.secret()).matches("sgcs_[A-Za-z0-9_-]{43}");
        assertThat(created.toString()).doesNotContain(created.secret());
        assertThat(c.grantTypes()).containsExactly(OidcClient.AUTHORIZATION_CODE, OidcClient.REFRESH_TOKEN);
        assertThat(c.accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.refreshTokenTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(c.idTokenAlgorithm()).isEqualTo("ES256");
        assertThat(c.enabled()).isTrue();
        assertThat(c.createdAt()).isEqualTo(clock.instant());

        OidcClient found = clients.find(c.clientId()).orElseThrow();
        assertThat(found).isEqualTo(c);
        assertThat(clients.secretMatches(found, created.secret())).isTrue();
        assertThat(clients.secretMatches(found, created.secret() + "x")).isFalse();
        assertThat(clients.secretMatches(found, "")).isFalse();
        assertThat(clients.secretMatches(found, null)).isFalse();

        String row = store().jdbc()
                .sql("SELECT * FROM oauth_client WHERE client_id = ?")
                .param(c.clientId())
                .query()
                .singleRow()
                .toString();
        assertThat(row)
                .doesNotContain(created.secret())
                .doesNotContain(created.secret().substring(5));
        assertThat(found.secretHash()).hasSize(43).isNotEqualTo(created.secret());

        AuditRecord event = audit.recent(1, null).getFirst();
        assertThat(event.type()).isEqualTo("client.created");
        assertThat(event.actor()).isEqualTo(ADMIN);
        assertThat(event.subject()).isEqualTo(c.clientId());
        assertThat(event.details()).contains("Wiki").doesNotContain(created.secret());
    }

    @Test
    void createWhenPublicThenNoSecretAndEverythingStoredAsGiven() {
        Created created = clients.create(spa("Single page"), ADMIN);
        OidcClient c = clients.find(created.client().clientId()).orElseThrow();
        assertThat(created.secret()).isNull();
        assertThat(c.hasSecret()).isFalse();
        assertThat(c.redirectUris())
                .containsExactly(
                        "https://spa.example.com/cb", "http://127.0.0.1/cb", "com.example.app:/oauth2redirect");
        assertThat(c.accessTokenTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.refreshTokenTtl()).isEqualTo(Duration.ofHours(8));
        assertThat(c.idTokenAlgorithm()).isEqualTo("EdDSA");
        assertThat(c.requireMfa()).isTrue();
        assertThat(clients.secretMatches(c, "anything")).isFalse();
    }

    @Test
    void createWhenPrivateKeyJwtThenPublicKeysAreStoredAndNoSecret() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r").generate();
        String jwks = new JWKSet(List.of(rsa.toPublicJWK(), okp("Ed25519", Curve.Ed25519, "e"))).toString();
        Created created = clients.create(service("Inventory sync", jwks), ADMIN);
        assertThat(created.secret()).isNull();
        OidcClient c = clients.find(created.client().clientId()).orElseThrow();
        JWKSet stored = JWKSet.parse(c.jwks());
        assertThat(stored.getKeys()).hasSize(2);
        assertThat(stored.getKeyByKeyId("r").toRSAKey().toRSAPublicKey()).isEqualTo(rsa.toRSAPublicKey());
        assertThat(stored.getKeys()).noneMatch(k -> k.isPrivate());
        assertThat(c.backchannelLogoutUri()).isEqualTo("https://svc.example.com/logout");
        assertThat(c.grantTypes()).containsExactly(OidcClient.CLIENT_CREDENTIALS, OidcClient.DEVICE_CODE);
    }

    @Test
    void createWhenAuthDoesNotFitTypeThenAuthInvalid() {
        for (ClientAuth auth : List.of(ClientAuth.CLIENT_SECRET_BASIC, ClientAuth.CLIENT_SECRET_POST)) {
            refused(with(spa("x"), b -> b.type(ClientType.PUBLIC, auth)), ClientException.AUTH_INVALID);
        }
        refused(
                with(spa("x"), b -> b.type(ClientType.PUBLIC, ClientAuth.PRIVATE_KEY_JWT)),
                ClientException.AUTH_INVALID);
        refused(with(webApp("x"), b -> b.type(ClientType.CONFIDENTIAL, ClientAuth.NONE)), ClientException.AUTH_INVALID);
        refused(with(webApp("x"), b -> b.type(null, ClientAuth.NONE)), ClientException.TYPE_UNKNOWN);
        refused(with(webApp("x"), b -> b.type(ClientType.CONFIDENTIAL, null)), ClientException.AUTH_UNKNOWN);
    }

    @Test
    void createWhenJwksIsNotPublicSigningKeysThenJwksInvalid() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        List<String> bad = List.of(
                "",
                "not json",
                "{\"keys\": []}",
                "{\"kty\": \"EC\"}",
                new JWKSet(ec).toString(false), // the private key
                new JWKSet(new OctetSequenceKeyGenerator(256).generate()).toString(false), // a shared key
                new JWKSet(new RSAKeyGenerator(1024, true).generate().toPublicJWK()).toString(),
                new JWKSet(secp256k1()).toString(),
                new JWKSet(okp("X25519", Curve.X25519, "x")).toString(),
                new JWKSet(new ECKeyGenerator(Curve.P_256)
                                .keyUse(KeyUse.ENCRYPTION)
                                .generate()
                                .toPublicJWK())
                        .toString(),
                new JWKSet(List.of(
                                new ECKeyGenerator(Curve.P_256)
                                        .keyID("same")
                                        .generate()
                                        .toPublicJWK(),
                                new ECKeyGenerator(Curve.P_256)
                                        .keyID("same")
                                        .generate()
                                        .toPublicJWK()))
                        .toString(),
                "{\"keys\":[" + "x".repeat(20_000) + "]}");
        for (String jwks : bad) {
            refused(service("svc", jwks), ClientException.JWKS_INVALID);
        }
        refused(service("svc", null), ClientException.JWKS_INVALID);
        String jwks = publicJwks();
        refused(with(webApp("web"), b -> b.jwks(jwks)), ClientException.JWKS_UNEXPECTED);
    }

    @Test
    void createWhenRedirectUriIsNotExactAbsoluteAndSafeThenRedirectUriInvalid() {
        List<String> bad = List.of(
                "http://app.example.com/cb",
                "https://app.example.com/cb#fragment",
                "https://app.example.com/cb#",
                "/callback",
                "app.example.com/callback",
                "https://*.example.com/cb",
                "https://app.example.com/*",
                "http://localhost:8080/cb",
                "http://127.0.0.2/cb",
                "https://user:pw@app.example.com/cb",
                "javascript:alert(1)",
                "data:text/html,hi",
                "file:///etc/passwd",
                "myapp:/cb",
                "HTTPS://app.example.com/cb",
                "https://app.example.com/a b",
                "https:///cb",
                "",
                "https://app.example.com/" + "a".repeat(2000));
        for (String uri : bad) {
            refused(with(webApp("web"), b -> b.redirects(uri)), ClientException.REDIRECT_URI_INVALID);
        }
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add("https://app.example.com/cb" + i);
        }
        refused(
                with(webApp("web"), b -> b.redirects(many.toArray(String[]::new))),
                ClientException.REDIRECT_URI_INVALID);
        refused(with(webApp("web"), b -> b.redirects()), ClientException.REDIRECT_URI_MISSING);
        refused(
                with(
                        service("svc", null),
                        b -> b.type(ClientType.CONFIDENTIAL, ClientAuth.CLIENT_SECRET_BASIC)
                                .grants(OidcClient.CLIENT_CREDENTIALS)
                                .redirects("https://svc.example.com/cb")),
                ClientException.REDIRECT_URI_UNEXPECTED);
    }

    @Test
    void createWhenGrantsAreUnknownOrDoNotFitThenRefused() throws Exception {
        refused(with(webApp("web"), b -> b.grants("implicit")), ClientException.GRANT_UNKNOWN);
        refused(with(webApp("web"), b -> b.grants("password")), ClientException.GRANT_UNKNOWN);
        refused(with(webApp("web"), b -> b.grants()), ClientException.GRANT_MISSING);
        refused(
                with(spa("spa"), b -> b.grants(OidcClient.AUTHORIZATION_CODE, OidcClient.CLIENT_CREDENTIALS)),
                ClientException.GRANT_NOT_ALLOWED);
        refused(
                with(webApp("web"), b -> b.grants(OidcClient.AUTHORIZATION_CODE, OidcClient.DEVICE_CODE)),
                ClientException.GRANT_NOT_ALLOWED);
        String jwks = publicJwks();
        refused(with(service("svc", jwks), b -> b.grants(OidcClient.REFRESH_TOKEN)), ClientException.GRANT_NOT_ALLOWED);
        // a public device client (like Signet's own CLI) is fine
        clients.create(
                with(spa("device"), b -> b.redirects().grants(OidcClient.DEVICE_CODE, OidcClient.REFRESH_TOKEN)),
                ADMIN);
    }

    @Test
    void createWhenOtherFieldsAreOutOfRangeThenRefused() {
        refused(with(webApp(""), b -> b), ClientException.NAME_INVALID);
        refused(with(webApp("a\u0000b"), b -> b), ClientException.NAME_INVALID);
        refused(with(webApp("x".repeat(101)), b -> b), ClientException.NAME_INVALID);
        refused(with(webApp("web"), b -> b.scopes("has space")), ClientException.SCOPE_INVALID);
        refused(with(webApp("web"), b -> b.scopes("quote\"")), ClientException.SCOPE_INVALID);
        refused(with(webApp("web"), b -> b.scopes("")), ClientException.SCOPE_INVALID);
        refused(with(webApp("web"), b -> b.ttl(Duration.ofSeconds(59), null)), ClientException.TTL_INVALID);
        refused(with(webApp("web"), b -> b.ttl(Duration.ofHours(25), null)), ClientException.TTL_INVALID);
        refused(with(webApp("web"), b -> b.ttl(Duration.ofHours(2), Duration.ofHours(1))), ClientException.TTL_INVALID);
        refused(with(webApp("web"), b -> b.ttl(null, Duration.ofDays(400))), ClientException.TTL_INVALID);
        refused(with(webApp("web"), b -> b.alg("HS256")), ClientException.ALGORITHM_UNKNOWN);
        refused(with(webApp("web"), b -> b.alg("none")), ClientException.ALGORITHM_UNKNOWN);
        refused(
                with(webApp("web"), b -> b.logout("http://app.example.com/logout")),
                ClientException.LOGOUT_URI_INVALID);
        refused(with(webApp("web"), b -> b.logout("https://app.example.com/l#x")), ClientException.LOGOUT_URI_INVALID);
    }

    @Test
    void createWhenNameIsTakenInAnyCaseThenTakenAndNothingStored() {
        clients.create(webApp("Wiki"), ADMIN);
        refused(webApp("wIKI"), ClientException.TAKEN);
        assertThat(clients.list()).extracting(OidcClient::name).containsExactly("Wiki");
    }

    @Test
    void createWhenTwoRaceForOneNameThenTheDatabaseLetsOneThrough() throws Exception {
        int racers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Callable<String> call = () -> {
                    start.await();
                    try {
                        clients.create(webApp("Race"), ADMIN);
                        return "created";
                    } catch (ClientException e) {
                        return e.code();
                    }
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get());
            }
            assertThat(outcomes).containsOnlyOnce("created");
            assertThat(outcomes).filteredOn(o -> !o.equals("created")).containsOnly(ClientException.TAKEN);
        } finally {
            pool.shutdownNow();
        }
        assertThat(clients.list()).hasSize(1);
    }

    // ---- changes --------------------------------------------------------------------------------

    @Test
    void updateWhenValidThenReplacesEverythingButIdSecretAndCreation() {
        Created created = clients.create(webApp("Wiki"), ADMIN);
        String id = created.client().clientId();
        clients.find(id); // cached now
        clock.advance(Duration.ofSeconds(1));

        OidcClient updated = clients.update(
                id,
                with(
                        webApp("Wiki 2"),
                        b -> b.redirects("https://wiki.example.com/cb")
                                .scopes("openid")
                                .ttl(Duration.ofMinutes(2), Duration.ofDays(1))),
                ADMIN);

        assertThat(clients.find(id).orElseThrow())
                .as("the change is seen at once on this node")
                .isEqualTo(updated);
        assertThat(updated.name()).isEqualTo("Wiki 2");
        assertThat(updated.redirectUris()).containsExactly("https://wiki.example.com/cb");
        assertThat(updated.accessTokenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(updated.createdAt()).isEqualTo(created.client().createdAt());
        assertThat(updated.updatedAt()).isEqualTo(clock.instant());
        assertThat(clients.secretMatches(updated, created.secret())).isTrue();
        assertThat(audit.recent(1, null).getFirst().type()).isEqualTo("client.updated");
    }

    @Test
    void updateWhenAuthStopsUsingASecretThenTheSecretIsGoneAndComesBackOnlyByRotation() {
        Created created = clients.create(webApp("Wiki"), ADMIN);
        String id = created.client().clientId();

        OidcClient asPublic =
                clients.update(id, with(webApp("Wiki"), b -> b.type(ClientType.PUBLIC, ClientAuth.NONE)), ADMIN);
        assertThat(asPublic.hasSecret()).isFalse();
        assertThat(clients.secretMatches(asPublic, created.secret())).isFalse();

        OidcClient back = clients.update(id, webApp("Wiki"), ADMIN);
        assertThat(back.hasSecret()).as("no secret until one is issued").isFalse();
        assertThat(clients.secretMatches(back, created.secret())).isFalse();
        Created rotated = clients.rotateSecret(id, ADMIN);
        assertThat(clients.secretMatches(clients.get(id), rotated.secret())).isTrue();
    }

    @Test
    void updateWhenRefusedThenNothingChanges() {
        OidcClient a = clients.create(webApp("A"), ADMIN).client();
        clients.create(webApp("B"), ADMIN);
        long events = audit.size();

        assertThatThrownBy(() -> clients.update(a.clientId(), webApp("b"), ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.TAKEN);
        assertThatThrownBy(() -> clients.update(
                        a.clientId(), with(webApp("A"), b -> b.redirects("http://evil.example.com/")), ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.REDIRECT_URI_INVALID);
        assertThatThrownBy(() -> clients.update("sgc_nope", webApp("C"), ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.NOT_FOUND);

        assertThat(clients.get(a.clientId())).isEqualTo(a);
        assertThat(audit.size()).isEqualTo(events);
    }

    @Test
    void rotateSecretWhenConfidentialThenTheOldSecretStopsWorkingAtOnce() {
        Created created = clients.create(webApp("Wiki"), ADMIN);
        String id = created.client().clientId();
        clients.find(id);

        Created rotated = clients.rotateSecret(id, ADMIN);

        assertThat(rotated.secret()).matches("sgcs_[A-Za-z0-9_-]{43}").isNotEqualTo(created.secret());
        OidcClient now = clients.find(id).orElseThrow();
        assertThat(clients.secretMatches(now, rotated.secret())).isTrue();
        assertThat(clients.secretMatches(now, created.secret())).isFalse();
        AuditRecord event = audit.recent(1, null).getFirst();
        assertThat(event.type()).isEqualTo("client.secret_rotated");
        assertThat(event.details()).doesNotContain(rotated.secret());
    }

    @Test
    void rotateSecretWhenTheClientHasNoSecretMethodThenNoSecret() throws Exception {
        String spaId = clients.create(spa("SPA"), ADMIN).client().clientId();
        String svcId =
                clients.create(service("Svc", publicJwks()), ADMIN).client().clientId();
        assertThatThrownBy(() -> clients.rotateSecret(spaId, ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.NO_SECRET);
        assertThatThrownBy(() -> clients.rotateSecret(svcId, ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.NO_SECRET);
        assertThatThrownBy(() -> clients.rotateSecret("sgc_nope", ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.NOT_FOUND);
        assertThat(clients.get(spaId).hasSecret()).isFalse();
    }

    @Test
    void setEnabledWhenDisabledThenFindSaysSoAtOnce() {
        String id = clients.create(webApp("Wiki"), ADMIN).client().clientId();
        clients.find(id);
        clients.setEnabled(id, false, ADMIN);
        assertThat(clients.find(id).orElseThrow().enabled()).isFalse();
        assertThat(audit.recent(1, null).getFirst().type()).isEqualTo("client.disabled");
        clients.setEnabled(id, true, ADMIN);
        assertThat(clients.find(id).orElseThrow().enabled()).isTrue();
    }

    @Test
    void deleteWhenListenersAreRegisteredThenTheyRunInTheDeletingTransaction() {
        String id = clients.create(webApp("Wiki"), ADMIN).client().clientId();
        clients.find(id);
        List<String> seen = new CopyOnWriteArrayList<>();
        clients.onDelete(clientId -> {
            // inside the transaction: the row is already gone for this connection
            long left = store().jdbc()
                    .sql("SELECT COUNT(*) FROM oauth_client WHERE client_id = ?")
                    .param(clientId)
                    .query(Long.class)
                    .single();
            seen.add(clientId + ":" + left);
        });

        clients.delete(id, ADMIN);

        assertThat(seen).containsExactly(id + ":0");
        assertThat(clients.find(id)).isEmpty();
        assertThat(audit.recent(1, null).getFirst().type()).isEqualTo("client.deleted");
        assertThatThrownBy(() -> clients.delete(id, ADMIN))
                .hasFieldOrPropertyWithValue("code", ClientException.NOT_FOUND);
    }

    @Test
    void deleteWhenAListenerFailsThenNothingIsDeleted() {
        String id = clients.create(webApp("Wiki"), ADMIN).client().clientId();
        long events = audit.size();
        clients.onDelete(clientId -> {
            throw new IllegalStateException("cleanup failed");
        });
        assertThatThrownBy(() -> clients.delete(id, ADMIN)).isInstanceOf(IllegalStateException.class);
        assertThat(clients.find(id)).isPresent();
        assertThat(audit.size()).isEqualTo(events);
    }

    // ---- built-in clients -------------------------------------------------------------------------

    @Test
    void registerBuiltInWhenAbsentThenCreatedOnceAndAnAdministratorsChangesStay() {
        assertThat(clients.registerBuiltIn(CliClient.ID, CliClient.definition(), "signet"))
                .isTrue();
        OidcClient cli = clients.get(CliClient.ID);
        assertThat(cli.type()).isEqualTo(ClientType.PUBLIC);
        assertThat(cli.auth()).isEqualTo(ClientAuth.NONE);
        assertThat(cli.grantTypes()).containsExactly(OidcClient.DEVICE_CODE);
        assertThat(cli.scopes()).contains("users:read", "clients:admin", "tokens:write");
        assertThat(cli.hasSecret()).isFalse();
        assertThat(audit.recent(1, "client.created").getFirst().details()).contains("\"built_in\":\"true\"");

        clients.setEnabled(CliClient.ID, false, ADMIN);
        long events = audit.size();
        assertThat(clients.registerBuiltIn(CliClient.ID, CliClient.definition(), "signet"))
                .isFalse();
        assertThat(clients.get(CliClient.ID).enabled())
                .as("the administrator's change stays")
                .isFalse();
        assertThat(audit.size()).isEqualTo(events);

        // a client of another id that took the name is left alone too
        clients.delete(CliClient.ID, ADMIN);
        clients.create(webApp(CliClient.NAME), ADMIN);
        assertThat(clients.registerBuiltIn(CliClient.ID, CliClient.definition(), "signet"))
                .isFalse();
        assertThat(clients.find(CliClient.ID)).isEmpty();
    }

    // ---- cache ----------------------------------------------------------------------------------

    @Test
    void findWhenAnotherNodeChangedTheClientThenTheChangeIsSeenAfterTheCacheLifetime() {
        String id = clients.create(webApp("Wiki"), ADMIN).client().clientId();
        assertThat(clients.find(id).orElseThrow().enabled()).isTrue();

        // another node, sharing the database, disables it
        new ClientService(store(), audit, clock).setEnabled(id, false, "other-node");

        assertThat(clients.find(id).orElseThrow().enabled())
                .as("served from memory within the cache lifetime")
                .isTrue();
        clock.advance(ClientService.CACHE_TTL);
        assertThat(clients.find(id).orElseThrow().enabled()).isFalse();
    }

    @Test
    void findWhenTheIdIsUnknownOrOddThenEmpty() {
        assertThat(clients.find("sgc_unknown")).isEmpty();
        assertThat(clients.find("")).isEmpty();
        assertThat(clients.find(null)).isEmpty();
        assertThat(clients.find("x".repeat(1000))).isEmpty();
        assertThatThrownBy(() -> clients.get("sgc_unknown"))
                .hasFieldOrPropertyWithValue("code", ClientException.NOT_FOUND);
    }

    @Test
    void listWhenSeveralThenByNameCaseInsensitively() throws Exception {
        clients.create(webApp("beta"), ADMIN);
        clients.create(spa("Alpha"), ADMIN);
        clients.create(service("gamma", publicJwks()), ADMIN);
        assertThat(clients.list()).extracting(OidcClient::name).containsExactly("Alpha", "beta", "gamma");
    }
}

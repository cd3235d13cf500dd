package dev.signet.server.oidc;

import static dev.signet.server.oidc.OidcKit.location;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenID Connect provider over HTTP, driven by an independent client library (Nimbus OAuth 2.0
 * SDK with OpenID Connect extensions) against a real server, on SQLite and on PostgreSQL: discovery,
 * JWKS, code with PKCE (the browser part over plain HTTP through the console's sign-in form), client
 * credentials (secret and private_key_jwt), refresh rotation and reuse, code reuse, revocation,
 * introspection, userinfo, the device grant, and bad input answered with the right OAuth error and
 * nothing issued. Every ID token is checked with Nimbus's IDTokenValidator (signature against the
 * JWKS, iss, aud, nonce, exp) and its amr.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OidcProtocolContractTest {
    TestServer server;
    OidcKit kit;
    /** The server's clock: device polls must be {@link DevicePollGuard#INTERVAL} apart. */
    final MutableClock clock = MutableClock.startingNow();

    abstract TestDatabases.Kind kind();

    @BeforeAll
    void start(@TempDir Path dataDir) throws Exception {
        server = TestServer.start(TestDatabases.settings(kind(), dataDir, OidcKit.CHEAP), clock);
        kit = new OidcKit(server);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---- discovery and keys ----------------------------------------------------------------------

    @Test
    void discoveryNamesTheEndpointsAndOnlyTheGrantsSignetOffers() throws Exception {
        var m = kit.metadata;
        String base = server.base().toString();
        assertThat(m.getIssuer().getValue()).isEqualTo(base);
        assertThat(m.getAuthorizationEndpointURI()).hasToString(base + "/oauth2/authorize");
        assertThat(m.getTokenEndpointURI()).hasToString(base + "/oauth2/token");
        assertThat(m.getJWKSetURI()).hasToString(base + "/oauth2/jwks");
        assertThat(m.getUserInfoEndpointURI()).hasToString(base + "/userinfo");
        assertThat(m.getRevocationEndpointURI()).hasToString(base + "/oauth2/revoke");
        assertThat(m.getIntrospectionEndpointURI()).hasToString(base + "/oauth2/introspect");
        assertThat(m.getEndSessionEndpointURI()).hasToString(base + "/connect/logout");
        assertThat(m.getDeviceAuthorizationEndpointURI()).hasToString(base + "/oauth2/device_authorization");
        assertThat(m.getGrantTypes())
                .containsExactlyInAnyOrder(
                        GrantType.AUTHORIZATION_CODE,
                        GrantType.REFRESH_TOKEN,
                        GrantType.CLIENT_CREDENTIALS,
                        GrantType.DEVICE_CODE);
        assertThat(m.getGrantTypes()).doesNotContain(GrantType.IMPLICIT, GrantType.PASSWORD);
        assertThat(m.getCodeChallengeMethods()).extracting(Object::toString).containsExactly("S256");
        assertThat(m.getIDTokenJWSAlgs()).contains(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.EdDSA);
        assertThat(m.getACRs())
                .extracting(Object::toString)
                .containsExactly("urn:signet:acr:pwd", "urn:signet:acr:mfa", "urn:signet:acr:phishing-resistant");
        assertThat(m.supportsBackChannelLogout()).isTrue();
        assertThat(m.supportsBackChannelLogoutSession()).isTrue();
    }

    @Test
    void theJwksPublishesTheEs256KeyAndNoPrivatePart() throws Exception {
        HttpResponse<String> raw = kit.get(OidcKit.browser(), "/oauth2/jwks");
        assertThat(raw.statusCode()).isEqualTo(200);
        JWKSet jwks = JWKSet.parse(raw.body());
        assertThat(jwks.getKeys()).isNotEmpty();
        assertThat(jwks.getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
        assertThat(jwks.getKeys()).anySatisfy(k -> {
            assertThat(k.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
            assertThat(k.getKeyID()).isNotBlank();
        });
        assertThat(raw.body()).doesNotContain("\"d\"");
    }

    // ---- authorization code with PKCE ----------------------------------------------------------

    @Test
    void codeWithPkceSignsThePersonInAndTheIdTokenValidates() throws Exception {
        OidcKit.Client app = kit.webApp();
        User alice = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid profile email", Map.of());
        AuthorizationCode code = kit.signInAndAuthorize(browser, alice, flow);

        OIDCTokenResponse tokens = kit.exchange(flow, code, app.basic());
        IDTokenClaimsSet id =
                kit.validate(tokens.getOIDCTokens().getIDToken(), app.id(), flow.nonce(), JWSAlgorithm.ES256);
        assertThat(id.getSubject().getValue()).isEqualTo(alice.id());
        assertThat(id.getAMR()).extracting(Object::toString).containsExactly("pwd");
        assertThat(id.getACR().getValue()).isEqualTo("urn:signet:acr:pwd");
        assertThat(id.getAuthenticationTime()).isNotNull();
        assertThat(id.getStringClaim("sid")).isNotBlank();
        assertThat(id.getStringClaim("preferred_username")).isEqualTo(alice.username());
        assertThat(id.getStringClaim("email")).isEqualTo(alice.email());
        assertThat(tokens.getOIDCTokens().getRefreshToken()).isNotNull();
        assertThat(kit.bean(AuditLog.class).recent(20, "oidc.token_issued")).anySatisfy(r -> {
            assertThat(r.subject()).isEqualTo(alice.username());
            assertThat(r.actor()).isEqualTo(app.client().clientId());
        });

        // The access token is a JWT (RFC 9068) signed by the same keys.
        SignedJWT access =
                SignedJWT.parse(tokens.getOIDCTokens().getAccessToken().getValue());
        assertThat(access.getHeader().getType().toString()).isEqualTo("at+jwt");
        assertThat(access.getJWTClaimsSet().getSubject()).isEqualTo(alice.id());
        assertThat(access.getJWTClaimsSet().getStringClaim("client_id"))
                .isEqualTo(app.client().clientId());
        assertThat(access.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("openid profile email");

        // Single sign-on: a second application signs the same browser in without a password.
        OidcKit.Client other = kit.webApp();
        OidcKit.Flow second = kit.flow(other.id(), "openid", Map.of());
        AuthorizationCode again = OidcKit.code(kit.authorize(browser, second), second);
        IDTokenClaimsSet secondId = kit.validate(
                kit.exchange(second, again, other.basic()).getOIDCTokens().getIDToken(),
                other.id(),
                second.nonce(),
                JWSAlgorithm.ES256);
        assertThat(secondId.getStringClaim("sid")).isEqualTo(id.getStringClaim("sid"));
    }

    @Test
    void aPublicClientMustUsePkceWithS256() throws Exception {
        OidcKit.Client app = kit.publicApp();
        User bob = kit.person();
        HttpClient browser = OidcKit.browser();
        kit.signIn(browser, bob);

        // no code_challenge: refused, back at the client with invalid_request, and no code
        String noPkce = kit.metadata.getAuthorizationEndpointURI() + "?response_type=code&client_id="
                + app.client().clientId() + "&redirect_uri=" + OidcKit.REDIRECT + "&scope=openid&state=s1";
        HttpResponse<String> refused = kit.get(browser, noPkce);
        assertThat(OidcKit.query(location(refused)))
                .containsEntry("error", "invalid_request")
                .doesNotContainKey("code");

        // plain: refused
        HttpResponse<String> plain = kit.get(
                browser,
                noPkce + "&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method=plain");
        assertThat(OidcKit.query(location(plain)))
                .containsEntry("error", "invalid_request")
                .doesNotContainKey("code");

        // S256: a code, exchanged by the public client with its verifier and no secret
        OidcKit.Flow flow = kit.flow(app.id(), "openid", Map.of());
        AuthorizationCode code = OidcKit.code(kit.authorize(browser, flow), flow);

        // without the verifier, or with another one: invalid_grant, nothing issued
        assertThat(tokenError(new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.id(),
                        new AuthorizationCodeGrant(code, URI.create(OidcKit.REDIRECT), new CodeVerifier()))))
                .isEqualTo("invalid_grant");
        HTTPRequest missing = new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.id(),
                        new AuthorizationCodeGrant(code, URI.create(OidcKit.REDIRECT)))
                .toHTTPRequest();
        HTTPResponse noVerifier = missing.send();
        // a public client proves it is the one that asked only by the verifier: without it, it is not
        // authenticated at all
        assertThat(noVerifier.getStatusCode()).isEqualTo(401);
        assertThat(OidcKit.error(noVerifier)).isEqualTo("invalid_client");

        OIDCTokenResponse tokens =
                (OIDCTokenResponse) com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser.parse(new TokenRequest(
                                        kit.metadata.getTokenEndpointURI(),
                                        app.id(),
                                        new AuthorizationCodeGrant(code, URI.create(OidcKit.REDIRECT), flow.verifier()))
                                .toHTTPRequest()
                                .send())
                        .toSuccessResponse();
        kit.validate(tokens.getOIDCTokens().getIDToken(), app.id(), flow.nonce(), JWSAlgorithm.ES256);
    }

    @Test
    void aReusedCodeIsRefusedAndTheTokensItGaveAreRevoked() throws Exception {
        OidcKit.Client app = kit.webApp();
        User carol = kit.person();
        OidcKit.Flow flow = kit.flow(app.id(), "openid offline_access", Map.of());
        AuthorizationCode code = kit.signInAndAuthorize(OidcKit.browser(), carol, flow);
        Tokens tokens = kit.exchange(flow, code, app.basic()).getOIDCTokens();
        assertThat(active(app.basic(), tokens.getAccessToken().getValue())).isTrue();
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isTrue();

        String second = tokenError(new TokenRequest(
                kit.metadata.getTokenEndpointURI(),
                app.basic(),
                new AuthorizationCodeGrant(code, URI.create(OidcKit.REDIRECT), flow.verifier())));
        assertThat(second).isEqualTo("invalid_grant");
        assertThat(active(app.basic(), tokens.getAccessToken().getValue())).isFalse();
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isFalse();
        assertThat(tokenError(new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.basic(),
                        new RefreshTokenGrant(tokens.getRefreshToken()))))
                .isEqualTo("invalid_grant");
    }

    @Test
    void requestsRacingWithOneCodeOrOneRefreshTokenGetAtMostOneAnswer() throws Exception {
        OidcKit.Client app = kit.webApp();
        User olga = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid offline_access", Map.of());
        AuthorizationCode code = kit.signInAndAuthorize(browser, olga, flow);
        List<HTTPResponse> redeemed = race(() -> new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.basic(),
                        new AuthorizationCodeGrant(code, URI.create(OidcKit.REDIRECT), flow.verifier()))
                .toHTTPRequest()
                .send());
        assertAtMostOneSucceeded(redeemed);

        OidcKit.Flow second = kit.flow(app.id(), "openid offline_access", Map.of());
        RefreshToken refresh = kit.exchange(second, OidcKit.code(kit.authorize(browser, second), second), app.basic())
                .getOIDCTokens()
                .getRefreshToken();
        List<HTTPResponse> refreshed = race(
                () -> new TokenRequest(kit.metadata.getTokenEndpointURI(), app.basic(), new RefreshTokenGrant(refresh))
                        .toHTTPRequest()
                        .send());
        assertAtMostOneSucceeded(refreshed);
    }

    static List<HTTPResponse> race(java.util.concurrent.Callable<HTTPResponse> request) throws Exception {
        int n = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<HTTPResponse>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return request.call();
                }));
            }
            go.countDown();
            List<HTTPResponse> out = new java.util.ArrayList<>();
            for (var answer : answers) {
                out.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertAtMostOneSucceeded(List<HTTPResponse> answers) throws Exception {
        long ok = answers.stream().filter(r -> r.getStatusCode() == 200).count();
        assertThat(ok).as("one-time use, under concurrency").isLessThanOrEqualTo(1);
        for (HTTPResponse r : answers) {
            if (r.getStatusCode() != 200) {
                assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(400);
                assertThat(OidcKit.error(r)).isEqualTo("invalid_grant");
            }
        }
    }

    @Test
    void unknownClientAndMismatchedRedirectUriGetAnErrorPageNotARedirect() throws Exception {
        OidcKit.Client app = kit.webApp();
        HttpClient browser = OidcKit.browser();
        kit.signIn(browser, kit.person());

        OidcKit.Flow unknown = kit.flow(new ClientID("sgc_AAAAAAAAAAAAAAAAAAAAAA"), "openid", Map.of());
        HttpResponse<String> a = kit.get(browser, unknown.request().toURI().toString());
        assertThat(a.statusCode()).isEqualTo(400);
        assertThat(a.headers().firstValue("Location")).isEmpty();
        assertThat(a.body()).contains("<html");

        String wrongRedirect = kit.flow(app.id(), "openid", Map.of())
                .request()
                .toURI()
                .toString()
                .replace("127.0.0.1%3A9%2Fcallback", "127.0.0.1%3A9%2Fevil");
        assertThat(wrongRedirect).contains("evil");
        HttpResponse<String> b = kit.get(browser, wrongRedirect);
        assertThat(b.statusCode()).isEqualTo(400);
        assertThat(b.headers().firstValue("Location")).isEmpty();
        assertThat(b.body()).doesNotContain("evil");
    }

    // ---- client credentials ----------------------------------------------------------------------

    @Test
    void clientCredentialsWithASecretGivesASelfContainedTokenThatIntrospects() throws Exception {
        OidcKit.Client service = kit.service();
        long grantsBefore = grantRows();
        AccessTokenResponse ok = success(new TokenRequest(
                kit.metadata.getTokenEndpointURI(),
                service.basic(),
                new ClientCredentialsGrant(),
                new Scope("inventory:read")));
        AccessToken token = ok.getTokens().getAccessToken();
        assertThat(ok.getTokens().getRefreshToken()).isNull();
        assertThat(grantRows()).as("a client-credentials token writes nothing").isEqualTo(grantsBefore);

        SignedJWT jwt = SignedJWT.parse(token.getValue());
        assertThat(jwt.getJWTClaimsSet().getSubject())
                .isEqualTo(service.client().clientId());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("inventory:read");
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(server.base().toString());

        TokenIntrospectionSuccessResponse info = introspect(service.basic(), token.getValue());
        assertThat(info.isActive()).isTrue();
        assertThat(info.getClientID().getValue()).isEqualTo(service.client().clientId());
        assertThat(info.getScope().toString()).isEqualTo("inventory:read");

        // RFC 7009: revoked, it no longer introspects as active
        HTTPResponse revoked = new TokenRevocationRequest(
                        kit.metadata.getRevocationEndpointURI(), service.basic(), token)
                .toHTTPRequest()
                .send();
        assertThat(revoked.getStatusCode()).isEqualTo(200);
        assertThat(introspect(service.basic(), token.getValue()).isActive()).isFalse();
    }

    @Test
    void aWrongSecretOrAnUnknownClientGetsInvalidClientAndNoToken() throws Exception {
        OidcKit.Client service = kit.service();
        ClientAuthentication wrong = new ClientSecretBasic(service.id(), new Secret("sgcs_" + "A".repeat(43)));
        HTTPResponse refused = new TokenRequest(kit.metadata.getTokenEndpointURI(), wrong, new ClientCredentialsGrant())
                .toHTTPRequest()
                .send();
        assertThat(refused.getStatusCode()).isEqualTo(401);
        assertThat(OidcKit.error(refused)).isEqualTo("invalid_client");
        assertThat(refused.getBody()).doesNotContain("access_token");
        assertThat(kit.bean(AuditLog.class).recent(20, "oidc.client_auth_failed"))
                .anySatisfy(
                        r -> assertThat(r.actor()).isEqualTo(service.client().clientId()));

        ClientAuthentication nobody =
                new ClientSecretBasic(new ClientID("sgc_BBBBBBBBBBBBBBBBBBBBBB"), new Secret("x"));
        HTTPResponse unknown = new TokenRequest(
                        kit.metadata.getTokenEndpointURI(), nobody, new ClientCredentialsGrant())
                .toHTTPRequest()
                .send();
        assertThat(unknown.getStatusCode()).isEqualTo(401);
        assertThat(OidcKit.error(unknown)).isEqualTo("invalid_client");
    }

    @Test
    void privateKeyJwtAuthenticatesOnceAndAReplayedOrMalformedAssertionIsRefused() throws Exception {
        OidcKit.KeyClient client = kit.keyClient(Set.of(OidcClient.CLIENT_CREDENTIALS));
        URI tokenEndpoint = kit.metadata.getTokenEndpointURI();
        PrivateKeyJWT assertion = new PrivateKeyJWT(
                client.id(),
                tokenEndpoint,
                JWSAlgorithm.ES256,
                client.key().toECPrivateKey(),
                client.key().getKeyID(),
                null);
        AccessTokenResponse ok = success(new TokenRequest(tokenEndpoint, assertion, new ClientCredentialsGrant()));
        assertThat(SignedJWT.parse(ok.getTokens().getAccessToken().getValue())
                        .getJWTClaimsSet()
                        .getSubject())
                .isEqualTo(client.client().clientId());

        // the same assertion (same jti) again: invalid_client, nothing issued
        HTTPResponse replay = new TokenRequest(tokenEndpoint, assertion, new ClientCredentialsGrant())
                .toHTTPRequest()
                .send();
        assertThat(replay.getStatusCode()).isEqualTo(401);
        assertThat(OidcKit.error(replay)).isEqualTo("invalid_client");
        assertThat(replay.getBody()).doesNotContain("access_token");

        // signed by a key that is not registered
        var stranger = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
                .keyID(client.key().getKeyID())
                .generate();
        PrivateKeyJWT forged = new PrivateKeyJWT(
                client.id(), tokenEndpoint, JWSAlgorithm.ES256, stranger.toECPrivateKey(), stranger.getKeyID(), null);
        HTTPResponse forgedAnswer = new TokenRequest(tokenEndpoint, forged, new ClientCredentialsGrant())
                .toHTTPRequest()
                .send();
        assertThat(forgedAnswer.getStatusCode()).isEqualTo(401);
        assertThat(OidcKit.error(forgedAnswer)).isEqualTo("invalid_client");

        // not a JWT at all
        HTTPRequest malformed = new HTTPRequest(HTTPRequest.Method.POST, tokenEndpoint);
        malformed.setContentType("application/x-www-form-urlencoded");
        malformed.setBody(
                "grant_type=client_credentials&client_id=" + client.client().clientId()
                        + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                        + "&client_assertion=not.a.jwt");
        HTTPResponse malformedAnswer = malformed.send();
        assertThat(malformedAnswer.getStatusCode()).isEqualTo(401);
        assertThat(OidcKit.error(malformedAnswer)).isEqualTo("invalid_client");
        assertThat(malformedAnswer.getBody()).doesNotContain("access_token");
    }

    // ---- refresh, revocation, introspection, userinfo --------------------------------------------

    @Test
    void refreshRotatesAndAReusedRefreshTokenRevokesTheWholeFamily() throws Exception {
        OidcKit.Client app = kit.webApp();
        User dave = kit.person();
        OidcKit.Flow flow = kit.flow(app.id(), "openid profile offline_access", Map.of());
        Tokens first = kit.exchange(flow, kit.signInAndAuthorize(OidcKit.browser(), dave, flow), app.basic())
                .getOIDCTokens();

        OIDCTokenResponse refreshed =
                (OIDCTokenResponse) com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser.parse(new TokenRequest(
                                        kit.metadata.getTokenEndpointURI(),
                                        app.basic(),
                                        new RefreshTokenGrant(first.getRefreshToken()))
                                .toHTTPRequest()
                                .send())
                        .toSuccessResponse();
        com.nimbusds.openid.connect.sdk.token.OIDCTokens second = refreshed.getOIDCTokens();
        assertThat(second.getRefreshToken()).isNotEqualTo(first.getRefreshToken());
        IDTokenClaimsSet id = kit.validate(second.getIDToken(), app.id(), null, JWSAlgorithm.ES256);
        assertThat(id.getSubject().getValue()).isEqualTo(dave.id());
        assertThat(id.getAMR()).extracting(Object::toString).containsExactly("pwd");
        assertThat(active(app.basic(), second.getAccessToken().getValue())).isTrue();
        assertThat(active(app.basic(), first.getAccessToken().getValue()))
                .as("an older access token of a live family lives until it expires")
                .isTrue();

        // The first refresh token again: reuse. Refused, and every token of the family is revoked.
        assertThat(tokenError(new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.basic(),
                        new RefreshTokenGrant(first.getRefreshToken()))))
                .isEqualTo("invalid_grant");
        assertThat(active(app.basic(), second.getAccessToken().getValue())).isFalse();
        assertThat(active(app.basic(), first.getAccessToken().getValue())).isFalse();
        assertThat(active(app.basic(), second.getRefreshToken().getValue())).isFalse();
        assertThat(tokenError(new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.basic(),
                        new RefreshTokenGrant(second.getRefreshToken()))))
                .isEqualTo("invalid_grant");
        assertThat(kit.bean(AuditLog.class).recent(50, "oidc.grant_revoked").stream()
                        .anyMatch(r -> "reuse".equals(r.reason())))
                .isTrue();
    }

    @Test
    void revokingARefreshTokenEndsItsFamilyAndUserinfoAnswersFromTheUserRecord() throws Exception {
        OidcKit.Client app = kit.webApp();
        User erin = kit.person();
        OidcKit.Flow flow = kit.flow(app.id(), "openid profile email", Map.of());
        Tokens tokens = kit.exchange(flow, kit.signInAndAuthorize(OidcKit.browser(), erin, flow), app.basic())
                .getOIDCTokens();

        UserInfoResponse info = UserInfoResponse.parse(
                new UserInfoRequest(kit.metadata.getUserInfoEndpointURI(), (BearerAccessToken) tokens.getAccessToken())
                        .toHTTPRequest()
                        .send());
        assertThat(info.indicatesSuccess()).isTrue();
        UserInfo user = info.toSuccessResponse().getUserInfo();
        assertThat(user.getSubject().getValue()).isEqualTo(erin.id());
        assertThat(user.getPreferredUsername()).isEqualTo(erin.username());
        assertThat(user.getName()).isEqualTo(erin.displayName());
        assertThat(user.getEmailAddress()).isEqualTo(erin.email());

        TokenIntrospectionSuccessResponse introspected =
                introspect(app.basic(), tokens.getAccessToken().getValue());
        assertThat(introspected.isActive()).isTrue();
        assertThat(introspected.getSubject().getValue()).isEqualTo(erin.id());

        HTTPResponse revoked = new TokenRevocationRequest(
                        kit.metadata.getRevocationEndpointURI(), app.basic(), tokens.getRefreshToken())
                .toHTTPRequest()
                .send();
        assertThat(revoked.getStatusCode()).isEqualTo(200);
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isFalse();
        assertThat(active(app.basic(), tokens.getAccessToken().getValue())).isFalse();
        UserInfoResponse after = UserInfoResponse.parse(
                new UserInfoRequest(kit.metadata.getUserInfoEndpointURI(), (BearerAccessToken) tokens.getAccessToken())
                        .toHTTPRequest()
                        .send());
        assertThat(after.indicatesSuccess()).isFalse();
        assertThat(after.toErrorResponse().getErrorObject().getHTTPStatusCode()).isEqualTo(401);

        // an unknown token introspects as inactive; revoking it is not an error (RFC 7009 section 2.2)
        assertThat(active(app.basic(), "not-a-token")).isFalse();
    }

    // ---- device authorization grant (RFC 8628) -----------------------------------------------------

    @Test
    void theDeviceGrantSignsAPersonInFromAnotherBrowser() throws Exception {
        OidcKit.Client cli = kit.deviceApp();
        User frank = kit.person();
        DeviceAuthorizationResponse started = DeviceAuthorizationResponse.parse(new DeviceAuthorizationRequest(
                        kit.metadata.getDeviceAuthorizationEndpointURI(),
                        cli.id(),
                        new Scope("profile", "offline_access"))
                .toHTTPRequest()
                .send());
        assertThat(started.indicatesSuccess())
                .as(() -> started.toErrorResponse()
                        .getErrorObject()
                        .toJSONObject()
                        .toString())
                .isTrue();
        DeviceAuthorizationSuccessResponse device = started.toSuccessResponse();
        assertThat(device.getVerificationURI()).hasToString(server.base() + "/device");

        // polling before the person approves
        TokenRequest poll = new TokenRequest(
                kit.metadata.getTokenEndpointURI(), cli.id(), new DeviceCodeGrant(device.getDeviceCode()));
        assertThat(tokenError(poll)).isEqualTo("authorization_pending");

        HttpClient browser = OidcKit.browser();
        HttpResponse<String> page =
                kit.get(browser, "/device?user_code=" + device.getUserCode().getValue());
        assertThat(location(page)).endsWith("/signin");
        HttpResponse<String> signedIn = kit.signIn(browser, frank);
        assertThat(location(signedIn)).endsWith(OidcContinuation.PATH);
        HttpResponse<String> form = kit.follow(browser, signedIn);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains(device.getUserCode().getValue());
        String lower = device.getUserCode().getValue().toLowerCase().replace("-", " ");
        HttpResponse<String> consent =
                kit.follow(browser, server.submit(browser, "/device", "/device", "user_code=" + TestServer.enc(lower)));
        assertThat(consent.body()).contains("id=\"device-notice\"");
        HttpResponse<String> done = kit.allow(browser, consent, "offline_access");
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("the device is signed in");

        // polling sooner than the interval is answered slow_down (RFC 8628 section 3.5)
        assertThat(tokenError(poll)).isEqualTo("slow_down");
        clock.advance(DevicePollGuard.INTERVAL);
        TokenResponse tokens =
                com.nimbusds.oauth2.sdk.TokenResponse.parse(poll.toHTTPRequest().send());
        assertThat(tokens.indicatesSuccess()).isTrue();
        Tokens issued = tokens.toSuccessResponse().getTokens();
        assertThat(SignedJWT.parse(issued.getAccessToken().getValue())
                        .getJWTClaimsSet()
                        .getSubject())
                .isEqualTo(frank.id());
        assertThat(issued.getRefreshToken()).isNotNull();
        // the device code works once
        clock.advance(DevicePollGuard.INTERVAL);
        assertThat(tokenError(poll)).isEqualTo("invalid_grant");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    long grantRows() {
        return kit.bean(dev.signet.server.store.Store.class)
                .jdbc()
                .sql("SELECT COUNT(*) FROM oauth_authorization")
                .query(Long.class)
                .single();
    }

    static AccessTokenResponse success(TokenRequest request) throws Exception {
        TokenResponse response = TokenResponse.parse(request.toHTTPRequest().send());
        assertThat(response.indicatesSuccess())
                .as(() -> response.toErrorResponse().getErrorObject().toString())
                .isTrue();
        return response.toSuccessResponse();
    }

    static String tokenError(TokenRequest request) throws Exception {
        TokenResponse response = TokenResponse.parse(request.toHTTPRequest().send());
        assertThat(response.indicatesSuccess())
                .as("the request must be refused")
                .isFalse();
        TokenErrorResponse error = response.toErrorResponse();
        return error.getErrorObject().getCode();
    }

    TokenIntrospectionSuccessResponse introspect(ClientAuthentication auth, String token) throws Exception {
        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
                        kit.metadata.getIntrospectionEndpointURI(), auth, new BearerAccessToken(token))
                .toHTTPRequest()
                .send());
        assertThat(response.indicatesSuccess()).isTrue();
        return response.toSuccessResponse();
    }

    boolean active(ClientAuthentication auth, String token) throws Exception {
        return introspect(auth, token).isActive();
    }

    static List<String> names(List<?> values) {
        return values.stream().map(Object::toString).toList();
    }

    static RefreshToken refresh(String value) {
        return new RefreshToken(value);
    }
}

package dev.signet.server.oidc;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the OpenID Connect tests share: a running server, a person who signs in, clients registered
 * through {@link ClientService}, the browser part of the code flow driven over plain HTTP (the
 * console's sign-in form with its CSRF token, redirects followed by hand), and the independent client
 * library (Nimbus OAuth 2.0 SDK) for everything a relying party does.
 */
final class OidcKit {
    static final String PASSWORD = "amber falcon quarry seventeen";
    static final String REDIRECT = "http://127.0.0.1:9/callback";
    /** Password hashing is not what these tests are about: the cheapest parameters allowed. */
    static final Map<String, String> CHEAP = Map.of(
            "SIGNET_ARGON2_MEMORY_KIB", "8192", "SIGNET_ARGON2_ITERATIONS", "1", "SIGNET_SQLITE_SYNCHRONOUS", "NORMAL");

    static final Pattern CONSENT_STATE = Pattern.compile("name=\"state\" value=\"([^\"]+)\"");

    final TestServer server;
    final Issuer issuer;
    final OIDCProviderMetadata metadata;
    int names;

    OidcKit(TestServer server) throws Exception {
        this.server = server;
        this.issuer = new Issuer(server.base().toString());
        bean(SetupService.class).createAdminFromShell("root", null, PASSWORD);
        this.metadata = OIDCProviderMetadata.resolve(issuer);
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    User person() {
        return bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "person" + (++names),
                                "person" + names + "@example.com",
                                "Person " + names,
                                User.Role.USER,
                                null,
                                PASSWORD,
                                null),
                        "test");
    }

    // ---- clients -------------------------------------------------------------------------------

    /** A registered client with its secret (null without one). */
    record Client(OidcClient client, String secret) {
        ClientID id() {
            return new ClientID(client.clientId());
        }

        ClientAuthentication basic() {
            return new ClientSecretBasic(id(), new Secret(secret));
        }
    }

    Client register(ClientService.NewClient request) {
        ClientService.Created created = bean(ClientService.class).create(request, "test");
        return new Client(created.client(), created.secret());
    }

    Client webApp(boolean consent, boolean requireMfa, String alg, String backchannel) {
        return register(new ClientService.NewClient(
                "Web app " + (++names),
                ClientType.CONFIDENTIAL,
                ClientAuth.CLIENT_SECRET_BASIC,
                null,
                List.of(REDIRECT),
                List.of("http://127.0.0.1:9/signed-out"),
                Set.of(OidcClient.AUTHORIZATION_CODE, OidcClient.REFRESH_TOKEN),
                Set.of("openid", "profile", "email", "offline_access"),
                Duration.ofMinutes(5),
                Duration.ofDays(1),
                alg,
                consent,
                requireMfa,
                backchannel));
    }

    Client webApp() {
        return webApp(false, false, "ES256", null);
    }

    Client publicApp() {
        return register(new ClientService.NewClient(
                "Public app " + (++names),
                ClientType.PUBLIC,
                ClientAuth.NONE,
                null,
                List.of(REDIRECT),
                List.of(),
                Set.of(OidcClient.AUTHORIZATION_CODE),
                Set.of("openid", "profile"),
                null,
                null,
                null,
                false,
                false,
                null));
    }

    Client service() {
        return register(new ClientService.NewClient(
                "Service " + (++names),
                ClientType.CONFIDENTIAL,
                ClientAuth.CLIENT_SECRET_BASIC,
                null,
                List.of(),
                List.of(),
                Set.of(OidcClient.CLIENT_CREDENTIALS),
                Set.of("inventory:read", "inventory:write"),
                null,
                null,
                null,
                false,
                false,
                null));
    }

    /** A private_key_jwt client (RFC 7523): the key pair stays here, its public half is registered. */
    record KeyClient(OidcClient client, ECKey key) {
        ClientID id() {
            return new ClientID(client.clientId());
        }
    }

    KeyClient keyClient(Set<String> grants) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k" + (++names)).generate();
        OidcClient client = bean(ClientService.class)
                .create(
                        new ClientService.NewClient(
                                "Signed " + names,
                                ClientType.CONFIDENTIAL,
                                ClientAuth.PRIVATE_KEY_JWT,
                                new JWKSet(key.toPublicJWK()).toString(),
                                List.of(),
                                List.of(),
                                grants,
                                Set.of("openid", "profile", "inventory:read"),
                                null,
                                null,
                                null,
                                false,
                                false,
                                null),
                        "test")
                .client();
        return new KeyClient(client, key);
    }

    Client deviceApp() {
        return register(new ClientService.NewClient(
                "CLI " + (++names),
                ClientType.PUBLIC,
                ClientAuth.NONE,
                null,
                List.of(),
                List.of(),
                Set.of(OidcClient.DEVICE_CODE, OidcClient.REFRESH_TOKEN),
                Set.of("openid", "profile", "offline_access"),
                null,
                null,
                null,
                false,
                false,
                null));
    }

    // ---- the browser -----------------------------------------------------------------------------

    /** A browser that holds cookies and does not follow redirects. */
    static HttpClient browser() {
        return TestServer.browserLikeClient();
    }

    /** Signs {@code user} in through the console's form; answers the sign-in's redirect. */
    HttpResponse<String> signIn(HttpClient browser, User user) throws Exception {
        return server.submit(
                browser, "/signin", "/signin", "username=" + enc(user.username()) + "&password=" + enc(PASSWORD));
    }

    /** A URL on this server as a path (and query) on it. */
    String local(String url) {
        String base = server.base().toString();
        return url.startsWith(base) ? url.substring(base.length()) : url;
    }

    static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElse("");
    }

    HttpResponse<String> get(HttpClient browser, String url) throws Exception {
        URI uri = url.startsWith("http") ? URI.create(url) : server.uri(url);
        return browser.send(
                HttpRequest.newBuilder(uri)
                        .GET()
                        .header("User-Agent", "signet-tests")
                        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Follows redirects on this server until one leaves it (to the client) or a page is answered. */
    HttpResponse<String> follow(HttpClient browser, HttpResponse<String> response) throws Exception {
        HttpResponse<String> current = response;
        for (int i = 0; i < 10 && current.statusCode() / 100 == 3; i++) {
            String next = location(current);
            if (next.startsWith("http") && !next.startsWith(server.base().toString())) {
                return current;
            }
            current = get(browser, next);
        }
        return current;
    }

    /** An authorization request for {@code client} with PKCE (S256), a state and a nonce. */
    record Flow(AuthenticationRequest request, CodeVerifier verifier, State state, Nonce nonce) {}

    Flow flow(ClientID client, String scope, Map<String, String> extra) {
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        Nonce nonce = new Nonce();
        AuthenticationRequest.Builder builder = new AuthenticationRequest.Builder(
                        ResponseType.CODE, Scope.parse(scope), client, URI.create(REDIRECT))
                .endpointURI(metadata.getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256);
        extra.forEach(builder::customParameter);
        return new Flow(builder.build(), verifier, state, nonce);
    }

    /** Starts the flow in {@code browser} and follows it to the redirect back to the client. */
    HttpResponse<String> authorize(HttpClient browser, Flow flow) throws Exception {
        return follow(browser, get(browser, flow.request().toURI().toString()));
    }

    /** The code in a redirect back to the client, after checking the state came back too. */
    static AuthorizationCode code(HttpResponse<String> redirect, Flow flow) {
        String location = location(redirect);
        assertThat(location).as("redirect back to the client").startsWith(REDIRECT + "?");
        Map<String, String> q = query(location);
        assertThat(q.get("state")).isEqualTo(flow.state().getValue());
        assertThat(q).as(location).containsKey("code");
        return new AuthorizationCode(q.get("code"));
    }

    static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(
                    java.net.URLDecoder.decode(k, StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Signs in and runs the browser part: the code for {@code flow}. */
    AuthorizationCode signInAndAuthorize(HttpClient browser, User user, Flow flow) throws Exception {
        HttpResponse<String> first = get(browser, flow.request().toURI().toString());
        assertThat(first.statusCode()).isEqualTo(302);
        assertThat(location(first)).endsWith("/signin");
        HttpResponse<String> signedIn = signIn(browser, user);
        assertThat(location(signedIn)).endsWith(OidcContinuation.PATH);
        return code(follow(browser, signedIn), flow);
    }

    /** Consent: reads the state from the consent page and allows every scope offered. */
    HttpResponse<String> allow(HttpClient browser, HttpResponse<String> consentPage, String... scopes)
            throws Exception {
        assertThat(consentPage.statusCode()).as(consentPage.body()).isEqualTo(200);
        Matcher state = CONSENT_STATE.matcher(consentPage.body());
        assertThat(state.find()).as(consentPage.body()).isTrue();
        Matcher client =
                Pattern.compile("name=\"client_id\" value=\"([^\"]+)\"").matcher(consentPage.body());
        assertThat(client.find()).isTrue();
        String target = consentPage.body().contains("action=\"/oauth2/device_verification\"")
                ? "/oauth2/device_verification"
                : "/oauth2/authorize";
        StringBuilder form = new StringBuilder("client_id=" + enc(client.group(1)) + "&state=" + enc(state.group(1)));
        Matcher code = Pattern.compile("name=\"user_code\" value=\"([^\"]+)\"").matcher(consentPage.body());
        if (code.find()) {
            form.append("&user_code=").append(enc(code.group(1)));
        }
        for (String s : scopes) {
            form.append("&scope=").append(enc(s));
        }
        return follow(browser, server.post(browser, target, form.toString()));
    }

    // ---- the relying party (Nimbus) ------------------------------------------------------------

    OIDCTokenResponse exchange(Flow flow, AuthorizationCode code, ClientAuthentication auth) throws Exception {
        TokenResponse response = OIDCTokenResponseParser.parse(new TokenRequest(
                        metadata.getTokenEndpointURI(),
                        auth,
                        new AuthorizationCodeGrant(code, URI.create(REDIRECT), flow.verifier()))
                .toHTTPRequest()
                .send());
        assertThat(response.indicatesSuccess())
                .as(() -> response.toErrorResponse().getErrorObject().toString())
                .isTrue();
        return (OIDCTokenResponse) response.toSuccessResponse();
    }

    /** The ID token verified as a relying party must: signature against the JWKS, iss, aud, nonce, exp. */
    IDTokenClaimsSet validate(JWT idToken, ClientID client, Nonce nonce, JWSAlgorithm alg) throws Exception {
        JWKSet jwks = JWKSet.load(metadata.getJWKSetURI().toURL());
        IDTokenValidator validator = new IDTokenValidator(issuer, client, alg, jwks);
        // the server's clock is moved by some tests; the check of times is the server's own test
        validator.setMaxClockSkew(3600);
        return validator.validate(idToken, nonce);
    }

    static String error(HTTPResponse response) throws Exception {
        return response.getBodyAsJSONObject().getAsString("error");
    }
}

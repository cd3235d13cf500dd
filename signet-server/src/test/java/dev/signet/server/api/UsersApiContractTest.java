package dev.signet.server.api;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.api.ApiCalls.Answer;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The REST API over real HTTP against a real server, on SQLite and on PostgreSQL: users CRUD,
 * search and paging, token scopes, the effects of disabling and deleting, the account rules as
 * status codes, and bad input answered with a stable code and nothing stored.
 */
abstract class UsersApiContractTest {
    static final String PASSWORD = "violet quartz harbour lantern 7319";
    /** jBCrypt's published test vector for the password "abc" (cost 6). */
    static final String BCRYPT_ABC = "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i";

    @TempDir
    Path dataDir;

    TestServer server;
    ApiCalls api;
    User root;
    String admin;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(kind(), dataDir));
        api = new ApiCalls(server);
        root = bean(SetupService.class).createAdminFromShell("root", null, PASSWORD);
        admin = token(root, Scopes.USERS_READ, Scopes.USERS_WRITE, Scopes.AUDIT_READ, Scopes.TOKENS_WRITE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    String token(User owner, String... scopes) {
        return bean(TokenService.class)
                .create(owner, "test", Set.of(scopes), Optional.of(Instant.now().plus(Duration.ofDays(1))), "test")
                .secret();
    }

    User user(String id) {
        return bean(UserRepository.class).byId(id).orElseThrow();
    }

    String createUser(String username, String role) {
        Answer created = api.post(
                "/api/v1/users",
                admin,
                "{\"username\":\"" + username + "\",\"role\":\"" + role + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    /** Users and audit entries, to show that a refused request stored nothing. */
    record Stored(long users, long auditEntries) {}

    Stored stored() {
        return new Stored(
                bean(UserRepository.class).count(), bean(AuditLog.class).size());
    }

    @Test
    void usersWhenCreatedShownUpdatedDisabledEnabledAndDeletedThenEachAnswerIsRightAndNoHashLeaks() {
        Answer created = api.post("/api/v1/users", admin, """
                {"username": "alice", "email": "alice@example.test", "displayName": "Alice A.",
                 "role": "user", "kind": "person", "password": "%s"}
                """.formatted(PASSWORD));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asString();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/users/" + id);
        JsonNode alice = created.json();
        assertThat(alice.path("username").asString()).isEqualTo("alice");
        assertThat(alice.path("email").asString()).isEqualTo("alice@example.test");
        assertThat(alice.path("displayName").asString()).isEqualTo("Alice A.");
        assertThat(alice.path("role").asString()).isEqualTo("user");
        assertThat(alice.path("status").asString()).isEqualTo("active");
        assertThat(alice.path("kind").asString()).isEqualTo("person");
        assertThat(Instant.parse(alice.path("createdAt").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(alice.path("lastSignInAt").isNull()).isTrue();
        assertThat(alice.propertyNames())
                .containsExactlyInAnyOrder(
                        "id",
                        "username",
                        "email",
                        "displayName",
                        "role",
                        "status",
                        "kind",
                        "createdAt",
                        "lastSignInAt");
        assertThat(created.body()).doesNotContain("$argon2").doesNotContain(PASSWORD);

        Answer shown = api.get("/api/v1/users/" + id, admin);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json()).isEqualTo(alice);

        Answer updated = api.patch(
                "/api/v1/users/" + id,
                admin,
                "{\"email\":\"a@example.test\",\"displayName\":\"Al\",\"role\":\"admin\"}");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().path("email").asString()).isEqualTo("a@example.test");
        assertThat(updated.json().path("displayName").asString()).isEqualTo("Al");
        assertThat(updated.json().path("role").asString()).isEqualTo("admin");
        assertThat(api.patch("/api/v1/users/" + id, admin, "{\"email\":\"\"}")
                        .json()
                        .path("email")
                        .isNull())
                .isTrue();

        Answer disabled = api.post("/api/v1/users/" + id + "/disable", admin, null);
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().path("status").asString()).isEqualTo("disabled");
        assertThat(api.get("/api/v1/users?status=disabled", admin)
                        .json()
                        .path("total")
                        .asLong())
                .isEqualTo(1);
        Answer enabled = api.post("/api/v1/users/" + id + "/enable", admin, null);
        assertThat(enabled.json().path("status").asString()).isEqualTo("active");

        Answer deleted = api.delete("/api/v1/users/" + id, admin);
        assertThat(deleted.status()).isEqualTo(204);
        api.get("/api/v1/users/" + id, admin).isProblem(404, "user.not_found");
        api.delete("/api/v1/users/" + id, admin).isProblem(404, "user.not_found");
        api.patch("/api/v1/users/" + id, admin, "{}").isProblem(404, "user.not_found");

        List<String> types = bean(AuditLog.class).recent(20, null).stream()
                .filter(r -> "alice".equals(r.subject()))
                .map(r -> r.type() + " by " + r.actor())
                .toList();
        assertThat(types)
                .contains(
                        "user.created by root",
                        "user.updated by root",
                        "user.disabled by root",
                        "user.enabled by root",
                        "user.deleted by root");
    }

    @Test
    void listWhenSearchingAndPagingThenMatchesTheQueryWithTotalsAndStablePages() {
        for (String name : List.of("dora", "dmitri", "delia", "dan", "eve")) {
            createUser(name, "user");
        }
        Answer all = api.get("/api/v1/users", admin);
        assertThat(all.json().path("total").asLong()).isEqualTo(6);
        assertThat(all.json().path("limit").asInt()).isEqualTo(50);
        assertThat(all.json().path("offset").asInt()).isZero();

        Answer d = api.get("/api/v1/users?q=D&limit=2", admin);
        assertThat(d.json().path("total").asLong()).isEqualTo(4);
        assertThat(names(d)).containsExactly("dan", "delia");
        assertThat(names(api.get("/api/v1/users?q=d&limit=2&offset=2", admin))).containsExactly("dmitri", "dora");
        assertThat(names(api.get("/api/v1/users?q=d&limit=2&offset=4", admin))).isEmpty();
        assertThat(names(api.get("/api/v1/users?q=%25", admin))).isEmpty(); // LIKE wildcards are literal

        assertThat(names(api.get("/api/v1/users?username=EVE", admin))).containsExactly("eve");
        assertThat(names(api.get("/api/v1/users?username=ev", admin))).isEmpty();

        api.get("/api/v1/users?limit=0", admin).isProblem(400, "request.invalid");
        api.get("/api/v1/users?limit=201", admin).isProblem(400, "request.invalid");
        api.get("/api/v1/users?offset=-1", admin).isProblem(400, "request.invalid");
        Answer abc = api.get("/api/v1/users?limit=abc", admin).isProblem(400, "request.invalid");
        assertThat(abc.json().path("detail").asString()).contains("limit");
        api.get("/api/v1/users?offset=99999999999", admin).isProblem(400, "request.invalid");
        api.get("/api/v1/users?status=gone", admin).isProblem(400, "request.invalid");
        api.get("/api/v1/users?q=" + "x".repeat(201), admin).isProblem(400, "request.invalid");
    }

    private static List<String> names(Answer page) {
        List<String> names = new ArrayList<>();
        page.json().path("users").forEach(u -> names.add(u.path("username").asString()));
        return names;
    }

    @Test
    void requestWhenNoTokenABadTokenOrTooFewScopesThen401Or403WithTheReasonAndNothingChanged() {
        Answer none = api.get("/api/v1/users", null).isProblem(401, "auth.token_required");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        Answer forged = api.get("/api/v1/users", "sgt_" + "A".repeat(43)).isProblem(401, "auth.token_invalid");
        assertThat(forged.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
        api.get("/api/v1/users", "not-a-token").isProblem(401, "auth.token_invalid");
        api.post("/api/v1/users", null, "{\"username\":\"x\"}").isProblem(401, "auth.token_required");
        String readOnly = token(root, Scopes.USERS_READ);
        Stored before = stored();
        Answer r = api.post("/api/v1/users", readOnly, "{\"username\":\"mallory\"}")
                .isProblem(403, "auth.insufficient_scope");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"insufficient_scope\"");
        api.post("/api/v1/users/" + root.id() + "/disable", readOnly, null).isProblem(403, "auth.insufficient_scope");
        api.delete("/api/v1/users/" + root.id(), readOnly).isProblem(403, "auth.insufficient_scope");
        api.get("/api/v1/sign-ins", readOnly).isProblem(403, "auth.insufficient_scope");
        api.get("/api/v1/tokens", readOnly).isProblem(403, "auth.insufficient_scope");
        api.get("/api/v1/nothing-here", readOnly).isProblem(403, "auth.insufficient_scope");
        assertThat(stored()).isEqualTo(before);
        assertThat(api.get("/api/v1/users", readOnly).status()).isEqualTo(200);
    }

    @Test
    void tokensWhenCreatedListedAndRevokedThroughTheApiThenScopesAreBoundedAndSecretsShownOnce() {
        User bob = user(createUser("bob", "user"));
        String bobs = token(bob, Scopes.TOKENS_WRITE);

        api.post("/api/v1/tokens", bobs, "{\"name\":\"ci\",\"scopes\":[\"users:read\"]}")
                .isProblem(400, "token.scope_not_allowed");
        api.post("/api/v1/tokens", bobs, "{\"name\":\"ci\",\"scopes\":[\"sessions:write\"]}")
                .isProblem(403, "token.scope_forbidden");
        api.post("/api/v1/tokens", bobs, "{\"name\":\"ci\",\"scopes\":[\"no:such\"]}")
                .isProblem(400, "token.scope_unknown");
        api.post("/api/v1/tokens", bobs, "{\"name\":\"ci\",\"scopes\":[]}").isProblem(400, "token.scopes_missing");
        api.post("/api/v1/tokens", bobs, "{\"name\":\"ci\",\"scopes\":[\"tokens:write\"],\"expiresAt\":\"never\"}")
                .isProblem(400, "token.expiry_invalid");
        api.post("/api/v1/tokens", bobs, "{\"name\":\"\",\"scopes\":[\"tokens:write\"]}")
                .isProblem(400, "token.name_invalid");

        api.post("/api/v1/tokens", bobs, "{\"name\":\"ci\",\"scopes\":[\"tokens:write\"],\"expiresInDays\":2}")
                .isProblem(400, "token.expiry_invalid");

        // Without an expiry: 90 days, but never past the expiry of the token that asks.
        Answer created = api.post("/api/v1/tokens", bobs, "{\"name\":\"laptop\",\"scopes\":[\"tokens:write\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Instant bobsExpiry = bean(TokenService.class).forUser(bob.id()).stream()
                .filter(t -> t.name().equals("test"))
                .findFirst()
                .orElseThrow()
                .expires()
                .orElseThrow();
        assertThat(Instant.parse(created.json().path("expiresAt").asString())).isEqualTo(bobsExpiry);
        String secret = created.json().path("token").asString();
        String id = created.json().path("id").asString();
        assertThat(secret).startsWith("sgt_").hasSize(47);
        assertThat(created.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/tokens/" + id);

        Answer listed = api.get("/api/v1/tokens", secret);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body()).doesNotContain(secret).doesNotContain(bobs);
        assertThat(listed.json().path("tokens").size()).isEqualTo(2);
        assertThat(api.get("/api/v1/me", secret)
                        .json()
                        .path("token")
                        .path("name")
                        .asString())
                .isEqualTo("laptop");

        assertThat(api.delete("/api/v1/tokens/" + id, bobs).status()).isEqualTo(204);
        api.get("/api/v1/me", secret).isProblem(401, "auth.token_invalid");
        assertThat(api.delete("/api/v1/tokens/" + id, bobs).status()).isEqualTo(204);
        // Someone else's token is not found, not revoked.
        String rootsId = bean(TokenService.class).forUser(root.id()).get(0).id();
        api.delete("/api/v1/tokens/" + rootsId, bobs).isProblem(404, "token.not_found");
        assertThat(api.get("/api/v1/users", admin).status()).isEqualTo(200);
    }

    @Test
    void disableOrDeleteWhenTheUserHasTokensAndSessionsThenTokensStopAtOnceAndSessionsAreGone() throws Exception {
        User bob = user(createUser("bob", "user"));
        User carol = user(createUser("carol", "user"));
        String bobs = token(bob, Scopes.TOKENS_WRITE, Scopes.SESSIONS_WRITE);
        String carols = token(carol, Scopes.TOKENS_WRITE);
        HttpClient bobsBrowser = signedIn("bob");
        HttpClient carolsBrowser = signedIn("carol");
        assertThat(api.get("/api/v1/me", bobs).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/me", carols).status()).isEqualTo(200);
        DbSessionRepository sessions = bean(DbSessionRepository.class);
        assertThat(sessions.forUser(bob.id())).hasSize(1);
        assertThat(sessions.forUser(carol.id())).hasSize(1);

        assertThat(api.post("/api/v1/users/" + bob.id() + "/disable", admin, null)
                        .status())
                .isEqualTo(200);
        assertThat(api.delete("/api/v1/users/" + carol.id(), admin).status()).isEqualTo(204);

        api.get("/api/v1/me", bobs).isProblem(401, "auth.token_invalid");
        api.get("/api/v1/me", carols).isProblem(401, "auth.token_invalid");
        assertThat(sessions.forUser(bob.id())).isEmpty();
        assertThat(sessions.forUser(carol.id())).isEmpty();
        assertThat(signedIn(bobsBrowser)).isFalse();
        assertThat(signedIn(carolsBrowser)).isFalse();
        assertThat(bean(TokenService.class).forUser(carol.id())).isEmpty();
        // Enabling the account again does not bring old tokens back.
        api.post("/api/v1/users/" + bob.id() + "/enable", admin, null);
        api.get("/api/v1/me", bobs).isProblem(401, "auth.token_invalid");
    }

    @Test
    void sessionsAndSignInsWhenListedAndEndedThenOwnSessionsByTokenAllByAdministratorAndHistoryFiltered()
            throws Exception {
        User bob = user(createUser("bob", "user"));
        String bobs = token(bob, Scopes.SESSIONS_WRITE);
        Answer me = api.get("/api/v1/me", bobs);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("user").path("username").asString()).isEqualTo("bob");
        assertThat(me.json().path("token").path("scopes").get(0).asString()).isEqualTo("sessions:write");
        assertThat(me.json().path("token").path("expiresAt").asString()).isNotEmpty();
        assertThat(me.body()).doesNotContain(bobs);
        api.get("/api/v1/users", bobs).isProblem(403, "auth.insufficient_scope");

        HttpClient laptop = signedIn("bob");
        HttpClient phone = signedIn("bob");
        Answer mine = api.get("/api/v1/sessions", bobs);
        assertThat(mine.json().path("sessions").size()).isEqualTo(2);
        String first = mine.json().path("sessions").get(0).path("id").asString();
        assertThat(api.delete("/api/v1/sessions/" + first, bobs).status()).isEqualTo(204);
        api.delete("/api/v1/sessions/" + first, bobs).isProblem(404, "session.not_found");
        api.delete("/api/v1/sessions/" + first, admin).isProblem(403, "auth.insufficient_scope");
        assertThat(List.of(signedIn(laptop), signedIn(phone))).containsExactlyInAnyOrder(true, false);

        Answer ended = api.delete("/api/v1/users/" + bob.id() + "/sessions", admin);
        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.json().path("ended").asInt()).isEqualTo(1);
        assertThat(signedIn(laptop) || signedIn(phone)).isFalse();

        Answer history = api.get("/api/v1/users/" + bob.id() + "/sign-ins", admin);
        assertThat(history.json().path("signIns").size()).isEqualTo(2);
        assertThat(history.json().path("signIns").get(0).path("outcome").asString())
                .isEqualTo("success");
        Answer all = api.get("/api/v1/sign-ins?username=BOB&since=2000-01-01", admin);
        assertThat(all.json().path("signIns").size()).isEqualTo(2);
        assertThat(api.get("/api/v1/sign-ins?username=bob&until=2000-01-01", admin)
                        .json()
                        .path("signIns")
                        .size())
                .isZero();
        api.get("/api/v1/sign-ins?since=yesterday", admin).isProblem(400, "request.invalid");
        api.get("/api/v1/sign-ins?since=2030-01-01&until=2020-01-01", admin).isProblem(400, "request.invalid");
    }

    @Test
    void disableOrDeleteOrDemoteWhenLastAdministratorThen409AndStillAdministrator() {
        Stored before = stored();
        api.post("/api/v1/users/" + root.id() + "/disable", admin, null).isProblem(409, "user.last_admin");
        api.delete("/api/v1/users/" + root.id(), admin).isProblem(409, "user.last_admin");
        api.patch("/api/v1/users/" + root.id(), admin, "{\"role\":\"user\"}").isProblem(409, "user.last_admin");
        assertThat(stored()).isEqualTo(before);
        assertThat(user(root.id()).admin()).isTrue();
        assertThat(user(root.id()).active()).isTrue();
        assertThat(api.get("/api/v1/users", admin).status()).isEqualTo(200);
    }

    @Test
    void createWhenAccountRulesRefuseThen4xxAndNothingStoredButAnImportedBcryptHashIsAccepted() {
        createUser("Alice", "user");
        Stored before = stored();
        for (String twin : List.of("alice", "ALICE", "Ａｌｉｃｅ", " alice ")) {
            api.post("/api/v1/users", admin, "{\"username\":\"" + twin + "\",\"kind\":\"service\"}")
                    .isProblem(409, "username.taken");
        }
        api.post("/api/v1/users", admin, "{\"username\":\"carol\",\"password\":\"short\"}")
                .isProblem(400, "password.too_short");
        api.post(
                        "/api/v1/users",
                        admin,
                        "{\"username\":\"carol\",\"kind\":\"service\",\"password\":\"" + PASSWORD + "\"}")
                .isProblem(400, "password.not_allowed");
        api.post(
                        "/api/v1/users",
                        admin,
                        "{\"username\":\"carol\",\"password\":\"" + PASSWORD + "\",\"passwordHash\":\"" + BCRYPT_ABC
                                + "\"}")
                .isProblem(400, "password.ambiguous");
        api.post("/api/v1/users", admin, "{\"username\":\"carol\",\"passwordHash\":\"$1$abc$def\"}")
                .isProblem(400, "password_hash.unsupported");
        api.post("/api/v1/users", admin, "{\"username\":\"bad name!\"}").isProblem(400, "username.invalid_characters");
        api.post("/api/v1/users", admin, "{\"email\":\"x@example.test\"}").isProblem(400, "username.missing");
        api.post("/api/v1/users", admin, "{\"username\":\"carol\",\"email\":\"not an address\"}")
                .isProblem(400, "email.invalid");
        assertThat(stored()).isEqualTo(before);

        // An imported hash is validated, not re-hashed; the sign-in upgrade is tested with the sign-in service.
        Answer imported =
                api.post("/api/v1/users", admin, "{\"username\":\"legacy\",\"passwordHash\":\"" + BCRYPT_ABC + "\"}");
        assertThat(imported.status()).as(imported.body()).isEqualTo(201);
        assertThat(imported.body()).doesNotContain("$2a$");
        assertThat(bean(AuditLog.class).recent(1, "user.created").get(0).details())
                .contains("imported");
    }

    @Test
    void badInputWhenMalformedMistypedUnknownOrHugeThen4xxWithAStableCodeAndNothingStored() {
        createUser("dave", "user");
        String dave =
                bean(UserRepository.class).byUsername("dave").orElseThrow().id();
        Stored before = stored();

        Answer malformed =
                api.post("/api/v1/users", admin, "{\"username\": \"x\",").isProblem(400, "request.malformed");
        assertThat(malformed.json().path("detail").asString()).contains("line 1");
        api.post("/api/v1/users", admin, "{'username': 'x'}").isProblem(400, "request.malformed");
        api.post("/api/v1/users", admin, "{\"username\":\"x\"} trailing").isProblem(400, "request.malformed");
        api.post("/api/v1/users", admin, "{\"username\":\"x\",\"username\":\"y\"}")
                .isProblem(400, "request.malformed");
        api.post("/api/v1/users", admin, "").isProblem(400, "request.malformed");
        api.post("/api/v1/users", admin, "null").isProblem(400, "request.invalid");
        api.post("/api/v1/users", admin, "[]").isProblem(400, "request.invalid");
        api.post("/api/v1/users", admin, "\"x\"").isProblem(400, "request.invalid");

        assertNamesField(api.post("/api/v1/users", admin, "{\"username\":5}"), "username");
        assertNamesField(api.post("/api/v1/users", admin, "{\"username\":true}"), "username");
        assertNamesField(api.post("/api/v1/users", admin, "{\"username\":[\"x\"]}"), "username");
        assertNamesField(api.post("/api/v1/users", admin, "{\"username\":{\"a\":1}}"), "username");
        Answer emperor = api.post("/api/v1/users", admin, "{\"username\":\"x\",\"role\":\"emperor\"}");
        assertNamesField(emperor, "role");
        assertThat(emperor.json().path("detail").asString())
                .contains("\"admin\"")
                .doesNotContain("emperor");
        assertNamesField(api.post("/api/v1/users", admin, "{\"username\":\"x\",\"role\":0}"), "role");
        assertNamesField(api.post("/api/v1/users", admin, "{\"username\":\"x\",\"kind\":\"robot\"}"), "kind");
        Answer typo = api.post("/api/v1/users", admin, "{\"username\":\"x\",\"pasword\":\"" + PASSWORD + "\"}");
        assertNamesField(typo, "pasword");
        assertThat(typo.body()).doesNotContain(PASSWORD);
        assertNamesField(api.patch("/api/v1/users/" + dave, admin, "{\"role\":\"root\"}"), "role");
        assertNamesField(api.patch("/api/v1/users/" + dave, admin, "{\"email\":42}"), "email");
        assertNamesField(api.patch("/api/v1/users/" + dave, admin, "{\"status\":\"disabled\"}"), "status");
        assertNamesField(api.post("/api/v1/tokens", admin, "{\"name\":\"t\",\"scopes\":\"users:read\"}"), "scopes");
        assertNamesField(api.post("/api/v1/tokens", admin, "{\"name\":\"t\",\"scopes\":[1]}"), "scopes[0]");
        assertNamesField(api.post("/api/v1/tokens", admin, "{\"name\":\"t\",\"scopes\":[null]}"), "scopes");
        assertNamesField(
                api.post(
                        "/api/v1/tokens",
                        admin,
                        "{\"name\":\"t\",\"scopes\":[\"tokens:write\"],\"expiresInDays\":\"5\"}"),
                "expiresInDays");
        assertNamesField(
                api.post(
                        "/api/v1/tokens",
                        admin,
                        "{\"name\":\"t\",\"scopes\":[\"tokens:write\"],\"expiresInDays\":1.5}"),
                "expiresInDays");
        assertNamesField(
                api.post(
                        "/api/v1/tokens",
                        admin,
                        "{\"name\":\"t\",\"scopes\":[\"tokens:write\"],\"expiresInDays\":99999999999}"),
                "expiresInDays");
        assertNamesField(
                api.post(
                        "/api/v1/tokens",
                        admin,
                        "{\"name\":\"t\",\"scopes\":[\"tokens:write\"],\"expiresAt\":\"soon\"}"),
                "expiresAt");

        api.send("POST", "/api/v1/users", admin, "text/plain", "{\"username\":\"x\"}")
                .isProblem(415, "request.unsupported_media_type");
        api.send("POST", "/api/v1/users", admin, null, "{\"username\":\"x\"}")
                .isProblem(415, "request.unsupported_media_type");
        api.send("POST", "/api/v1/users", admin, "application/x-www-form-urlencoded", "username=x")
                .isProblem(415, "request.unsupported_media_type");
        Answer put = api.send("PUT", "/api/v1/users", admin, "application/json", "{}")
                .isProblem(405, "request.method_not_allowed");
        assertThat(put.headers().firstValue("Allow").orElse("")).contains("GET").contains("POST");
        api.get("/api/v1/users/" + dave + "/nothing/here", admin).isProblem(404, "request.not_found");
        api.send("GET", "/api/v1/users", admin, null, null, "text/html").isProblem(406, "request.not_acceptable");
        api.send("POST", "/api/v1/users", admin, "application/json", "{\"username\":\"x\"}", "text/html")
                .isProblem(406, "request.not_acceptable");

        String huge = "{\"username\":\"" + "x".repeat(1_000_000) + "\"}";
        api.post("/api/v1/users", admin, huge).isProblem(413, "request.too_large");

        assertThat(stored()).isEqualTo(before);
        assertThat(user(dave).role()).isEqualTo(User.Role.USER);
        assertThat(api.get("/api/v1/users", admin).json().path("total").asLong())
                .isEqualTo(before.users());
    }

    private static void assertNamesField(Answer answer, String field) {
        answer.isProblem(400, "request.invalid");
        assertThat(answer.json().path("detail").asString()).contains("'" + field + "'");
    }

    /** Whether the console still knows this browser: signed out, "/" sends it to the sign-in page. */
    private boolean signedIn(HttpClient browser) throws Exception {
        HttpResponse<String> home = server.get(browser, "/");
        return home.statusCode() == 200
                || !home.headers().firstValue("Location").orElse("").endsWith("/signin");
    }

    private HttpClient signedIn(String username) throws Exception {
        HttpClient browser = TestServer.browserLikeClient();
        HttpResponse<String> r = server.submit(
                browser, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(PASSWORD));
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/");
        assertThat(signedIn(browser)).isTrue();
        return browser;
    }
}

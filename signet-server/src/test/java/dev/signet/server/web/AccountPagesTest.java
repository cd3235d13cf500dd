package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.account.Usernames;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.guard.SignInGuard;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.TokenService;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account and admin console pages over real HTTP against a real server on SQLite: a user's
 * profile, password, sessions and API tokens; an administrator's user management and sign-in
 * history; and who may open what.
 */
class AccountPagesTest {
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String BOB_PASSWORD = "quartz lantern meadow violin 47";
    static final String NEW_PASSWORD = "orbit sparrow canyon thistle 93";
    private static final Pattern SECRET = Pattern.compile("sgt_[A-Za-z0-9_-]{43}");

    @TempDir
    Path dataDir;

    MutableClock clock = MutableClock.startingNow();
    TestServer server;
    User root;
    User bob;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir), clock);
        root = bean(SetupService.class).createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        bob = accounts()
                .create(
                        new AccountService.NewAccount(
                                "bob", "bob@example.test", "Bob", User.Role.USER, User.Kind.PERSON, BOB_PASSWORD, null),
                        "test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- who may open what -------------------------------------------------------------------

    @Test
    void consoleWhenNonAdminThenRedirectedToAccountAndEveryAdminPageForbidden() throws Exception {
        HttpClient client = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> home = server.get(client, "/");
        assertThat(home.statusCode()).isEqualTo(302);
        assertThat(location(home)).endsWith("/account");
        HttpResponse<String> account = server.get(client, "/account");
        assertThat(account.statusCode()).isEqualTo(200);
        assertThat(account.body())
                .contains("id=\"profile-username\">bob<")
                .contains("id=\"nav-account\"")
                .doesNotContain("id=\"nav-users\"")
                .doesNotContain("id=\"nav-dashboard\"");

        String bobPage = "/admin/users/" + bob.id();
        for (String path : List.of(
                "/admin/users",
                "/admin/users?q=b",
                bobPage,
                bobPage + "/delete",
                "/admin/users/" + root.id(),
                "/admin/sign-ins",
                "/admin/sign-ins?outcome=failure")) {
            assertThat(server.get(client, path).statusCode()).as("GET " + path).isEqualTo(403);
        }
        String csrf = TestServer.csrfFrom(account.body());
        for (String path : List.of(
                "/admin/users",
                bobPage + "/disable",
                bobPage + "/delete",
                bobPage + "/profile",
                bobPage + "/sessions/end-all",
                bobPage + "/sign-in-delay/clear",
                bobPage + "/password",
                "/admin/users/" + root.id() + "/disable",
                "/admin/sign-ins/blocks/lift")) {
            HttpResponse<String> r = server.post(
                    client,
                    path,
                    "username=mallory&role=admin&password=" + enc(NEW_PASSWORD) + "&confirm=" + enc(NEW_PASSWORD)
                            + "&confirm=yes&ip=127.0.0.1&_csrf=" + csrf);
            assertThat(r.statusCode()).as("POST " + path).isEqualTo(403);
        }
        assertThat(accounts().byUsername("mallory")).isEmpty();
        assertThat(accounts().get(bob.id()).role()).isEqualTo(User.Role.USER);
        assertThat(accounts().get(root.id()).active()).isTrue();
        assertThat(server.get(client, "/account").statusCode())
                .as("still signed in")
                .isEqualTo(200);

        HttpResponse<String> anonymous = server.get(TestServer.browserLikeClient(), "/account");
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(location(anonymous)).endsWith("/signin");
    }

    // ---- profile and password ----------------------------------------------------------------

    @Test
    void profileWhenEditedThenSavedAndShownAndBadEmailRefusedWithNothingChanged() throws Exception {
        HttpClient client = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> saved = server.submit(
                client, "/account", "/account/profile", "email=" + enc("robert@example.test") + "&displayName=Robert");
        assertThat(saved.statusCode()).isEqualTo(302);
        assertThat(location(saved)).endsWith("/account");
        assertThat(server.get(client, "/account").body())
                .contains("Your profile is saved.")
                .contains("value=\"robert@example.test\"")
                .contains("value=\"Robert\"");
        assertThat(accounts().get(bob.id()))
                .extracting(User::email, User::displayName)
                .containsExactly("robert@example.test", "Robert");

        HttpResponse<String> bad =
                server.submit(client, "/account", "/account/profile", "email=not-an-address&displayName=Bobby");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body())
                .contains("id=\"profile-error\"")
                .contains("data-code=\"email.invalid\"")
                .contains("not an email address")
                .contains("value=\"not-an-address\"");
        assertThat(accounts().get(bob.id()).displayName()).isEqualTo("Robert");
    }

    @Test
    void changePasswordWhenCurrentWrongOrPolicyRefusesThen400WithReasonAndNothingChanged() throws Exception {
        HttpClient client = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> wrong = changePassword(client, "not my password at all", NEW_PASSWORD, true);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body())
                .contains("id=\"password-error\"")
                .contains("current password")
                .doesNotContain(NEW_PASSWORD);

        HttpResponse<String> tooShort = changePassword(client, BOB_PASSWORD, "short", true);
        assertThat(tooShort.statusCode()).isEqualTo(400);
        assertThat(tooShort.body()).contains("data-code=\"password.too_short\"").contains("at least");

        HttpResponse<String> differ = server.submit(
                client,
                "/account",
                "/account/password",
                "current=" + enc(BOB_PASSWORD) + "&password=" + enc(NEW_PASSWORD) + "&confirm="
                        + enc(NEW_PASSWORD + "!"));
        assertThat(differ.statusCode()).isEqualTo(400);
        assertThat(differ.body()).contains("data-code=\"password.mismatch\"");

        assertThat(server.get(client, "/account").statusCode())
                .as("still signed in")
                .isEqualTo(200);
        assertThat(signIn(TestServer.browserLikeClient(), "bob", BOB_PASSWORD))
                .as("the old password still works")
                .isTrue();
    }

    @Test
    void changePasswordWhenEndOthersCheckedThenOtherSessionsSignedOutAndThisOneStays() throws Exception {
        HttpClient other = signedIn("bob", BOB_PASSWORD);
        HttpClient here = signedIn("bob", BOB_PASSWORD);
        assertThat(server.get(here, "/account").body())
                .as("the box is ticked by default")
                .containsPattern("<input type=\"checkbox\" name=\"endOthers\" id=\"end-others\" value=\"true\""
                        + "\\s+checked=\"checked\"");

        HttpResponse<String> changed = changePassword(here, BOB_PASSWORD, NEW_PASSWORD, true);
        assertThat(changed.statusCode()).isEqualTo(302);
        assertThat(location(changed)).endsWith("/account");

        HttpResponse<String> page = server.get(here, "/account");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Your password is changed. 1 other session was signed out.");
        assertRedirectedToSignIn(other);
        assertThat(signIn(TestServer.browserLikeClient(), "bob", NEW_PASSWORD)).isTrue();
    }

    @Test
    void changePasswordWhenEndOthersUncheckedThenOtherSessionSurvives() throws Exception {
        HttpClient other = signedIn("bob", BOB_PASSWORD);
        HttpClient here = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> changed = changePassword(here, BOB_PASSWORD, NEW_PASSWORD, false);
        assertThat(changed.statusCode()).isEqualTo(302);

        assertThat(server.get(here, "/account").body()).contains("Your other sessions stay signed in.");
        assertThat(server.get(other, "/account").statusCode()).isEqualTo(200);
    }

    // ---- sessions ------------------------------------------------------------------------------

    @Test
    void endSessionWhenPostedFromTheListThenThatClientIsSignedOutAndCsrfTokenRequired() throws Exception {
        HttpClient other = signedIn("bob", BOB_PASSWORD);
        HttpClient here = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> list = server.get(here, "/account/sessions");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("id=\"this-device\"").contains("signet-tests");
        List<String> endable = all(Pattern.compile("id=\"end-session-([0-9a-f-]{36})\""), list.body());
        assertThat(endable).as("only the other session has an End button").hasSize(1);
        String otherId = endable.getFirst();

        HttpResponse<String> forged = server.post(here, "/account/sessions/" + otherId + "/end", "");
        assertThat(forged.statusCode()).as("no CSRF token").isEqualTo(403);
        assertThat(server.get(other, "/account").statusCode())
                .as("the session survives a forged request")
                .isEqualTo(200);

        HttpResponse<String> ended =
                server.submit(here, "/account/sessions", "/account/sessions/" + otherId + "/end", "");
        assertThat(ended.statusCode()).isEqualTo(302);
        assertThat(location(ended)).endsWith("/account/sessions");
        assertRedirectedToSignIn(other);
        HttpResponse<String> after = server.get(here, "/account/sessions");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("that device is signed out").doesNotContain("id=\"end-session-");

        HttpResponse<String> again =
                server.submit(here, "/account/sessions", "/account/sessions/" + otherId + "/end", "");
        assertThat(again.statusCode()).as("already ended").isEqualTo(404);
        signedIn("root", ADMIN_PASSWORD);
        String rootSession = rowIdOfOnlySession(root);
        HttpResponse<String> someoneElses =
                server.submit(here, "/account/sessions", "/account/sessions/" + rootSession + "/end", "");
        assertThat(someoneElses.statusCode())
                .as("another user's session is not found")
                .isEqualTo(404);
        assertThat(audit().recent(10, "session.ended")).hasSize(1);
    }

    @Test
    void endAllOtherSessionsWhenPostedThenOnlyThisOneStays() throws Exception {
        HttpClient first = signedIn("bob", BOB_PASSWORD);
        HttpClient second = signedIn("bob", BOB_PASSWORD);
        HttpClient here = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> r = server.submit(here, "/account/sessions", "/account/sessions/end-others", "");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(server.get(here, "/account/sessions").body()).contains("2 other sessions were ended.");
        assertRedirectedToSignIn(first);
        assertRedirectedToSignIn(second);
        String own = rowIdOfOnlySession(bob);

        HttpResponse<String> self = server.submit(here, "/account/sessions", "/account/sessions/" + own + "/end", "");
        assertThat(self.statusCode()).isEqualTo(302);
        assertThat(location(self))
                .as("ending this browser's own session signs it out")
                .endsWith("/signin?signedout");
        assertRedirectedToSignIn(here);
    }

    // ---- API tokens ----------------------------------------------------------------------------

    @Test
    void tokenWhenCreatedOnTheAccountPageThenShownOnceWorksAsBearerAndStopsAfterRevoke() throws Exception {
        HttpClient client = signedIn("bob", BOB_PASSWORD);
        HttpResponse<String> form = server.get(client, "/account/tokens");
        assertThat(form.body())
                .contains("id=\"scope-tokens-write\"")
                .contains("id=\"scope-sessions-write\"")
                .as("administrative scopes are not offered to a user")
                .doesNotContain("id=\"scope-users-read\"");

        HttpResponse<String> created = server.submit(
                client,
                "/account/tokens",
                "/account/tokens",
                "name=" + enc("release pipeline") + "&scopes=" + enc("tokens:write") + "&scopes="
                        + enc("sessions:write") + "&expiry=30");
        assertThat(created.statusCode()).as("answered directly, no redirect").isEqualTo(200);
        assertThat(created.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        List<String> secrets = all(SECRET, created.body());
        assertThat(secrets).as("the secret appears exactly once").hasSize(1);
        String secret = secrets.getFirst();
        assertThat(created.body()).contains("It will not be shown again");

        HttpResponse<String> list = server.get(client, "/account/tokens");
        assertThat(list.body())
                .doesNotContain(secret)
                .doesNotContainPattern(SECRET)
                .contains("release pipeline")
                .contains("…" + secret.substring(secret.length() - 4))
                .contains("tokens:write");

        HttpResponse<String> me = bearer(secret, "/api/v1/me");
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"bob\"").contains("release pipeline");
        assertThat(tokens().authenticate(secret)).isPresent();

        String tokenId = all(Pattern.compile("id=\"revoke-([0-9a-f-]{36})\""), list.body())
                .getFirst();
        HttpResponse<String> revoked =
                server.submit(client, "/account/tokens", "/account/tokens/" + tokenId + "/revoke", "");
        assertThat(revoked.statusCode()).isEqualTo(302);
        assertThat(server.get(client, "/account/tokens").body())
                .contains("is revoked")
                .contains("id=\"token-status-" + tokenId + "\">revoked<");
        assertThat(bearer(secret, "/api/v1/me").statusCode()).isEqualTo(401);
        assertThat(tokens().authenticate(secret)).isEmpty();
    }

    @Test
    void tokenWhenScopeNeedsAdministratorOrNoScopeThen400AndNothingCreated() throws Exception {
        HttpClient client = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> admin = server.submit(
                client,
                "/account/tokens",
                "/account/tokens",
                "name=sneaky&scopes=" + enc("users:write") + "&expiry=30");
        assertThat(admin.statusCode()).isEqualTo(400);
        assertThat(admin.body()).contains("needs an administrator account").doesNotContainPattern(SECRET);

        HttpResponse<String> none =
                server.submit(client, "/account/tokens", "/account/tokens", "name=empty&expiry=never");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("at least one scope");

        HttpResponse<String> forever =
                server.submit(client, "/account/tokens", "/account/tokens", "name=odd&scopes=tokens:write&expiry=9999");
        assertThat(forever.statusCode()).isEqualTo(400);
        assertThat(forever.body()).contains("data-code=\"token.expiry_invalid\"");
        assertThat(tokens().forUser(bob.id())).isEmpty();
    }

    // ---- the administrator's user pages ------------------------------------------------------

    @Test
    void adminWhenManagingAUserThenCreatesEditsDisablesEnablesAndDeletes() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);

        HttpResponse<String> created = server.submit(
                admin,
                "/admin/users",
                "/admin/users",
                "username=carol&email=" + enc("carol@example.test") + "&displayName=Carol&role=user&kind=person"
                        + "&password=" + enc(NEW_PASSWORD));
        assertThat(created.statusCode()).isEqualTo(302);
        String carolPage = location(created).substring(location(created).indexOf("/admin/users/"));
        String carolId = carolPage.substring("/admin/users/".length());
        HttpResponse<String> page = server.get(admin, carolPage);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("User carol is created.").contains("id=\"user-title\">carol<");
        assertThat(server.get(admin, "/admin/users?q=CAR").body()).contains("id=\"user-carol\"");

        HttpResponse<String> taken =
                server.submit(admin, "/admin/users", "/admin/users", "username=Carol&role=user&kind=person");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(taken.body()).contains("already taken").contains("value=\"Carol\"");
        HttpResponse<String> serviceWithPassword = server.submit(
                admin,
                "/admin/users",
                "/admin/users",
                "username=ci-bot&role=user&kind=service&password=" + enc(NEW_PASSWORD));
        assertThat(serviceWithPassword.statusCode()).isEqualTo(400);
        assertThat(serviceWithPassword.body()).contains("service account has no password");
        assertThat(accounts().byUsername("ci-bot")).isEmpty();

        HttpResponse<String> edited = server.submit(
                admin,
                carolPage,
                carolPage + "/profile",
                "email=" + enc("caroline@example.test") + "&displayName=Caroline&role=user");
        assertThat(edited.statusCode()).isEqualTo(302);
        assertThat(accounts().get(carolId))
                .extracting(User::email, User::displayName, User::role)
                .containsExactly("caroline@example.test", "Caroline", User.Role.USER);

        HttpClient carol = signedIn("carol", NEW_PASSWORD);
        HttpResponse<String> disabled = server.submit(admin, carolPage, carolPage + "/disable", "");
        assertThat(disabled.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, carolPage).body())
                .contains("carol is disabled")
                .contains("id=\"user-status\">disabled<");
        assertRedirectedToSignIn(carol);
        assertThat(signIn(TestServer.browserLikeClient(), "carol", NEW_PASSWORD))
                .as("a disabled account cannot sign in")
                .isFalse();

        HttpResponse<String> enabled = server.submit(admin, carolPage, carolPage + "/enable", "");
        assertThat(enabled.statusCode()).isEqualTo(302);
        assertThat(accounts().get(carolId).active()).isTrue();
        carol = signedIn("carol", NEW_PASSWORD);

        HttpResponse<String> confirm = server.get(admin, carolPage + "/delete");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body()).contains("I understand that carol will be deleted");
        HttpResponse<String> unconfirmed = server.submit(admin, carolPage + "/delete", carolPage + "/delete", "");
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(unconfirmed.body()).contains("tick the box");
        assertThat(accounts().byUsername("carol")).isPresent();

        HttpResponse<String> deleted =
                server.submit(admin, carolPage + "/delete", carolPage + "/delete", "confirm=yes");
        assertThat(deleted.statusCode()).isEqualTo(302);
        assertThat(location(deleted)).endsWith("/admin/users");
        assertThat(server.get(admin, "/admin/users").body()).contains("User carol is deleted.");
        assertThat(accounts().byUsername("carol")).isEmpty();
        assertRedirectedToSignIn(carol);
        assertThat(server.get(admin, carolPage).statusCode()).isEqualTo(404);
        assertThat(audit().recent(30, null))
                .extracting(AuditRecord::type)
                .contains("user.created", "user.updated", "user.disabled", "user.enabled", "user.deleted");
    }

    @Test
    void adminWhenLastAdministratorDisablesDemotesOrDeletesThemselvesThen409WithTheReason() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        String rootPage = "/admin/users/" + root.id();

        HttpResponse<String> disable = server.submit(admin, rootPage, rootPage + "/disable", "");
        assertThat(disable.statusCode()).isEqualTo(409);
        assertThat(disable.body()).contains("data-code=\"user.last_admin\"").contains("last active administrator");

        HttpResponse<String> demote = server.submit(admin, rootPage, rootPage + "/profile", "role=user");
        assertThat(demote.statusCode()).isEqualTo(409);

        HttpResponse<String> delete = server.submit(admin, rootPage + "/delete", rootPage + "/delete", "confirm=yes");
        assertThat(delete.statusCode()).isEqualTo(409);
        assertThat(delete.body()).contains("last active administrator");

        assertThat(accounts().get(root.id()))
                .extracting(User::active, User::role)
                .containsExactly(true, User.Role.ADMIN);
        assertThat(server.get(admin, "/admin/users").statusCode())
                .as("still signed in")
                .isEqualTo(200);
    }

    @Test
    void adminWhenEndingAUsersSessionsThenTheirClientsAreSignedOutAndItIsAudited() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpClient phone = signedIn("bob", BOB_PASSWORD);
        HttpClient laptop = signedIn("bob", BOB_PASSWORD);
        String bobPage = "/admin/users/" + bob.id();
        assertThat(server.get(admin, bobPage).body()).contains("Signed in on 2 devices.");

        HttpResponse<String> r = server.submit(admin, bobPage, bobPage + "/sessions/end-all", "");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, bobPage).body()).contains("2 sessions of bob were ended.");
        assertRedirectedToSignIn(phone);
        assertRedirectedToSignIn(laptop);
        assertThat(audit().recent(5, "user.sessions_ended"))
                .singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("root"))
                .satisfies(e -> assertThat(e.subject()).isEqualTo("bob"));
        assertThat(server.get(admin, "/admin/users").statusCode()).isEqualTo(200);

        HttpClient again = signedIn("bob", BOB_PASSWORD);
        String sessionId = all(
                        Pattern.compile("id=\"end-session-([0-9a-f-]{36})\""),
                        server.get(admin, bobPage).body())
                .getFirst();
        HttpResponse<String> one = server.submit(admin, bobPage, bobPage + "/sessions/" + sessionId + "/end", "");
        assertThat(one.statusCode()).isEqualTo(302);
        assertRedirectedToSignIn(again);
    }

    @Test
    void adminWhenClearingASignInDelayThenTheUserMaySignInAgainAtOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(signIn(TestServer.browserLikeClient(), "bob", "a wrong guess number " + i))
                    .isFalse();
        }
        SignInGuard guard = bean(SignInGuard.class);
        assertThat(guard.account(Usernames.key("bob")))
                .hasValueSatisfying(s -> assertThat(s.failures()).isEqualTo(5))
                .hasValueSatisfying(s -> assertThat(s.delayedUntil()).isPresent());
        HttpResponse<String> throttled = signInResponse(TestServer.browserLikeClient(), "bob", BOB_PASSWORD);
        assertThat(location(throttled)).as("even the right password waits").contains("/signin?throttled=");

        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        String bobPage = "/admin/users/" + bob.id();
        HttpResponse<String> page = server.get(admin, bobPage);
        assertThat(page.body())
                .contains("5 failed attempts in a row")
                .contains("id=\"delay-until\"")
                .contains("id=\"clear-delay\"")
                .contains("wrong password")
                .contains("too many attempts");

        HttpResponse<String> cleared = server.submit(admin, bobPage, bobPage + "/sign-in-delay/clear", "");
        assertThat(cleared.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, bobPage).body())
                .contains("sign-in delay of bob is cleared")
                .contains("No failed sign-ins remembered.");
        assertThat(guard.account(Usernames.key("bob"))).isEmpty();
        assertThat(signIn(TestServer.browserLikeClient(), "bob", BOB_PASSWORD)).isTrue();
        assertThat(audit().recent(5, "auth.throttle_cleared")).isNotEmpty();
    }

    @Test
    void adminWhenSettingAPasswordThenAllTheUsersSessionsEndAndTheNewOneWorks() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpClient bobClient = signedIn("bob", BOB_PASSWORD);
        String bobPage = "/admin/users/" + bob.id();

        HttpResponse<String> weak =
                server.submit(admin, bobPage, bobPage + "/password", "password=short&confirm=short");
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body()).contains("id=\"password-error\"").contains("at least");

        HttpResponse<String> set = server.submit(
                admin,
                bobPage,
                bobPage + "/password",
                "password=" + enc(NEW_PASSWORD) + "&confirm=" + enc(NEW_PASSWORD));
        assertThat(set.statusCode()).isEqualTo(302);
        assertRedirectedToSignIn(bobClient);
        assertThat(signIn(TestServer.browserLikeClient(), "bob", NEW_PASSWORD)).isTrue();
    }

    @Test
    void adminUserPageWhenUnknownIdThen404WithNotice() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpResponse<String> r = server.get(admin, "/admin/users/00000000-0000-0000-0000-000000000000");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no such user").contains("id=\"users\"");
        HttpResponse<String> post =
                server.submit(admin, "/admin/users", "/admin/users/00000000-0000-0000-0000-000000000000/disable", "");
        assertThat(post.statusCode()).isEqualTo(404);
    }

    // ---- sign-in history -------------------------------------------------------------------------

    @Test
    void adminSignInHistoryWhenFilteredByUsernameAndOutcomeThenOnlyThoseAttempts() throws Exception {
        signIn(TestServer.browserLikeClient(), "bob", "a wrong guess number 1");
        signIn(TestServer.browserLikeClient(), "bob", "a wrong guess number 2");
        signIn(TestServer.browserLikeClient(), "nobody", "a wrong guess number 3");
        signedIn("bob", BOB_PASSWORD);
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);

        HttpResponse<String> everything = server.get(admin, "/admin/sign-ins");
        assertThat(everything.statusCode()).isEqualTo(200);
        assertThat(rows(everything.body())).isEqualTo(5);
        assertThat(everything.body()).contains("no such user").contains("id=\"no-blocks\"");
        String filterForm = everything.body().substring(everything.body().indexOf("id=\"filters\""));
        assertThat(filterForm.substring(0, filterForm.indexOf("</form>")))
                .as("a GET form carries no CSRF token into URLs")
                .doesNotContain("_csrf");

        HttpResponse<String> bobFailures = server.get(admin, "/admin/sign-ins?username=BOB&outcome=failure");
        assertThat(rows(bobFailures.body())).isEqualTo(2);
        assertThat(bobFailures.body())
                .contains("wrong password")
                .doesNotContain(">nobody<")
                .contains("value=\"BOB\"")
                .contains("<option value=\"failure\" selected=\"selected\">");
        assertThat(rows(server.get(admin, "/admin/sign-ins?username=bob").body()))
                .isEqualTo(3);
        assertThat(rows(server.get(admin, "/admin/sign-ins?outcome=success").body()))
                .isEqualTo(2);
        String today = java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC)
                .toString();
        assertThat(rows(server.get(admin, "/admin/sign-ins?since=" + today + "&until=" + today)
                        .body()))
                .isEqualTo(5);
        assertThat(rows(server.get(admin, "/admin/sign-ins?until=2000-01-01").body()))
                .isZero();

        HttpResponse<String> page = server.get(admin, "/admin/sign-ins?limit=2&offset=2");
        assertThat(rows(page.body())).isEqualTo(2);
        assertThat(page.body()).contains("id=\"previous-page\"").contains("id=\"next-page\"");

        HttpResponse<String> badDate = server.get(admin, "/admin/sign-ins?since=yesterday");
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(badDate.body()).contains("2025-01-31").doesNotContain("Exception");
    }

    @Test
    void adminSignInsWhenAnAddressIsBlockedThenListedAndLiftable() throws Exception {
        SignInGuard guard = bean(SignInGuard.class);
        for (int i = 0; i < 25; i++) {
            guard.failed("user" + i, "203.0.113.9", "guess " + i);
        }
        assertThat(guard.activeBlocks()).extracting(SignInGuard.Block::ip).containsExactly("203.0.113.9");
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);

        HttpResponse<String> page = server.get(admin, "/admin/sign-ins");
        assertThat(page.body())
                .contains("203.0.113.9")
                .contains("credential stuffing")
                .contains("id=\"lift-203-0-113-9\"");

        HttpResponse<String> lifted =
                server.submit(admin, "/admin/sign-ins", "/admin/sign-ins/blocks/lift", "ip=203.0.113.9");
        assertThat(lifted.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, "/admin/sign-ins").body()).contains("The block on 203.0.113.9 is lifted.");
        assertThat(guard.activeBlocks()).isEmpty();
    }

    @Test
    void accountPageWhenSignedInThenListsTheUsersOwnRecentSignInsInWords() throws Exception {
        signIn(TestServer.browserLikeClient(), "bob", "a wrong guess number 1");
        signIn(TestServer.browserLikeClient(), "root", "a wrong guess number 2");
        HttpClient client = signedIn("bob", BOB_PASSWORD);

        HttpResponse<String> page = server.get(client, "/account");
        assertThat(rows(page.body())).as("bob's two attempts, not root's").isEqualTo(2);
        assertThat(page.body())
                .contains("wrong password")
                .contains("signet-tests")
                .contains("Last 2 attempts");
    }

    @Test
    void devicesWhenCommonUserAgentsThenShortLabelsForPeople() {
        assertThat(Devices.label("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/131.0.0.0 Safari/537.36"))
                .isEqualTo("Chrome on Linux");
        assertThat(Devices.label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"))
                .isEqualTo("Edge on Windows");
        assertThat(Devices.label("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0"))
                .isEqualTo("Firefox on macOS");
        assertThat(Devices.label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
                        + " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"))
                .isEqualTo("Safari on iPhone");
        assertThat(Devices.label("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
                        + " Chrome/131.0.0.0 Mobile Safari/537.36"))
                .isEqualTo("Chrome on Android");
        assertThat(Devices.label("curl/8.5.0")).isEqualTo("curl");
        assertThat(Devices.label("signet-tests")).isEqualTo("signet-tests");
        assertThat(Devices.label(null)).isEqualTo("Unknown device");
        assertThat(Devices.label("  ")).isEqualTo("Unknown device");
        assertThat(Devices.label("x".repeat(500))).hasSizeLessThanOrEqualTo(41);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    private AccountService accounts() {
        return bean(AccountService.class);
    }

    private TokenService tokens() {
        return bean(TokenService.class);
    }

    private AuditLog audit() {
        return bean(AuditLog.class);
    }

    private HttpResponse<String> signInResponse(HttpClient client, String username, String password) throws Exception {
        return server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
    }

    /** Whether the sign-in succeeded (a redirect to the console rather than back to the form). */
    private boolean signIn(HttpClient client, String username, String password) throws Exception {
        HttpResponse<String> r = signInResponse(client, username, password);
        assertThat(r.statusCode()).isEqualTo(302);
        return !location(r).contains("/signin");
    }

    private HttpClient signedIn(String username, String password) throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        assertThat(signIn(client, username, password))
                .as("sign-in of " + username)
                .isTrue();
        return client;
    }

    private HttpResponse<String> changePassword(HttpClient client, String current, String next, boolean endOthers)
            throws Exception {
        return server.submit(
                client,
                "/account",
                "/account/password",
                "current=" + enc(current) + "&password=" + enc(next) + "&confirm=" + enc(next)
                        + (endOthers ? "&endOthers=true" : ""));
    }

    private void assertRedirectedToSignIn(HttpClient client) throws Exception {
        HttpResponse<String> r = server.get(client, "/account");
        assertThat(r.statusCode()).as("signed out").isEqualTo(302);
        assertThat(location(r)).endsWith("/signin");
    }

    private HttpResponse<String> bearer(String secret, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(server.uri(path))
                                .header("Authorization", "Bearer " + secret)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private String rowIdOfOnlySession(User user) {
        var sessions = bean(DbSessionRepository.class).forUser(user.id());
        assertThat(sessions).hasSize(1);
        return sessions.getFirst().id();
    }

    private static String location(HttpResponse<String> r) {
        return r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location header"));
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.groupCount() > 0 ? m.group(1) : m.group());
        }
        return found;
    }

    /** Rows of sign-in attempts in a page. */
    private static int rows(String html) {
        return all(Pattern.compile("<tr class=\"attempt\">"), html).size();
    }
}

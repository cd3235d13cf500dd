package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.SignetServer;
import dev.signet.server.account.SetupService;
import dev.signet.server.config.SignetSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client commands against a real server started in this JVM: a token made offline from the
 * shell, {@code login --token-stdin}, the credentials file, the environment variables CI uses, and
 * what a revoked token or an unreachable server looks like to the operator.
 */
class ApiCommandsTest {
    static final String PASSWORD = "violet quartz harbour lantern 7319";

    @TempDir
    static Path dataDir;

    static SignetServer.Running server;

    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final InputStream originalIn = System.in;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeAll
    static void startServer() {
        SignetSettings settings = SignetSettings.read(
                Map.of(
                        "SIGNET_DATA_DIR", dataDir.toString(),
                        "SIGNET_HOST", "127.0.0.1",
                        "SIGNET_PORT", "0",
                        "SIGNET_SHUTDOWN_TIMEOUT_SECONDS", "2"),
                Map.of());
        server = SignetServer.start(settings, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
        server.context().getBean(SetupService.class).createAdminFromShell("root", null, PASSWORD);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void capture() {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.setIn(originalIn);
    }

    /** Runs the CLI with a private home directory (and so a private credentials file) plus {@code more}. */
    int run(Map<String, String> more, String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        out.reset();
        err.reset();
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.putAll(more);
        return Main.run(env, args);
    }

    int run(String stdin, String... args) {
        return run(Map.of(), stdin, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    String url() {
        return server.baseUrl().toString();
    }

    /** A token made from the shell, offline, as an operator of a headless install would. */
    String shellToken(String user, String scopes) {
        assertThat(run(
                        "",
                        "admin",
                        "create-token",
                        "--user",
                        user,
                        "--scopes",
                        scopes,
                        "--data-dir",
                        dataDir.toString()))
                .as(err())
                .isZero();
        assertThat(out()).matches("sgt_[A-Za-z0-9_-]{43}\\R");
        assertThat(err()).contains("shown once").doesNotContain(out().strip());
        return out().strip();
    }

    Path credentials() {
        return home.resolve("config").resolve("signet").resolve("credentials");
    }

    @Test
    void loginWhenTokenFromTheShellThenWhoamiAndUsersWorkAndTheFileIsPrivate() throws Exception {
        String token = shellToken("root", "users:read users:write tokens:write");

        assertThat(run(token + "\n", "login", "--url", url(), "--token-stdin"))
                .as(err())
                .isZero();
        assertThat(out()).contains("Logged in to " + url() + " as root").doesNotContain(token);
        assertThat(Files.getPosixFilePermissions(credentials()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(credentials().getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (var leftovers = Files.list(credentials().getParent())) {
            assertThat(leftovers).containsExactly(credentials());
        }

        assertThat(run("", "whoami")).as(err()).isZero();
        assertThat(out())
                .contains("root (admin, person)")
                .contains("users:read")
                .doesNotContain(token);

        assertThat(run("", "users", "create", "--username", "ci-bot", "--service"))
                .as(err())
                .isZero();
        assertThat(run(PASSWORD + "\n", "users", "create", "--username", "erin", "--email", "erin@example.test"))
                .as(err())
                .isZero();
        assertThat(run("", "users", "list")).as(err()).isZero();
        assertThat(out())
                .contains("USERNAME")
                .contains("ci-bot")
                .contains("erin@example.test")
                .contains("root");
        assertThat(run("", "users", "list", "--query", "ERI", "--json")).isZero();
        JsonNode listed = JsonMapper.builder().build().readTree(out());
        assertThat(listed.path("total").asInt()).isEqualTo(1);
        assertThat(listed.path("users").get(0).path("username").asString()).isEqualTo("erin");

        assertThat(run("", "users", "factors", "erin")).as(err()).isZero();
        assertThat(out()).contains("Policy in force:  off", "Authenticators:   0");
        assertThat(run("", "users", "mfa", "erin", "--required", "any"))
                .as(err())
                .isZero();
        assertThat(out()).contains("second factor policy any");
        assertThat(run("", "users", "mfa", "erin", "--required", "sometimes")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("mfaRequired");
        assertThat(run("", "users", "reset-factors", "erin")).as(err()).isZero();
        assertThat(out()).contains("0 second factor(s) removed");
        assertThat(run("", "users", "disable", "ERIN")).as(err()).isZero();
        assertThat(out()).contains("User 'erin' disabled.");
        assertThat(run("", "users", "delete", "erin")).as(err()).isZero();
        assertThat(run("", "users", "delete", "erin")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("no user named 'erin'");
        assertThat(run("", "users", "disable", "root")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[user.last_admin]").doesNotContain("Exception");

        // A stored token never goes to another server named only by SIGNET_URL.
        assertThat(run(Map.of("SIGNET_URL", "http://127.0.0.1:1"), "", "whoami"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("stored login is for " + url()).doesNotContain("cannot connect");
        assertThat(run(Map.of("SIGNET_URL", url() + "/"), "", "whoami")).isZero();

        assertThat(run("", "logout")).isZero();
        assertThat(credentials()).doesNotExist();
        assertThat(run("", "whoami")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("not logged in");
    }

    @Test
    void createTokenWhenUnknownUserOrScopesTheRoleForbidsThenExitOneWithTheReason() {
        assertThat(run(
                        "",
                        "admin",
                        "create-token",
                        "--user",
                        "nobody",
                        "--scopes",
                        "users:read",
                        "--data-dir",
                        dataDir.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("no user named 'nobody'");
        assertThat(out()).isEmpty();
        assertThat(run(
                        "",
                        "admin",
                        "create-token",
                        "--user",
                        "root",
                        "--scopes",
                        "users:rule",
                        "--data-dir",
                        dataDir.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("unknown scope 'users:rule'");

        String token = shellToken("root", "users:write");
        run(
                Map.of("SIGNET_URL", url(), "SIGNET_TOKEN", token),
                "",
                "users",
                "create",
                "--username",
                "frank",
                "--no-password");
        assertThat(run(
                        "",
                        "admin",
                        "create-token",
                        "--user",
                        "frank",
                        "--scopes",
                        "users:read",
                        "--data-dir",
                        dataDir.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("needs an administrator account");
        assertThat(run(
                        "",
                        "admin",
                        "create-token",
                        "--user",
                        "frank",
                        "--scopes",
                        "tokens:write",
                        "--expires",
                        "soon",
                        "--data-dir",
                        dataDir.toString()))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("--expires");
        assertThat(out()).isEmpty();
    }

    @Test
    void environmentWhenSignetUrlAndTokenAreSetThenCommandsWorkWithoutLogin() {
        String token = shellToken("root", "users:read");
        Map<String, String> ci = Map.of("SIGNET_URL", url() + "/", "SIGNET_TOKEN", token);
        assertThat(run(ci, "", "whoami")).as(err()).isZero();
        assertThat(out()).contains("root (admin");
        assertThat(run(ci, "", "users", "list")).as(err()).isZero();
        assertThat(out()).contains("root");
        assertThat(credentials()).doesNotExist();

        assertThat(run(ci, "", "users", "create", "--username", "gina", "--service"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[auth.insufficient_scope]").doesNotContain(token);
    }

    @Test
    void tokenWhenRevokedThenCommandsFailWithTokenInvalidAndNeverShowTheToken() {
        String admin = shellToken("root", "tokens:write users:read");
        Map<String, String> ci = Map.of("SIGNET_URL", url(), "SIGNET_TOKEN", admin);
        assertThat(run(
                        ci,
                        "",
                        "tokens",
                        "create",
                        "--name",
                        "short-lived",
                        "--scopes",
                        "users:read",
                        "--expires",
                        "7d"))
                .as(err())
                .isZero();
        String child = out().strip();
        assertThat(child).startsWith("sgt_");
        assertThat(err()).contains("shown once");
        assertThat(run(ci, "", "tokens", "list")).isZero();
        assertThat(out()).contains("short-lived").doesNotContain(child).doesNotContain(admin);
        String id = out().lines()
                .filter(l -> l.startsWith("short-lived"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".*\\s", "");

        assertThat(run(Map.of("SIGNET_URL", url(), "SIGNET_TOKEN", child), "", "whoami"))
                .isZero();
        assertThat(run(ci, "", "tokens", "revoke", id)).as(err()).isZero();
        assertThat(run(Map.of("SIGNET_URL", url(), "SIGNET_TOKEN", child), "", "users", "list"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err())
                .contains("[auth.token_invalid]")
                .contains("signet login")
                .doesNotContain(child)
                .doesNotContain("Exception");

        assertThat(run(child + "\n", "login", "--url", url(), "--token-stdin")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[auth.token_invalid]");
        assertThat(credentials()).doesNotExist();
    }

    @Test
    void commandWhenTheServerCannotBeReachedThenExitOneNamingTheUrl() {
        Map<String, String> ci = Map.of("SIGNET_URL", "http://127.0.0.1:1", "SIGNET_TOKEN", "sgt_" + "x".repeat(43));
        assertThat(run(ci, "", "whoami")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("cannot connect to http://127.0.0.1:1").doesNotContain("sgt_");
        assertThat(run(Map.of("SIGNET_URL", "ftp://example.test", "SIGNET_TOKEN", "t"), "", "whoami"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("http(s) URL");
        assertThat(run("", "login", "--url", url())).isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("--token-stdin");
    }
}

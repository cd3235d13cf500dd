package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.signet.server.SignetServer;
import dev.signet.server.account.SetupService;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.oidc.ClientService;
import dev.signet.server.oidc.OidcClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet clients} against a real server started in this JVM: a web app with its secret
 * printed once, a {@code private_key_jwt} service from a JWK Set file, changes that keep what was not
 * given, secret rotation, deletion, and refusals as exit codes with the server's stable code.
 */
class ClientsCommandTest {
    static final String ADMIN_PASSWORD = "violet quartz harbour lantern 7319";
    private static final Pattern ID = Pattern.compile("client_id:\\s+(sgc_[A-Za-z0-9_-]{22})");
    private static final Pattern SECRET = Pattern.compile("client_secret:\\s+(sgcs_[A-Za-z0-9_-]{43})");

    @TempDir
    static Path dataDir;

    static SignetServer.Running server;

    @TempDir
    Path home;

    @TempDir
    Path work;

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
        server.context().getBean(SetupService.class).createAdminFromShell("root", null, ADMIN_PASSWORD);
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

    int run(Map<String, String> more, String... args) {
        System.setIn(new ByteArrayInputStream(new byte[0]));
        out.reset();
        err.reset();
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.putAll(more);
        return Main.run(env, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** A token minted from the shell for the administrator, and the environment CI would set. */
    Map<String, String> ci(String scopes) {
        assertThat(run(
                        Map.of(),
                        "admin",
                        "create-token",
                        "--user",
                        "root",
                        "--scopes",
                        scopes,
                        "--data-dir",
                        dataDir.toString()))
                .as(err())
                .isZero();
        return Map.of("SIGNET_URL", server.baseUrl().toString(), "SIGNET_TOKEN", out().strip());
    }

    String ok(Map<String, String> env, String... args) {
        assertThat(run(env, args))
                .as("%s\nstdout: %s\nstderr: %s", List.of(args), out(), err())
                .isZero();
        return out();
    }

    static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

    ClientService clients() {
        return server.context().getBean(ClientService.class);
    }

    @Test
    void clientsWhenAWebAppIsManagedFromTheCommandLineThenTheSecretIsPrintedOnceAndChangesKeepTheRest() {
        Map<String, String> env = ci("clients:admin");
        String created = ok(
                env,
                "clients",
                "create",
                "--name",
                "Wiki",
                "--redirect-uri",
                "https://wiki.example.com/callback",
                "--grant",
                "authorization_code,refresh_token",
                "--scope",
                "openid profile email offline_access",
                "--access-ttl",
                "10m",
                "--refresh-ttl",
                "14d",
                "--no-consent");
        String id = group(ID, created);
        String secret = group(SECRET, created);
        assertThat(err()).contains("shown once");
        OidcClient client = clients().get(id);
        assertThat(clients().secretMatches(client, secret)).isTrue();
        assertThat(client.accessTokenTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(client.refreshTokenTtl()).isEqualTo(Duration.ofDays(14));
        assertThat(client.consent()).isFalse();

        String listed = ok(env, "clients", "list");
        assertThat(listed)
                .contains("Wiki", id, "authorization_code,refresh_token", "enabled")
                .doesNotContain(secret);
        String shown = ok(env, "clients", "show", id);
        assertThat(shown)
                .contains("https://wiki.example.com/callback", "(secret set)", "10m", "14d")
                .doesNotContain(secret);
        JsonNode json = ApiClient.JSON.readTree(ok(env, "clients", "show", id, "--json"));
        assertThat(json.path("client_id").asString()).isEqualTo(id);
        assertThat(json.has("client_secret")).isFalse();

        // update keeps what is not given
        ok(env, "clients", "update", id, "--name", "Team wiki", "--require-mfa", "--disable");
        OidcClient updated = clients().get(id);
        assertThat(updated.name()).isEqualTo("Team wiki");
        assertThat(updated.requireMfa()).isTrue();
        assertThat(updated.enabled()).isFalse();
        assertThat(updated.redirectUris()).containsExactly("https://wiki.example.com/callback");
        assertThat(updated.scopes()).containsExactly("openid", "profile", "email", "offline_access");
        assertThat(updated.accessTokenTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(updated.consent()).isFalse();
        assertThat(clients().secretMatches(updated, secret)).isTrue();

        // rotate: the new secret alone on stdout, the old one dead
        String rotated = ok(env, "clients", "rotate-secret", id).strip();
        assertThat(rotated).matches("sgcs_[A-Za-z0-9_-]{43}").isNotEqualTo(secret);
        assertThat(clients().secretMatches(clients().get(id), rotated)).isTrue();
        assertThat(clients().secretMatches(clients().get(id), secret)).isFalse();

        ok(env, "clients", "delete", id);
        assertThat(clients().find(id)).isEmpty();
        assertThat(run(env, "clients", "show", id)).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[client.not_found]");
    }

    @Test
    void createWhenPrivateKeyJwtThenTheKeysComeFromTheJwksFileAndNoSecretIsPrinted() throws Exception {
        Map<String, String> env = ci("clients:admin");
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("sync-1").generate();
        Path jwks = work.resolve("sync.jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());

        String created = ok(
                env,
                "clients",
                "create",
                "--name",
                "Inventory sync",
                "--auth",
                "private_key_jwt",
                "--jwks",
                jwks.toString(),
                "--grant",
                "client_credentials",
                "--grant",
                "device_code",
                "--scope",
                "inventory:read");
        String id = group(ID, created);
        assertThat(created).doesNotContain("client_secret");
        OidcClient client = clients().get(id);
        assertThat(JWKSet.parse(client.jwks()).getKeyByKeyId("sync-1").toECKey().toECPublicKey())
                .isEqualTo(key.toECPublicKey());
        assertThat(client.grantTypes()).containsExactly(OidcClient.CLIENT_CREDENTIALS, OidcClient.DEVICE_CODE);
        assertThat(ok(env, "clients", "show", id)).contains("EC:sync-1", "device_code");

        // a private key is refused by the server, and nothing changes
        Path leaked = work.resolve("private.jwks.json");
        Files.writeString(leaked, new JWKSet(key).toString(false));
        assertThat(run(env, "clients", "update", id, "--jwks", leaked.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[client.jwks_invalid]");
        assertThat(clients().get(id)).isEqualTo(client);

        assertThat(run(env, "clients", "rotate-secret", id)).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[client.no_secret]");
    }

    @Test
    void createWhenTheKeyIsAnOpensslPemFileThenItsPublicKeyIsRegistered() throws Exception {
        Map<String, String> env = ci("clients:admin");
        Path privateKey = work.resolve("device.key");
        Path publicKey = work.resolve("device.pub");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", privateKey.toString());
        openssl("pkey", "-in", privateKey.toString(), "-pubout", "-out", publicKey.toString());

        String id = group(
                ID,
                ok(
                        env,
                        "clients",
                        "create",
                        "--name",
                        "Sensor",
                        "--auth",
                        "private_key_jwt",
                        "--jwks",
                        publicKey.toString(),
                        "--grant",
                        "device_code"));

        JWKSet stored = JWKSet.parse(clients().get(id).jwks());
        assertThat(stored.getKeys()).singleElement().satisfies(k -> {
            assertThat(k.isPrivate()).isFalse();
            assertThat(k.getKeyID()).isEqualTo(k.computeThumbprint().toString());
            assertThat(k.toECKey().toECPublicKey().getEncoded())
                    .isEqualTo(java.security.KeyFactory.getInstance("EC")
                            .generatePublic(new java.security.spec.X509EncodedKeySpec(java.util.Base64.getMimeDecoder()
                                    .decode(Files.readString(publicKey).replaceAll("-----[A-Z ]+-----", ""))))
                            .getEncoded());
        });
    }

    static void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
    }

    @Test
    void createWhenInputIsBadThenTheExitCodeSaysWhyAndNothingIsStored() throws Exception {
        Map<String, String> env = ci("clients:admin");
        assertThat(run(env, "clients", "create", "--name", "Bad", "--redirect-uri", "http://bad.example.com/cb"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[client.redirect_uri_invalid]");
        assertThat(run(
                        env,
                        "clients",
                        "create",
                        "--name",
                        "Bad",
                        "--type",
                        "public",
                        "--auth",
                        "client_secret_basic",
                        "--redirect-uri",
                        "https://bad.example.com/cb"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[client.auth_invalid]");
        assertThat(run(
                        env,
                        "clients",
                        "create",
                        "--name",
                        "Bad",
                        "--grant",
                        "implicit",
                        "--redirect-uri",
                        "https://bad.example.com/cb"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[client.grant_unknown]");
        assertThat(run(env, "clients", "create", "--name", "Bad", "--access-ttl", "soon"))
                .isEqualTo(Main.EXIT_USAGE);
        Path notJson = work.resolve("keys.pem");
        Files.writeString(notJson, "-----BEGIN PUBLIC KEY-----\n");
        assertThat(run(
                        env,
                        "clients",
                        "create",
                        "--name",
                        "Bad",
                        "--auth",
                        "private_key_jwt",
                        "--jwks",
                        notJson.toString(),
                        "--grant",
                        "client_credentials"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("holds no RSA or EC key");
        Files.writeString(notJson, "keys: none");
        assertThat(run(
                        env,
                        "clients",
                        "create",
                        "--name",
                        "Bad",
                        "--auth",
                        "private_key_jwt",
                        "--jwks",
                        notJson.toString(),
                        "--grant",
                        "client_credentials"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("neither JSON");
        assertThat(run(env, "clients", "create", "--redirect-uri", "https://x.example.com/cb"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(clients().list()).extracting(OidcClient::name).doesNotContain("Bad");

        Map<String, String> weak = ci("users:read");
        assertThat(run(weak, "clients", "list")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[auth.insufficient_scope]");
    }
}

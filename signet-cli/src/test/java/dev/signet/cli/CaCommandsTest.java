package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.SignetServer;
import dev.signet.server.account.SetupService;
import dev.signet.server.config.SignetSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code signet ca} and {@code signet certs} against a real server started in this JVM, with the
 * machine's {@code openssl} as the other side: it makes the requests and keys, and checks what the
 * CLI wrote (chains verify, the PKCS#12 opens, the CRL lists what was revoked).
 */
class CaCommandsTest {
    static final String ADMIN_PASSWORD = "violet quartz harbour lantern 7319";
    static final String P12_PASSWORD = "amber falcon meadow 2841";
    static final JsonMapper JSON = JsonMapper.builder().build();

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
                        "",
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

    /** Runs a command that must succeed. */
    String ok(Map<String, String> env, String stdin, String... args) {
        assertThat(run(env, stdin, args))
                .as("%s\nstdout: %s\nstderr: %s", List.of(args), out(), err())
                .isZero();
        return out();
    }

    record Result(int code, String output) {}

    /** Runs the machine's openssl in the work directory; stdout and stderr together. */
    Result openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }

    Result opensslOk(String... args) throws IOException, InterruptedException {
        Result r = openssl(args);
        assertThat(r.code()).as("openssl %s: %s", List.of(args), r.output()).isZero();
        return r;
    }

    /** A P-256 key and CSR for {@code cn}, as an operator makes them. */
    Path csr(String cn) throws Exception {
        opensslOk(
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=" + cn,
                "-keyout",
                cn + ".key.pem",
                "-out",
                cn + ".csr");
        return work.resolve(cn + ".csr");
    }

    /** The serial as {@code openssl x509 -serial} prints it: upper-case hex. */
    String opensslSerial(String file, String... inform) throws Exception {
        List<String> args = new ArrayList<>(List.of("x509", "-in", file, "-noout", "-serial"));
        args.addAll(List.of(inform));
        String line = opensslOk(args.toArray(String[]::new)).output().strip();
        assertThat(line).startsWith("serial=");
        return line.substring("serial=".length());
    }

    List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void issueWhenCsrFromOpensslThenTheChainVerifiesAndRevocationReachesTheCrlAndInventory() throws Exception {
        Map<String, String> ci = ci("ca:admin ca:issue");
        ok(
                ci,
                "",
                "ca",
                "create-root",
                "--name",
                "root-a",
                "--key",
                "ec-p256",
                "--subject",
                "CN=Signet Test Root A,O=Signet Test",
                "--validity-days",
                "3650");
        assertThat(out()).contains("Root CA 'root-a' created").contains("ec-p256");
        ok(
                ci,
                "",
                "ca",
                "create-intermediate",
                "--name",
                "issuing-a",
                "--parent",
                "root-a",
                "--key",
                "ec-p384",
                "--subject",
                "CN=Signet Test Issuing A,O=Signet Test",
                "--path-length",
                "0");
        assertThat(out()).contains("Intermediate CA 'issuing-a' created").contains("ec-p384");

        ok(ci, "", "ca", "list");
        assertThat(out()).contains("NAME").contains("root-a").contains("issuing-a");
        ok(ci, "", "ca", "list", "--json");
        JsonNode cas = JSON.readTree(out()).path("cas");
        JsonNode issuing = null;
        for (JsonNode ca : cas) {
            if (ca.path("name").asString().equals("issuing-a")) {
                issuing = ca;
            }
        }
        assertThat(issuing).isNotNull();
        assertThat(issuing.path("parent").asString()).isEqualTo("root-a");
        assertThat(issuing.path("keyAlgorithm").asString()).isEqualTo("ec-p384");
        ok(ci, "", "ca", "show", "--name", "issuing-a");
        assertThat(out()).contains("CN=Signet Test Issuing A").contains("root-a");

        ok(
                ci,
                "",
                "ca",
                "chain",
                "--ca",
                "root-a",
                "--out",
                work.resolve("root.pem").toString());
        ok(
                ci,
                "",
                "ca",
                "chain",
                "--ca",
                "issuing-a",
                "--out",
                work.resolve("int.pem").toString());
        assertThat(Files.readString(work.resolve("int.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        ok(
                ci,
                "",
                "ca",
                "chain",
                "--ca",
                "issuing-a",
                "--p7b",
                "--out",
                work.resolve("int.p7b").toString());
        assertThat(opensslOk("pkcs7", "-inform", "DER", "-in", "int.p7b", "-print_certs", "-noout")
                        .output())
                .contains("Signet Test Issuing A");

        Path csr = csr("test.example");
        ok(
                ci,
                "",
                "ca",
                "issue",
                "--ca",
                "issuing-a",
                "--profile",
                "tls-server",
                "--csr",
                csr.toString(),
                "--out",
                work.resolve("cert.pem").toString(),
                "--chain-out",
                work.resolve("chain.pem").toString());
        String serial = opensslSerial("cert.pem");
        String hex = serial.toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
        assertThat(out()).contains("Certificate " + hex + " issued by CA 'issuing-a'");
        assertThat(opensslOk("verify", "-CAfile", "root.pem", "-untrusted", "int.pem", "cert.pem")
                        .output())
                .contains("cert.pem: OK");
        assertThat(opensslOk(
                                "verify",
                                "-purpose",
                                "sslserver",
                                "-CAfile",
                                "root.pem",
                                "-untrusted",
                                "chain.pem",
                                "cert.pem")
                        .output())
                .contains("cert.pem: OK");
        assertThat(Files.getPosixFilePermissions(work.resolve("cert.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));

        // The certificate is never replaced by accident, and nothing is issued for a command that cannot save.
        String before = Files.readString(work.resolve("cert.pem"));
        assertThat(run(
                        ci,
                        "",
                        "ca",
                        "issue",
                        "--ca",
                        "issuing-a",
                        "--profile",
                        "tls-server",
                        "--csr",
                        csr.toString(),
                        "--out",
                        work.resolve("cert.pem").toString()))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("already exists").contains("--force");
        assertThat(Files.readString(work.resolve("cert.pem"))).isEqualTo(before);
        ok(ci, "", "certs", "list", "--ca", "issuing-a", "--profile", "tls-server", "--json");
        assertThat(JSON.readTree(out()).path("total").asInt()).isEqualTo(1);

        // openssl's spelling of the serial (upper case, maybe a leading zero) and RFC 5280's of the reason.
        ok(ci, "", "ca", "revoke", "--ca", "issuing-a", "--serial", serial, "--reason", "keyCompromise");
        assertThat(out()).contains("Certificate " + hex + " of CA 'issuing-a' revoked (keyCompromise)");

        ok(
                ci,
                "",
                "ca",
                "crl",
                "--ca",
                "issuing-a",
                "--out",
                work.resolve("crl.der").toString());
        String crlText = opensslOk("crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text")
                .output();
        assertThat(crlText.toUpperCase(Locale.ROOT)).contains("SERIAL NUMBER: " + serial);
        assertThat(crlText).contains("Key Compromise");
        Result revoked = openssl(
                "verify",
                "-crl_check",
                "-CRLfile",
                "crl.der",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "int.pem",
                "cert.pem");
        assertThat(revoked.code()).isNotZero();
        assertThat(revoked.output()).contains("certificate revoked");
        ok(
                ci,
                "",
                "ca",
                "crl",
                "--ca",
                "issuing-a",
                "--pem",
                "--out",
                work.resolve("crl.pem").toString());
        assertThat(Files.readString(work.resolve("crl.pem"))).startsWith("-----BEGIN X509 CRL-----");

        ok(ci, "", "certs", "list", "--status", "revoked");
        assertThat(out()).contains("SERIAL").contains(hex).contains("revoked (keyCompromise)");
        ok(ci, "", "certs", "list", "--status", "revoked", "--ca", "issuing-a", "--json");
        JsonNode listed = JSON.readTree(out());
        assertThat(listed.path("total").asInt()).isEqualTo(1);
        assertThat(listed.path("certificates").get(0).path("serial").asString()).isEqualTo(hex);
        // (the CA's own OCSP responder certificate is in the inventory too, under ocsp-signing)
        ok(ci, "", "certs", "list", "--status", "valid", "--ca", "issuing-a", "--profile", "tls-server", "--json");
        assertThat(JSON.readTree(out()).path("total").asInt()).isZero();

        ok(
                ci,
                "",
                "certs",
                "get",
                "--serial",
                hex,
                "--der",
                "--out",
                work.resolve("cert.der").toString());
        assertThat(opensslSerial("cert.der", "-inform", "DER")).isEqualTo(serial);
        ok(
                ci,
                "",
                "certs",
                "get",
                "--serial",
                hex,
                "--ca",
                "issuing-a",
                "--out",
                work.resolve("again.pem").toString());
        assertThat(Files.readString(work.resolve("again.pem"))).isEqualTo(before);

        assertThat(run(ci, "", "ca", "revoke", "--ca", "issuing-a", "--serial", hex, "--reason", "superseded"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[certificate.already_revoked]").doesNotContain("Exception");

        assertThat(filesIn(work)).noneMatch(name -> name.endsWith(".tmp"));
    }

    @Test
    void issueWhenGenerateForMeThenThePkcs12OpensWithOpensslAndOnlyItsOwnerCanReadIt() throws Exception {
        Map<String, String> ci = ci("ca:admin ca:issue");
        ok(ci, "", "ca", "create-root", "--name", "root-b", "--key", "ec-p256");
        ok(
                ci,
                "",
                "ca",
                "chain",
                "--ca",
                "root-b",
                "--out",
                work.resolve("root-b.pem").toString());

        Path p12 = work.resolve("gen.p12");
        String[] generate = {
            "ca",
            "issue",
            "--ca",
            "root-b",
            "--profile",
            "tls-server",
            "--subject",
            "CN=gen.example",
            "--san",
            "dns:gen.example",
            "--san",
            "IP:10.0.0.1",
            "--key",
            "ec-p256",
            "--p12",
            p12.toString()
        };
        ok(ci, P12_PASSWORD + "\n", generate);
        assertThat(out()).contains("issued by CA 'root-b'").contains("(mode 0600)");
        assertThat(err()).doesNotContain(P12_PASSWORD);
        assertThat(Files.getPosixFilePermissions(p12)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(filesIn(work)).containsExactly("gen.p12", "root-b.pem");

        // AES-256-CBC under PBKDF2, not RC2 or 3DES.
        assertThat(opensslOk("pkcs12", "-in", "gen.p12", "-noout", "-info", "-passin", "pass:" + P12_PASSWORD)
                        .output())
                .contains("PBES2, PBKDF2, AES-256-CBC")
                .doesNotContain("RC2")
                .doesNotContain("3DES");
        assertThat(openssl("pkcs12", "-in", "gen.p12", "-noout", "-passin", "pass:wrong")
                        .code())
                .isNotZero();
        opensslOk(
                "pkcs12",
                "-in",
                "gen.p12",
                "-clcerts",
                "-nokeys",
                "-out",
                "gen.crt",
                "-passin",
                "pass:" + P12_PASSWORD);
        assertThat(opensslOk("x509", "-in", "gen.crt", "-noout", "-text").output())
                .contains("DNS:gen.example")
                .contains("IP Address:10.0.0.1");
        assertThat(opensslOk("verify", "-purpose", "sslserver", "-CAfile", "root-b.pem", "gen.crt")
                        .output())
                .contains("gen.crt: OK");

        byte[] first = Files.readAllBytes(p12);
        assertThat(run(ci, P12_PASSWORD + "\n", generate)).isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("already exists");
        assertThat(Files.readAllBytes(p12)).isEqualTo(first);
        String[] forced =
                Stream.concat(Stream.of(generate), Stream.of("--force")).toArray(String[]::new);
        ok(ci, P12_PASSWORD + "\n", forced);
        assertThat(Files.readAllBytes(p12)).isNotEqualTo(first);
        assertThat(Files.getPosixFilePermissions(p12)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Path prefix = work.resolve("host");
        ok(
                ci,
                P12_PASSWORD + "\n",
                "ca",
                "issue",
                "--ca",
                "root-b",
                "--profile",
                "tls-client",
                "--subject",
                "CN=client.example",
                "--san",
                "email:ops@example.test",
                "--pem-out",
                prefix.toString());
        Path key = work.resolve("host.key");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(key)).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        opensslOk("pkey", "-in", "host.key", "-passin", "pass:" + P12_PASSWORD, "-noout");
        assertThat(opensslOk("verify", "-purpose", "sslclient", "-CAfile", "root-b.pem", "host.crt")
                        .output())
                .contains("host.crt: OK");
        assertThat(work.resolve("host.chain.crt")).exists();
        assertThat(filesIn(work)).noneMatch(name -> name.endsWith(".tmp"));
    }

    @Test
    void importWhenCaFromOpensslAsPemOrPkcs12ThenItIssuesUnderTheCompanyRoot() throws Exception {
        Map<String, String> ci = ci("ca:admin ca:issue");
        for (String name : List.of("corp-pem", "corp-p12")) {
            opensslOk(
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-subj",
                    "/CN=" + name + "/O=Corp",
                    "-days",
                    "365",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                    "-keyout",
                    name + ".key",
                    "-out",
                    name + ".crt");
        }
        ok(
                ci,
                "",
                "ca",
                "import",
                "--name",
                "corp-pem",
                "--cert-pem",
                work.resolve("corp-pem.crt").toString(),
                "--key-pem",
                work.resolve("corp-pem.key").toString());
        assertThat(out()).contains("CA 'corp-pem' imported");
        opensslOk(
                "pkcs12",
                "-export",
                "-inkey",
                "corp-p12.key",
                "-in",
                "corp-p12.crt",
                "-out",
                "corp.p12",
                "-passout",
                "pass:" + P12_PASSWORD);
        ok(
                ci,
                P12_PASSWORD + "\n",
                "ca",
                "import",
                "--name",
                "corp-p12",
                "--p12",
                work.resolve("corp.p12").toString(),
                "--password-stdin");

        Path csr = csr("imported.example");
        ok(
                ci,
                "",
                "ca",
                "issue",
                "--ca",
                "corp-p12",
                "--profile",
                "tls-client",
                "--csr",
                csr.toString(),
                "--out",
                work.resolve("imported.pem").toString());
        assertThat(opensslOk("verify", "-CAfile", "corp-p12.crt", "imported.pem")
                        .output())
                .contains("imported.pem: OK");

        assertThat(run(
                        ci,
                        "wrong password\n",
                        "ca",
                        "import",
                        "--name",
                        "corp-bad",
                        "--p12",
                        work.resolve("corp.p12").toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[import.bad_password]");
    }

    @Test
    void offlineWhenRootTakenOfflineThenItIssuesNothingUntilBroughtBackOnline() throws Exception {
        Map<String, String> ci = ci("ca:admin ca:issue");
        ok(ci, "", "ca", "create-root", "--name", "root-d", "--key", "ec-p256");
        ok(ci, "", "ca", "create-intermediate", "--name", "issuing-d", "--parent", "root-d", "--key", "ec-p256");

        Path backup = work.resolve("root-d.p12");
        ok(ci, P12_PASSWORD + "\n", "ca", "offline", "--name", "root-d", "--out", backup.toString());
        assertThat(out()).contains("offline");
        assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        opensslOk("pkcs12", "-in", "root-d.p12", "-noout", "-passin", "pass:" + P12_PASSWORD);
        ok(ci, "", "ca", "show", "--name", "root-d", "--json");
        assertThat(JSON.readTree(out()).path("status").asString()).isEqualToIgnoringCase("offline");

        Path target = work.resolve("from-offline.p12");
        assertThat(run(
                        ci,
                        P12_PASSWORD + "\n",
                        "ca",
                        "issue",
                        "--ca",
                        "root-d",
                        "--profile",
                        "tls-server",
                        "--subject",
                        "CN=offline.example",
                        "--p12",
                        target.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[ca.offline]");
        assertThat(filesIn(work)).containsExactly("root-d.p12");

        // The intermediate still issues; only roots go offline.
        ok(
                ci,
                P12_PASSWORD + "\n",
                "ca",
                "issue",
                "--ca",
                "issuing-d",
                "--profile",
                "tls-server",
                "--subject",
                "CN=online.example",
                "--p12",
                work.resolve("online.p12").toString());
        assertThat(run(
                        ci,
                        P12_PASSWORD + "\n",
                        "ca",
                        "offline",
                        "--name",
                        "issuing-d",
                        "--out",
                        work.resolve("issuing-d.p12").toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[ca.not_root]");
        assertThat(work.resolve("issuing-d.p12")).doesNotExist();

        ok(ci, P12_PASSWORD + "\n", "ca", "online", "--name", "root-d", "--p12", backup.toString());
        assertThat(out()).contains("online again");
        ok(
                ci,
                P12_PASSWORD + "\n",
                "ca",
                "issue",
                "--ca",
                "root-d",
                "--profile",
                "tls-server",
                "--subject",
                "CN=offline.example",
                "--p12",
                target.toString());
    }

    @Test
    void commandWhenUsageIsWrongThenExitTwoWithoutAskingTheServer() throws Exception {
        // Nothing listens here: a command that reached for the server would say "cannot connect".
        Map<String, String> nowhere =
                Map.of("SIGNET_URL", "http://127.0.0.1:1", "SIGNET_TOKEN", "sgt_" + "x".repeat(43));
        Files.writeString(work.resolve("exists.p12"), "keep me");
        Files.writeString(work.resolve("r.csr"), "-----BEGIN CERTIFICATE REQUEST-----\n");
        String csr = work.resolve("r.csr").toString();
        List<List<String>> wrong = List.of(
                List.of("ca", "create-root", "--name", "x", "--key", "rsa-1024"),
                List.of("ca", "create-root", "--name", "x"),
                List.of("ca", "create-root", "--name", "x", "--key", "ec-p256", "--validity-days", "0"),
                List.of("ca", "create-intermediate", "--name", "x", "--key", "ec-p256"),
                List.of(
                        "ca",
                        "create-intermediate",
                        "--name",
                        "x",
                        "--parent",
                        "r",
                        "--key",
                        "ec-p256",
                        "--path-length",
                        "-1"),
                List.of("ca", "import", "--name", "x"),
                List.of("ca", "import", "--name", "x", "--p12", "a.p12", "--cert-pem", "c.pem", "--key-pem", "k.pem"),
                List.of("ca", "import", "--name", "x", "--cert-pem", "c.pem"),
                List.of(
                        "ca",
                        "import",
                        "--name",
                        "x",
                        "--p12",
                        work.resolve("missing.p12").toString()),
                List.of("ca", "issue", "--ca", "x", "--profile", "tls-server"),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--csr",
                        csr,
                        "--subject",
                        "CN=a",
                        "--out",
                        "o.pem"),
                List.of("ca", "issue", "--ca", "x", "--profile", "tls-server", "--csr", csr),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--csr",
                        csr,
                        "--out",
                        "o.pem",
                        "--san",
                        "dns:a"),
                List.of("ca", "issue", "--ca", "x", "--profile", "tls-server", "--subject", "CN=a"),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--subject",
                        "CN=a",
                        "--p12",
                        "a.p12",
                        "--pem-out",
                        "a"),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--subject",
                        "CN=a",
                        "--san",
                        "host",
                        "--p12",
                        "a.p12"),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--subject",
                        "CN=a",
                        "--key",
                        "dsa",
                        "--p12",
                        "a.p12"),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--subject",
                        "CN=a",
                        "--p12",
                        work.resolve("exists.p12").toString()),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--csr",
                        work.resolve("none.csr").toString(),
                        "--out",
                        "o.pem"),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--csr",
                        csr,
                        "--out",
                        work.resolve("same.pem").toString(),
                        "--chain-out",
                        work.resolve("same.pem").toString()),
                List.of(
                        "ca",
                        "issue",
                        "--ca",
                        "x",
                        "--profile",
                        "tls-server",
                        "--csr",
                        csr,
                        "--out",
                        work.resolve("nodir").resolve("o.pem").toString()),
                List.of("ca", "revoke", "--ca", "x", "--serial", "0a1b", "--reason", "sleepy"),
                List.of("ca", "revoke", "--ca", "x", "--serial", "xyz", "--reason", "superseded"),
                List.of("ca", "revoke", "--ca", "x", "--serial", "0a1b"),
                List.of("ca", "crl", "--ca", "x"),
                List.of(
                        "ca",
                        "offline",
                        "--name",
                        "x",
                        "--out",
                        work.resolve("exists.p12").toString()),
                List.of(
                        "ca",
                        "online",
                        "--name",
                        "x",
                        "--p12",
                        work.resolve("missing.p12").toString()),
                List.of("ca", "frobnicate"),
                List.of("certs", "list", "--status", "sleeping"),
                List.of("certs", "list", "--expiring-within-days", "0"),
                List.of("certs", "get", "--serial", "0a1b", "--out", "c.pem", "--der", "--p7b"),
                List.of("certs", "get", "--serial", "not hex", "--out", "c.pem"));
        for (List<String> args : wrong) {
            assertThat(run(nowhere, P12_PASSWORD + "\n" + P12_PASSWORD + "\n", args.toArray(String[]::new)))
                    .as("%s\nstdout: %s\nstderr: %s", args, out(), err())
                    .isEqualTo(Main.EXIT_USAGE);
            assertThat(err()).as("%s", args).isNotBlank().doesNotContain("cannot connect");
        }
        assertThat(Files.readString(work.resolve("exists.p12"))).isEqualTo("keep me");
        assertThat(filesIn(work)).containsExactly("exists.p12", "r.csr");

        assertThat(run(nowhere, "", "ca", "create-root", "--name", "x", "--key", "ed25519"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("cannot connect to http://127.0.0.1:1").doesNotContain("sgt_");
    }

    @Test
    void commandWhenTheServerRefusesThenExitOneWithItsCode() throws Exception {
        Map<String, String> ci = ci("ca:admin ca:issue");
        ok(ci, "", "ca", "create-root", "--name", "root-c", "--key", "ec-p256");
        assertThat(run(ci, "", "ca", "create-root", "--name", "ROOT-C", "--key", "ec-p256"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[ca.taken]").doesNotContain("Exception");

        Path csr = csr("refused.example");
        Path cert = work.resolve("refused.pem");
        assertThat(run(
                        ci,
                        "",
                        "ca",
                        "issue",
                        "--ca",
                        "root-c",
                        "--profile",
                        "no-such-profile",
                        "--csr",
                        csr.toString(),
                        "--out",
                        cert.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[profile.unknown]");
        assertThat(cert).doesNotExist();

        Files.writeString(
                work.resolve("broken.csr"),
                "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
        assertThat(run(
                        ci,
                        "",
                        "ca",
                        "issue",
                        "--ca",
                        "root-c",
                        "--profile",
                        "tls-server",
                        "--csr",
                        work.resolve("broken.csr").toString(),
                        "--out",
                        cert.toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[csr.malformed]");

        assertThat(run(
                        ci,
                        "",
                        "ca",
                        "chain",
                        "--ca",
                        "no-such-ca",
                        "--out",
                        work.resolve("x.pem").toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[ca.not_found]");
        assertThat(run(
                        ci,
                        "",
                        "ca",
                        "crl",
                        "--ca",
                        "no-such-ca",
                        "--out",
                        work.resolve("x.crl").toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[ca.not_found]");
        assertThat(run(
                        ci,
                        "",
                        "certs",
                        "get",
                        "--serial",
                        "7f00ff",
                        "--out",
                        work.resolve("x.crt").toString()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[certificate.not_found]");
        assertThat(run(ci, "", "ca", "revoke", "--ca", "root-c", "--serial", "7f00ff", "--reason", "superseded"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[certificate.not_found]");

        Map<String, String> issuer = ci("ca:issue");
        assertThat(run(issuer, "", "ca", "create-root", "--name", "root-e", "--key", "ec-p256"))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[auth.insufficient_scope]");
        Map<String, String> nobody = ci("users:read");
        assertThat(run(nobody, "", "ca", "list")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[auth.insufficient_scope]");

        assertThat(filesIn(work))
                .containsExactlyInAnyOrder("broken.csr", "refused.example.csr", "refused.example.key.pem");
    }
}

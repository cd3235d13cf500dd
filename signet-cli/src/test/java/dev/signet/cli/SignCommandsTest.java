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
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
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
 * {@code signet keys}, {@code signet sign} and {@code signet verify} against a real server started
 * once in this JVM, with the machine's {@code openssl}, {@code jarsigner} and {@code keytool} as the
 * other side: they check what the CLI signed, and make the keys and JARs the CLI is handed.
 */
class SignCommandsTest {
    static final String ADMIN_PASSWORD = "violet quartz harbour lantern 7319";
    static final String P12_PASSWORD = "amber falcon meadow 2841";
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** SHA-256 of 5 GiB of zero bytes (`head -c 5G /dev/zero | sha256sum`). */
    static final String SHA256_OF_5_GIB_OF_ZEROS = "7f06c62352aebd8125b2a1841e2b9e1ffcbed602f381c3dcb3200200e383d1d5";

    static final Path JDK = Path.of(System.getProperty("java.home"), "bin");

    @TempDir
    static Path dataDir;

    @TempDir
    static Path shared;

    static SignetServer.Running server;
    /** keys:admin, ca:admin, ca:issue, tokens:write. */
    static Map<String, String> admin;
    /** sign:release, for the user granted the key. */
    static Map<String, String> signer;

    static Path rootPem;

    @TempDir
    Path home;

    @TempDir
    Path work;

    private static final PrintStream originalOut = System.out;
    private static final PrintStream originalErr = System.err;
    private static final InputStream originalIn = System.in;
    private static final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private static final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private static Path config;

    @BeforeAll
    static void startServer() throws Exception {
        SignetSettings settings = SignetSettings.read(
                Map.of(
                        "SIGNET_DATA_DIR", dataDir.toString(),
                        "SIGNET_HOST", "127.0.0.1",
                        "SIGNET_PORT", "0",
                        "SIGNET_SHUTDOWN_TIMEOUT_SECONDS", "2"),
                Map.of());
        server = SignetServer.start(settings, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
        server.context().getBean(SetupService.class).createAdminFromShell("root", null, ADMIN_PASSWORD);
        capture();
        config = shared.resolve("config");
        admin = token("keys:admin ca:admin ca:issue tokens:write");
        okStatic(
                admin,
                "ca",
                "create-root",
                "--name",
                "sign-root",
                "--key",
                "ec-p256",
                "--subject",
                "CN=Signet Sign Test Root");
        rootPem = shared.resolve("root.pem");
        okStatic(admin, "ca", "chain", "--ca", "sign-root", "--out", rootPem.toString());
        okStatic(admin, "keys", "create", "--name", "release", "--algorithm", "ec-p256", "--ca", "sign-root");
        okStatic(admin, "keys", "grant", "--key", "release", "--to", "root");
        signer = token("sign:release");
    }

    @AfterAll
    static void stopServer() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.setIn(originalIn);
        SignRun.afterCollect = targets -> {};
        server.close();
    }

    static void capture() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @BeforeEach
    void captureEach() {
        capture();
    }

    @AfterEach
    void reset() {
        SignRun.afterCollect = targets -> {};
    }

    static int runStatic(Map<String, String> more, String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        out.reset();
        err.reset();
        Map<String, String> env = new HashMap<>();
        env.put("HOME", shared.toString());
        env.put("XDG_CONFIG_HOME", config.toString());
        env.putAll(more);
        return Main.run(env, args);
    }

    int run(Map<String, String> more, String... args) {
        return runStatic(more, "", args);
    }

    static String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    static String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    static String okStatic(Map<String, String> env, String... args) {
        assertThat(runStatic(env, "", args))
                .as("%s\nstdout: %s\nstderr: %s", List.of(args), out(), err())
                .isZero();
        return out();
    }

    String ok(Map<String, String> env, String... args) {
        return okStatic(env, args);
    }

    /** Runs a command and checks its exit code. */
    void expect(int code, Map<String, String> env, String... args) {
        assertThat(run(env, args))
                .as("%s\nstdout: %s\nstderr: %s", List.of(args), out(), err())
                .isEqualTo(code);
    }

    /** A token minted from the shell for the administrator, and the environment CI would set. */
    static Map<String, String> token(String scopes) {
        assertThat(runStatic(
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

    record Result(int code, String output) {}

    /** Runs a program in the work directory; stdout and stderr together. */
    Result exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }

    Result execOk(String... command) throws IOException, InterruptedException {
        Result r = exec(command);
        assertThat(r.code()).as("%s: %s", List.of(command), r.output()).isZero();
        return r;
    }

    /** {@code openssl cms -verify} of a detached signature over {@code content}, trusting Signet's root. */
    Result opensslVerify(Path content, Path signature, String inform) throws Exception {
        return exec(
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-content",
                content.toString(),
                "-in",
                signature.toString(),
                "-inform",
                inform,
                "-CAfile",
                rootPem.toString(),
                "-purpose",
                "any",
                "-out",
                "/dev/null");
    }

    List<JsonNode> manifest(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(file));
        return HexFormat.of().formatHex(md.digest());
    }

    List<String> walk(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir))
                    .map(p -> dir.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    /** A JAR with a manifest, classes-like entries in packages, a resource and an empty directory entry. */
    Path jar(String name) throws IOException {
        Path jar = work.resolve(name);
        Random random = new Random(11);
        try (JarOutputStream z = new JarOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new JarEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\r\nMain-Class: com.example.App\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new JarEntry("com/"));
            z.putNextEntry(new JarEntry("com/example/"));
            for (int i = 0; i < 30; i++) {
                byte[] b = new byte[random.nextInt(20_000)];
                random.nextBytes(b);
                z.putNextEntry(new JarEntry("com/example/C" + i + ".class"));
                z.write(b);
            }
            z.putNextEntry(new JarEntry("config/app name ü.properties"));
            z.write("greeting=hello\n".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    /** A PKCS#12 keystore trusting Signet's root, for jarsigner -verify -strict. */
    Path trustStore() throws Exception {
        Path trust = work.resolve("trust.p12");
        execOk(
                JDK.resolve("keytool").toString(),
                "-importcert",
                "-noprompt",
                "-storetype",
                "PKCS12",
                "-keystore",
                trust.toString(),
                "-storepass",
                P12_PASSWORD,
                "-alias",
                "signet-root",
                "-file",
                rootPem.toString());
        return trust;
    }

    /** Every entry of the JAR read through JarFile with verification on, each signed. */
    void assertJarFileVerifies(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile(), true)) {
            int signed = 0;
            for (JarEntry e : Collections.list(f.entries())) {
                try (InputStream in = f.getInputStream(e)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                if (!e.isDirectory() && !e.getName().startsWith("META-INF/")) {
                    assertThat(e.getCodeSigners()).as(e.getName()).isNotNull().hasSize(1);
                    signed++;
                }
            }
            assertThat(signed).isEqualTo(31);
        }
    }

    /** A PKCS#12 with a key and certificate of {@code profile} from sign-root; answers its serial. */
    String issueP12(Path p12, String profile, String cn) {
        assertThat(runStatic(
                        admin,
                        P12_PASSWORD + "\n",
                        "ca",
                        "issue",
                        "--ca",
                        "sign-root",
                        "--profile",
                        profile,
                        "--subject",
                        "CN=" + cn,
                        "--key",
                        "ec-p256",
                        "--p12",
                        p12.toString()))
                .as(err())
                .isZero();
        String line = out().strip();
        assertThat(line).startsWith("Certificate ");
        return line.substring("Certificate ".length(), line.indexOf(' ', "Certificate ".length()));
    }

    Map<String, String> offline() {
        return Map.of("SIGNET_KEYSTORE_PASSWORD", P12_PASSWORD);
    }

    // --- keys ----------------------------------------------------------------------------------

    @Test
    void keysWhenCreatedGrantedAndShownThenTheChainIsTheKeysAndGrantsCanBeTakenBack() throws Exception {
        String created = ok(admin, "keys", "create", "--name", "docs", "--algorithm", "ec-p384", "--ca", "sign-root");
        assertThat(created).contains("Signing key 'docs' created (ec-p384)").contains("sign:docs");
        ok(admin, "keys", "list");
        assertThat(out()).contains("NAME").contains("release").contains("docs").contains("ec-p384");
        ok(admin, "keys", "list", "--json");
        assertThat(JSON.readTree(out()).path("keys").size()).isGreaterThanOrEqualTo(2);
        ok(admin, "keys", "show", "docs");
        assertThat(out()).contains("algorithm:").contains("ec-p384").contains("sha384");

        Path chain = work.resolve("docs-chain.pem");
        Files.writeString(chain, ok(admin, "keys", "show", "docs", "--chain"));
        assertThat(execOk("openssl", "verify", "-CAfile", rootPem.toString(), chain.toString())
                        .output())
                .contains(": OK");
        assertThat(Files.readString(chain).split("-----BEGIN CERTIFICATE-----", -1))
                .hasSize(3);
        assertThat(execOk("openssl", "x509", "-in", chain.toString(), "-noout", "-ext", "extendedKeyUsage")
                        .output())
                .contains("Code Signing");

        ok(admin, "keys", "grant", "--key", "docs", "--to", "root");
        assertThat(out()).contains("Granted user:root");
        ok(admin, "keys", "grants", "--key", "docs", "--json");
        assertThat(out()).contains("user:root");
        Map<String, String> docs = token("sign:docs");
        Files.writeString(work.resolve("a.txt"), "docs");
        ok(docs, "sign", "--key", "docs", work.resolve("a.txt").toString());
        assertThat(opensslVerify(work.resolve("a.txt"), work.resolve("a.txt.p7s"), "DER")
                        .code())
                .isZero();

        ok(admin, "keys", "revoke-grant", "--key", "docs", "--to", "user:root");
        assertThat(out()).contains("revoked");
        expect(
                Main.EXIT_REFUSED,
                docs,
                "sign",
                "--key",
                "docs",
                work.resolve("a.txt").toString());
        assertThat(err()).contains("[sign.not_allowed]");

        // A grant to the token itself (not its owner) is enough too.
        ok(docs, "whoami", "--json");
        String tokenId = JSON.readTree(out()).path("token").path("id").asString();
        ok(admin, "keys", "grant", "--key", "docs", "--to", "token:" + tokenId);
        ok(admin, "keys", "grants", "--key", "docs");
        assertThat(out()).contains("token:" + tokenId).doesNotContain("user:root");
        ok(docs, "sign", "--key", "docs", work.resolve("a.txt").toString());
        ok(admin, "keys", "revoke-grant", "--key", "docs", "--to", "token:" + tokenId);

        expect(Main.EXIT_USAGE, admin, "keys", "create", "--name", "x", "--algorithm", "dsa", "--ca", "sign-root");
        expect(Main.EXIT_USAGE, admin, "keys", "grant", "--key", "docs", "--to", "group:admins");
        expect(Main.EXIT_FAILED, admin, "keys", "show", "no-such-key");
    }

    // --- sign: interop -------------------------------------------------------------------------

    @Test
    void signWhen200MixedFilesThenEachPassesOpensslCmsVerifyAndTheManifestHasEveryDigest() throws Exception {
        Path dist = work.resolve("dist");
        Random random = new Random(200);
        List<Path> files = new ArrayList<>();
        String[] names = {"plain", "with space", "ünïcödé", "日本語", "dash-and.dots"};
        for (int i = 0; i < 200; i++) {
            Path dir = dist.resolve("d" + (i % 7)).resolve(i % 3 == 0 ? "deep er" : "");
            Files.createDirectories(dir);
            int size = i % 50 == 0 ? 0 : i % 10 == 0 ? 200_000 + random.nextInt(100_000) : random.nextInt(20_000);
            byte[] content = new byte[size];
            random.nextBytes(content);
            Path f = dir.resolve(names[i % names.length] + " " + i + ".bin");
            Files.write(f, content);
            files.add(f);
        }
        Path manifest = work.resolve("signing.jsonl");
        ok(signer, "sign", "--key", "release", "--recursive", dist.toString(), "--manifest", manifest.toString());
        assertThat(out()).contains("Signed 200 of 200 files").contains("key 'release'");

        List<JsonNode> lines = manifest(manifest);
        assertThat(lines).hasSize(200);
        Map<String, JsonNode> byFile = new HashMap<>();
        lines.forEach(l -> byFile.put(l.path("file").asString(), l));
        for (Path f : files) {
            JsonNode line = byFile.get(f.toString());
            assertThat(line).as(f.toString()).isNotNull();
            assertThat(line.path("result").asString()).isEqualTo("signed");
            assertThat(line.path("digestAlgorithm").asString()).isEqualTo("sha256");
            assertThat(line.path("digest").asString()).isEqualTo(sha256(f));
            assertThat(line.path("size").asLong()).isEqualTo(Files.size(f));
            Path p7s = f.resolveSibling(f.getFileName() + ".p7s");
            assertThat(line.path("signature").asString()).isEqualTo(p7s.toString());
            Result verified = opensslVerify(f, p7s, "DER");
            assertThat(verified.code()).as("%s: %s", f, verified.output()).isZero();
        }
        // The signature carries the chain and the signed attributes; the server timestamped it.
        String printed = execOk(
                        "openssl",
                        "cms",
                        "-cmsout",
                        "-print",
                        "-inform",
                        "DER",
                        "-in",
                        files.get(1)
                                .resolveSibling(files.get(1).getFileName() + ".p7s")
                                .toString())
                .output();
        assertThat(printed)
                .contains("signingTime")
                .contains("messageDigest")
                .contains("id-smime-aa-signingCertificateV2")
                .contains("id-smime-aa-timeStampToken")
                .contains("Signet Sign Test Root");

        // Signing the directory again skips the signatures it holds, and replaces them.
        ok(signer, "sign", "--key", "release", "--recursive", dist.toString(), "--quiet");
        assertThat(out()).contains("Signed 200 of 200 files").doesNotContain("signed ");
        assertThat(walk(dist)).noneMatch(n -> n.endsWith(".p7s.p7s") || n.endsWith(".tmp"));
    }

    @Test
    void signWhenFormatsAndFiltersThenPemBundleAndOutDirAreWrittenAndVerify() throws Exception {
        Path src = work.resolve("src");
        Files.createDirectories(src.resolve("bin"));
        Files.createDirectories(src.resolve("docs"));
        Files.writeString(src.resolve("bin/tool"), "#!/bin/sh\necho hi\n");
        Files.writeString(src.resolve("bin/tool.sha256"), "abc\n");
        Files.writeString(src.resolve("docs/readme.md"), "# read me\n");
        Path out = work.resolve("sigs");

        ok(
                signer,
                "sign",
                "--key",
                "release",
                "--recursive",
                src.toString(),
                "--exclude",
                "*.sha256",
                "--format",
                "pem",
                "--out-dir",
                out.toString());
        assertThat(walk(out)).containsExactly("bin", "bin/tool.p7s", "docs", "docs/readme.md.p7s");
        assertThat(Files.readString(out.resolve("bin/tool.p7s"))).startsWith("-----BEGIN PKCS7-----");
        assertThat(opensslVerify(src.resolve("bin/tool"), out.resolve("bin/tool.p7s"), "PEM")
                        .code())
                .isZero();
        assertThat(walk(src)).doesNotContain("bin/tool.p7s");
        ok(
                Map.of(),
                "verify",
                "--trust",
                rootPem.toString(),
                "--sig",
                out.resolve("bin/tool.p7s").toString(),
                src.resolve("bin/tool").toString());
        assertThat(out()).startsWith("VALID");

        ok(
                signer,
                "sign",
                "--key",
                "release",
                "--recursive",
                src.toString(),
                "--include",
                "docs/**",
                "--format",
                "bundle");
        assertThat(walk(src)).contains("docs/readme.md.sig.json").doesNotContain("bin/tool.sig.json");
        JsonNode bundle = JSON.readTree(Files.readString(src.resolve("docs/readme.md.sig.json")));
        assertThat(bundle.path("format").asString()).isEqualTo("signet-bundle-v1");
        assertThat(bundle.path("signatureAlgorithm").asString()).isEqualTo("SHA256withECDSA");
        assertThat(bundle.path("digest").asString()).isEqualTo(sha256(src.resolve("docs/readme.md")));
        assertThat(bundle.path("timestamp").isNull()).isFalse();
        // The raw signature is over the digest bytes: openssl checks it with the leaf's public key.
        Files.write(
                work.resolve("digest.bin"),
                HexFormat.of().parseHex(bundle.path("digest").asString()));
        Files.write(
                work.resolve("sig.bin"),
                java.util.Base64.getDecoder().decode(bundle.path("signature").asString()));
        Files.writeString(work.resolve("leaf.pem"), bundle.path("chain").get(0).asString());
        execOk("openssl", "x509", "-in", "leaf.pem", "-pubkey", "-noout", "-out", "pub.pem");
        assertThat(execOk("openssl", "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.bin", "digest.bin")
                        .output())
                .contains("Verified OK");

        ok(
                Map.of(),
                "verify",
                "--trust",
                rootPem.toString(),
                src.resolve("docs/readme.md").toString());
        assertThat(out()).startsWith("VALID").contains("timestamp");
        // The bundle named explicitly, elsewhere; and machines get the format and the signature file.
        Path moved = Files.move(src.resolve("docs/readme.md.sig.json"), work.resolve("readme.json"));
        ok(
                Map.of(),
                "verify",
                "--trust",
                rootPem.toString(),
                "--json",
                "--bundle",
                moved.toString(),
                src.resolve("docs/readme.md").toString());
        JsonNode verdict = JSON.readTree(out());
        assertThat(verdict.path("valid").asBoolean()).isTrue();
        assertThat(verdict.path("format").asString()).isEqualTo("bundle");
        assertThat(verdict.path("signature").asString()).isEqualTo(moved.toString());
        assertThat(verdict.path("timestampTime").isNull()).isFalse();
        Files.move(moved, src.resolve("docs/readme.md.sig.json"));
        Files.writeString(src.resolve("docs/readme.md"), "# changed\n");
        expect(
                Main.EXIT_FAILED,
                Map.of(),
                "verify",
                "--trust",
                rootPem.toString(),
                src.resolve("docs/readme.md").toString());
        assertThat(out()).contains("INVALID").contains("[digest_mismatch]");
    }

    @Test
    void signWhenJarThenJarsignerVerifyStrictAndJarFileAcceptIt() throws Exception {
        Path jar = jar("app.jar");
        Path trust = trustStore();
        ok(signer, "sign", "--key", "release", jar.toString());
        assertThat(out()).contains("signed " + jar + " -> " + jar);
        Result strict = exec(
                JDK.resolve("jarsigner").toString(),
                "-verify",
                "-strict",
                "-keystore",
                trust.toString(),
                "-storepass",
                P12_PASSWORD,
                jar.toString());
        assertThat(strict.code()).as(strict.output()).isZero();
        assertThat(strict.output()).contains("jar verified");
        assertJarFileVerifies(jar);
        try (JarFile f = new JarFile(jar.toFile())) {
            assertThat(f.getEntry("META-INF/RELEASE.SF")).isNotNull();
            assertThat(f.getEntry("META-INF/RELEASE.EC")).isNotNull();
            assertThat(f.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("com.example.App");
        }
        ok(Map.of(), "verify", "--trust", rootPem.toString(), jar.toString());
        assertThat(out()).startsWith("VALID");

        // --out leaves the input alone; --signer-name names the files.
        Path other = jar("other.jar");
        byte[] before = Files.readAllBytes(other);
        Path signed = work.resolve("other-signed.jar");
        ok(
                signer,
                "sign",
                "--key",
                "release",
                "--no-timestamp",
                "--signer-name",
                "build_1",
                other.toString(),
                "--out",
                signed.toString());
        assertThat(Files.readAllBytes(other)).isEqualTo(before);
        assertThat(exec(
                                JDK.resolve("jarsigner").toString(),
                                "-verify",
                                "-strict",
                                "-keystore",
                                trust.toString(),
                                "-storepass",
                                P12_PASSWORD,
                                signed.toString())
                        .code())
                .isZero();
        try (JarFile f = new JarFile(signed.toFile())) {
            assertThat(f.getEntry("META-INF/BUILD_1.SF")).isNotNull();
        }
        assertJarFileVerifies(signed);
    }

    @Test
    void jarsignerWhenTsaIsSignetsThenTheJarIsTimestampedBySignet() throws Exception {
        Path jar = jar("ts.jar");
        Path ks = work.resolve("own.p12");
        execOk(
                JDK.resolve("keytool").toString(),
                "-genkeypair",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                P12_PASSWORD,
                "-alias",
                "own",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=Own Key",
                "-validity",
                "30");
        Result signed = exec(
                JDK.resolve("jarsigner").toString(),
                "-tsa",
                server.baseUrl() + "/tsa",
                "-keystore",
                ks.toString(),
                "-storepass",
                P12_PASSWORD,
                jar.toString(),
                "own");
        assertThat(signed.code()).as(signed.output()).isZero();
        assertThat(signed.output()).doesNotContain("no -tsa").doesNotContain("not timestamped");
        // The TSA's certificate chains to Signet's root: with it trusted, jarsigner has nothing to say about it.
        Result verified = execOk(
                JDK.resolve("jarsigner").toString(),
                "-verify",
                "-verbose",
                "-keystore",
                trustStore().toString(),
                "-storepass",
                P12_PASSWORD,
                jar.toString());
        assertThat(verified.output())
                .contains("jar verified")
                .contains("Timestamped by \"CN=Signet timestamp authority\"")
                .doesNotContain("TSA certificate chain is invalid");
    }

    // --- sign: robustness and refusals ---------------------------------------------------------

    @Test
    void signWhenSomeFilesAreBadThenEachIsReportedTheRestSignedAndExitOne() throws Exception {
        Path dir = work.resolve("batch");
        Files.createDirectories(dir);
        Path spaces = Files.writeString(dir.resolve("a file with spaces.txt"), "spaces");
        Path unicode = Files.writeString(dir.resolve("ünïcödé ✓ 名前.txt"), "unicode");
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        Path vanishing = Files.writeString(dir.resolve("vanishing.txt"), "soon gone");
        Path dangling = dir.resolve("dangling.txt");
        Files.createSymbolicLink(dangling, dir.resolve("nowhere"));
        Path directory = Files.createDirectories(work.resolve("a directory.txt"));
        Path sparse = dir.resolve("huge.iso");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(5L << 30);
        }
        SignRun.afterCollect = targets -> {
            try {
                Files.delete(vanishing);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        Path manifest = work.resolve("m.jsonl");
        expect(
                Main.EXIT_FAILED,
                signer,
                "sign",
                "--key",
                "release",
                "--recursive",
                dir.toString(),
                directory.toString(),
                "--manifest",
                manifest.toString());
        assertThat(err())
                .contains("Signed 4 of 7 files")
                .contains("3 failed")
                .contains(vanishing + ": does not exist (removed?) [file.missing]")
                .contains(dangling + ": is a link to nothing [file.missing]")
                .contains(directory + ": is a directory (sign what is in it with --recursive DIR) [file.not_regular]");

        Map<String, JsonNode> byFile = new HashMap<>();
        manifest(manifest).forEach(l -> byFile.put(l.path("file").asString(), l));
        assertThat(byFile).hasSize(7);
        for (Path good : List.of(spaces, unicode, empty, sparse)) {
            assertThat(byFile.get(good.toString()).path("result").asString())
                    .as(good.toString())
                    .isEqualTo("signed");
            assertThat(good.resolveSibling(good.getFileName() + ".p7s")).exists();
        }
        for (Path good : List.of(spaces, unicode, empty)) {
            assertThat(opensslVerify(good, good.resolveSibling(good.getFileName() + ".p7s"), "DER")
                            .code())
                    .isZero();
        }
        assertThat(byFile.get(empty.toString()).path("digest").asString())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(byFile.get(sparse.toString()).path("digest").asString()).isEqualTo(SHA256_OF_5_GIB_OF_ZEROS);
        assertThat(byFile.get(sparse.toString()).path("size").asLong()).isEqualTo(5L << 30);
        for (Path bad : List.of(vanishing, dangling, directory)) {
            JsonNode line = byFile.get(bad.toString());
            assertThat(line.path("result").asString()).isEqualTo("failed");
            assertThat(line.path("digest").isNull()).isTrue();
            assertThat(bad.resolveSibling(bad.getFileName() + ".p7s")).doesNotExist();
        }
        assertThat(byFile.get(vanishing.toString()).path("error").asString()).isEqualTo("file.missing");
        assertThat(byFile.get(directory.toString()).path("error").asString()).isEqualTo("file.not_regular");
        assertThat(walk(dir)).noneMatch(n -> n.endsWith(".tmp"));
        Files.delete(sparse);
    }

    @Test
    void signWhenTheTokenMayNotUseTheKeyThenRefusedWithExitFourAndNothingWritten() throws Exception {
        Path file = Files.writeString(work.resolve("release.tar.gz"), "payload");
        Path manifest = work.resolve("m.jsonl");
        expect(
                Main.EXIT_REFUSED,
                token("ca:issue"),
                "sign",
                "--key",
                "release",
                file.toString(),
                "--manifest",
                manifest.toString());
        assertThat(err())
                .contains("needs a token with the scope keys:admin or sign:release [keys.forbidden]")
                .doesNotContain("sgt_")
                .doesNotContain("[keys.forbidden] [keys.forbidden]");
        assertThat(err()).startsWith("signet: nothing signed: ");
        assertThat(manifest(manifest)).singleElement().satisfies(l -> {
            assertThat(l.path("file").asString()).isEqualTo(file.toString());
            assertThat(l.path("result").asString()).isEqualTo("failed");
            assertThat(l.path("error").asString()).isEqualTo("keys.forbidden");
            assertThat(l.path("digest").isNull()).isTrue();
        });

        // The scope alone is not enough: the key must be granted to the caller.
        ok(admin, "keys", "create", "--name", "ungranted", "--algorithm", "ec-p256", "--ca", "sign-root");
        expect(Main.EXIT_REFUSED, token("sign:ungranted"), "sign", "--key", "ungranted", file.toString());
        expect(Main.EXIT_REFUSED, signer, "sign", "--key", "no-such-key", file.toString());
        assertThat(file.resolveSibling("release.tar.gz.p7s")).doesNotExist();

        expect(
                Main.EXIT_UNREACHABLE,
                Map.of("SIGNET_URL", "http://127.0.0.1:1", "SIGNET_TOKEN", "sgt_nothing"),
                "sign",
                "--key",
                "release",
                file.toString());
        assertThat(err()).contains("cannot connect to http://127.0.0.1:1").doesNotContain("sgt_nothing");
        expect(
                Main.EXIT_REFUSED,
                Map.of("SIGNET_URL", server.baseUrl().toString(), "SIGNET_TOKEN", "sgt_invalid"),
                "sign",
                "--key",
                "release",
                file.toString());
        assertThat(walk(work)).containsExactlyInAnyOrder("release.tar.gz", "m.jsonl");
    }

    @Test
    void signWhenTheGrantIsTakenBackDuringTheRunThenItStopsWithExitFourAndEveryFileIsListed() throws Exception {
        ok(admin, "keys", "create", "--name", "midrun", "--algorithm", "ec-p256", "--ca", "sign-root");
        ok(admin, "keys", "grant", "--key", "midrun", "--to", "root");
        Map<String, String> midrun = token("sign:midrun");
        Path dir = Files.createDirectories(work.resolve("many"));
        for (int i = 0; i < 60; i++) {
            Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i);
        }
        // Small batches and so a small window: the hashers wait for the signer, and the stop reaches them.
        ok(midrun, "sign", "--key", "midrun", "--batch-size", "3", "--recursive", dir.toString(), "--quiet");
        assertThat(out()).contains("Signed 60 of 60 files");
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".p7s")).forEach(p -> p.toFile().delete());
        }

        SignRun.afterCollect = targets -> {
            try {
                var request = java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(server.baseUrl() + "/api/v1/keys/midrun/grants/user:root"))
                        .header("Authorization", "Bearer " + admin.get("SIGNET_TOKEN"))
                        .DELETE()
                        .build();
                var response = java.net.http.HttpClient.newHttpClient()
                        .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isLessThan(300);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        Path manifest = work.resolve("m.jsonl");
        expect(
                Main.EXIT_REFUSED,
                midrun,
                "sign",
                "--key",
                "midrun",
                "--batch-size",
                "3",
                "--recursive",
                dir.toString(),
                "--manifest",
                manifest.toString());
        assertThat(err())
                .contains("[sign.not_allowed]")
                .contains("more not signed for the same reason")
                .contains("Signed 0 of 60 files")
                .contains("signet: stopped: ");
        List<JsonNode> lines = manifest(manifest);
        assertThat(lines).hasSize(60).allSatisfy(l -> {
            assertThat(l.path("result").asString()).isEqualTo("failed");
            assertThat(l.path("error").asString()).isEqualTo("sign.not_allowed");
        });
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".p7s") || n.endsWith(".tmp"));
        }
    }

    @Test
    void signWhenUsageIsWrongThenExitTwoBeforeAnythingIsSent() throws Exception {
        Path a = Files.writeString(work.resolve("a.txt"), "a");
        Path b = Files.writeString(work.resolve("b.txt"), "b");
        Map<String, String> nowhere = Map.of("SIGNET_URL", "http://127.0.0.1:1", "SIGNET_TOKEN", "sgt_nothing");
        List<List<String>> wrong = List.of(
                List.of("sign", "--key", "release"),
                List.of("sign", a.toString()),
                List.of("sign", "--key", "release", "--keystore", "x.p12", a.toString()),
                List.of("sign", "--key", "release", "--format", "zip", a.toString()),
                List.of("sign", "--key", "release", "--out", "o.jar", a.toString(), b.toString()),
                List.of("sign", "--key", "release", "--out", "o.jar", a.toString()),
                List.of("sign", "--key", "release", "--out", "o.jar", "--out-dir", "d", a.toString()),
                List.of(
                        "sign",
                        "--key",
                        "release",
                        "--recursive",
                        work.resolve("missing").toString()),
                List.of("sign", "--key", "release", "--threads", "0", a.toString()),
                List.of("sign", "--key", "release", "--signer-name", "much too long", a.toString()),
                List.of("sign", "--key", "release", "--tsa", "http://127.0.0.1:1/tsa", a.toString()),
                List.of("sign", "--key", "release", "--include", "", a.toString()),
                List.of(
                        "sign",
                        "--key",
                        "release",
                        "--manifest",
                        work.resolve("no/dir/m.jsonl").toString(),
                        a.toString()),
                List.of("sign", "--keystore", work.resolve("missing.p12").toString(), a.toString()),
                List.of(
                        "sign",
                        "--keystore",
                        work.resolve("missing.p12").toString(),
                        "--tsa",
                        "ftp://tsa",
                        a.toString()),
                List.of("verify", a.toString()),
                List.of("verify", "--trust", work.resolve("missing.pem").toString(), a.toString()),
                List.of("verify", "--trust", a.toString(), a.toString()),
                List.of("verify", "--trust", rootPem.toString(), "--at", "tomorrow", a.toString()),
                List.of(
                        "verify",
                        "--trust",
                        rootPem.toString(),
                        work.resolve("missing.txt").toString()),
                List.of("verify", "--trust", rootPem.toString(), "--sig", "a.p7s", a.toString(), b.toString()));
        for (List<String> args : wrong) {
            Map<String, String> env = new HashMap<>(nowhere);
            env.putAll(offline());
            assertThat(run(env, args.toArray(String[]::new)))
                    .as("%s\nstdout: %s\nstderr: %s", args, out(), err())
                    .isEqualTo(Main.EXIT_USAGE);
            assertThat(err())
                    .as("%s", args)
                    .isNotBlank()
                    .doesNotContain("cannot connect")
                    .doesNotContain("Exception");
        }
        // Not logged in at all.
        expect(Main.EXIT_USAGE, Map.of(), "sign", "--key", "release", a.toString());
        assertThat(err()).contains("not logged in");
        assertThat(walk(work)).containsExactlyInAnyOrder("a.txt", "b.txt");
    }

    // --- offline -------------------------------------------------------------------------------

    @Test
    void signWhenOfflineWithAKeystoreThenTheSameFormatsVerifyWithASignetTimestamp() throws Exception {
        Path p12 = work.resolve("offline.p12");
        issueP12(p12, "code-signing", "Offline Signer");
        Path file = Files.writeString(work.resolve("notes.txt"), "offline");
        Path jar = jar("offline.jar");
        ok(
                offline(),
                "sign",
                "--keystore",
                p12.toString(),
                "--tsa",
                server.baseUrl() + "/tsa",
                file.toString(),
                jar.toString());
        assertThat(out()).contains("Signed 2 of 2 files").contains("of " + p12);
        assertThat(opensslVerify(file, work.resolve("notes.txt.p7s"), "DER").code())
                .isZero();
        assertThat(exec(
                                JDK.resolve("jarsigner").toString(),
                                "-verify",
                                "-strict",
                                "-keystore",
                                trustStore().toString(),
                                "-storepass",
                                P12_PASSWORD,
                                jar.toString())
                        .code())
                .isZero();
        ok(Map.of(), "verify", "--trust", rootPem.toString(), "--json", file.toString());
        JsonNode verdict = JSON.readTree(out());
        assertThat(verdict.path("valid").asBoolean()).isTrue();
        assertThat(verdict.path("timestampTime").isNull()).isFalse();
        assertThat(verdict.path("signer").path("subject").asString()).contains("CN=Offline Signer");

        // The password comes from the terminal or stdin when not in the environment; a wrong one is usage.
        assertThat(runStatic(Map.of(), "not-the-password-42\n", "sign", "--keystore", p12.toString(), file.toString()))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("cannot open").doesNotContain("not-the-password-42");
    }

    // --- verify --------------------------------------------------------------------------------

    @Test
    void verifyWhenTheSignatureIsWrongThenEachCaseHasItsReasonAndOnlyValidExitsZero() throws Exception {
        Path trust = rootPem;
        Map<String, String> none = Map.of();

        // Expiry: the key's certificate ends at notAfter; a timestamped signature outlives it, a bare one not.
        ok(signer, "keys", "show", "release", "--json");
        Instant notAfter = Instant.parse(
                JSON.readTree(out()).path("certificate").path("notAfter").asString());
        String later = notAfter.plus(Duration.ofDays(2)).toString();
        Path stamped = Files.writeString(work.resolve("stamped.txt"), "timestamped while valid");
        ok(signer, "sign", "--key", "release", stamped.toString());
        ok(none, "verify", "--trust", trust.toString(), "--at", later, stamped.toString());
        assertThat(out()).startsWith("VALID");
        Path bare = Files.writeString(work.resolve("bare.txt"), "no timestamp");
        ok(signer, "sign", "--key", "release", "--no-timestamp", bare.toString());
        ok(none, "verify", "--trust", trust.toString(), bare.toString());
        expect(Main.EXIT_FAILED, none, "verify", "--trust", trust.toString(), "--at", later, bare.toString());
        assertThat(out()).startsWith("INVALID").contains("[expired]");

        // A modified file.
        Files.writeString(stamped, "changed");
        expect(Main.EXIT_FAILED, none, "verify", "--trust", trust.toString(), stamped.toString());
        assertThat(out()).contains("[digest_mismatch]");

        // An untrusted key: a certificate of another root.
        okStatic(admin, "ca", "create-root", "--name", "other-root", "--key", "ec-p256");
        okStatic(
                admin,
                "ca",
                "chain",
                "--ca",
                "other-root",
                "--out",
                work.resolve("other.pem").toString());
        expect(
                Main.EXIT_FAILED,
                none,
                "verify",
                "--trust",
                work.resolve("other.pem").toString(),
                bare.toString());
        assertThat(out()).contains("[untrusted]");

        // A certificate without the code-signing usage.
        Path tls = work.resolve("tls.p12");
        issueP12(tls, "tls-client", "Not A Code Signer");
        Path byTls = Files.writeString(work.resolve("by-tls.txt"), "tls");
        ok(offline(), "sign", "--keystore", tls.toString(), byTls.toString());
        expect(Main.EXIT_FAILED, none, "verify", "--trust", trust.toString(), byTls.toString());
        assertThat(out()).contains("[not_code_signing]");

        // A revoked certificate, signing after its revocation: found through the certificate's OCSP URL.
        Path revoked = work.resolve("revoked.p12");
        String serial = issueP12(revoked, "code-signing", "Revoked Signer");
        okStatic(admin, "ca", "revoke", "--ca", "sign-root", "--serial", serial, "--reason", "keyCompromise");
        Path byRevoked = Files.writeString(work.resolve("by-revoked.txt"), "revoked");
        ok(offline(), "sign", "--keystore", revoked.toString(), byRevoked.toString());
        expect(Main.EXIT_FAILED, none, "verify", "--trust", trust.toString(), byRevoked.toString());
        assertThat(out()).contains("[revoked]");
        ok(none, "verify", "--trust", trust.toString(), "--offline", byRevoked.toString());
        assertThat(out()).contains("not checked (--offline)");

        // Machines read the verdicts as JSON, one line per file; exit 0 only when all are valid.
        Path unsigned = Files.writeString(work.resolve("unsigned.txt"), "never signed");
        expect(
                Main.EXIT_FAILED,
                none,
                "verify",
                "--trust",
                trust.toString(),
                "--json",
                bare.toString(),
                byTls.toString(),
                unsigned.toString());
        List<String> jsonLines = out().lines().toList();
        assertThat(jsonLines).hasSize(3);
        JsonNode first = JSON.readTree(jsonLines.get(0));
        assertThat(first.path("valid").asBoolean()).isTrue();
        assertThat(first.path("code").asString()).isEqualTo("valid");
        assertThat(first.path("signer").path("subject").asString()).contains("release");
        assertThat(JSON.readTree(jsonLines.get(1)).path("code").asString()).isEqualTo("not_code_signing");
        assertThat(JSON.readTree(jsonLines.get(2)).path("code").asString()).isEqualTo("unsigned");
        ok(none, "verify", "--trust", trust.toString(), bare.toString());
    }
}

package dev.signet.server.signing;

import static dev.signet.server.signing.SignCalls.openssl;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.pki.Profiles;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.signing.SignCalls.Answer;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Signing over real HTTP against a real server, on SQLite and on PostgreSQL, with the machine's
 * {@code openssl} as the relying party: keys made on the server for each algorithm, grants, batches
 * signed as detached CMS (each verified by {@code openssl cms -verify}) and as raw signatures, the
 * in-server timestamp authority (tokens inside the signatures, and {@code openssl ts -query} → {@code
 * POST /tsa} → {@code openssl ts -verify}), the policy (scope and grant), and bad input answered with a
 * stable code and nothing signed or recorded. The server runs with {@code SIGNET_TSA_CA=root}.
 */
abstract class SigningApiContractTest {
    static final String PASSWORD = "violet quartz harbour lantern 7319";
    static final String EXPORT_PASSWORD = "export pass phrase 2931";
    static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dataDir;

    @TempDir
    Path dir;

    MutableClock clock;
    TestServer server;
    SignCalls calls;
    User root;
    User ci;
    String admin;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void start() {
        clock = MutableClock.startingNow();
        server = TestServer.start(TestDatabases.settings(kind(), dataDir, Map.of("SIGNET_TSA_CA", "root")), clock);
        calls = new SignCalls(server);
        root = bean(SetupService.class).createAdminFromShell("root", null, PASSWORD);
        ci = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount("ci", null, "CI", User.Role.USER, User.Kind.SERVICE, null, null),
                        "test");
        admin = token(root, Scopes.CA_ADMIN, Scopes.CA_ISSUE, Scopes.KEYS_ADMIN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ signing and interop

    @Test
    void signWhenGrantedThenEveryCmsSignatureVerifiesWithOpensslCarriesATimestampAndIsAudited() throws Exception {
        createCa("root", "ec-p256");
        Files.writeString(
                dir.resolve("root.pem"),
                calls.get("/api/v1/ca/root/chain", admin).body());
        JsonNode key = createKey("release", "ec-p256", "root", Map.of()).json();
        assertThat(key.propertyNames())
                .containsExactlyInAnyOrder(
                        "name",
                        "algorithm",
                        "digestAlgorithm",
                        "signatureAlgorithm",
                        "scope",
                        "ca",
                        "certificate",
                        "exportable",
                        "stepUp",
                        "createdAt",
                        "createdBy",
                        "chain");
        assertThat(key.path("digestAlgorithm").asString()).isEqualTo("sha256");
        assertThat(key.path("signatureAlgorithm").asString()).isEqualTo("SHA256withECDSA");
        assertThat(key.path("scope").asString()).isEqualTo("sign:release");
        assertThat(key.path("exportable").asBoolean()).isFalse();
        assertThat(key.path("certificate").path("subject").asString()).isEqualTo("CN=release");
        assertThat(key.path("chain")).hasSize(2);
        assertThat(key.toString()).doesNotContain("PRIVATE KEY");
        X509Certificate leaf = certificate(key.path("chain").get(0).asString());
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.3");

        calls.post("/api/v1/keys/release/grants", admin, Map.of("to", "user:ci"))
                .isOk(201);
        String token = token(ci, "sign:release");

        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("dist/a b.txt", "hello, signed world\n".getBytes(StandardCharsets.UTF_8));
        files.put("dist/ünïcødé 名前.bin", random(70_000));
        files.put("empty.txt", new byte[0]);
        Answer signed = sign(token, "release", files, Map.of()).isOk(200);
        JsonNode answer = signed.json();
        assertThat(signed.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        assertThat(answer.path("key").asString()).isEqualTo("release");
        assertThat(answer.path("format").asString()).isEqualTo("cms");
        assertThat(answer.path("digestAlgorithm").asString()).isEqualTo("sha256");
        assertThat(answer.path("signatureAlgorithm").asString()).isEqualTo("SHA256withECDSA");
        assertThat(answer.path("timestamped").asBoolean()).isTrue();
        assertThat(answer.path("chain")).hasSize(2);
        assertThat(answer.path("items")).hasSize(3);

        int i = 0;
        for (var file : files.entrySet()) {
            JsonNode item = answer.path("items").get(i++);
            assertThat(item.path("name").asString()).isEqualTo(file.getKey());
            assertThat(item.path("timestamp").isNull()).isTrue();
            byte[] cms = Base64.getDecoder().decode(item.path("signature").asString());
            Path content = dir.resolve("content-" + i);
            Files.write(content, file.getValue());
            Files.write(dir.resolve("sig-" + i + ".p7s"), cms);
            String verified = openssl(
                    dir,
                    "cms",
                    "-verify",
                    "-binary",
                    "-inform",
                    "DER",
                    "-in",
                    "sig-" + i + ".p7s",
                    "-content",
                    content.getFileName().toString(),
                    "-CAfile",
                    "root.pem",
                    "-purpose",
                    "any",
                    "-out",
                    "/dev/null");
            assertThat(verified).contains("Verification successful");
            TimeStampToken stamp =
                    timestampOf(cms, MessageDigest.getInstance("SHA-256").digest(file.getValue()));
            assertThat(stamp.getTimeStampInfo().getPolicy().getId())
                    .isEqualTo(dev.signet.server.config.SignetSettings.Signing.DEFAULT_TSA_POLICY);
            X509CertificateHolder tsaCertificate = (X509CertificateHolder) stamp.getCertificates()
                    .getMatches(stamp.getSID())
                    .iterator()
                    .next();
            assertThat(tsaCertificate.getSubject().toString()).isEqualTo("CN=Signet timestamp authority");
            assertThat(tsaCertificate.getIssuer().toString()).isEqualTo("CN=root");
        }

        // A changed file no longer verifies.
        Files.write(dir.resolve("content-1"), "hello, changed world\n".getBytes(StandardCharsets.UTF_8));
        SignCalls.Result tampered = SignCalls.run(
                dir,
                SignCalls.openssl(),
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sig-1.p7s",
                "-content",
                "content-1",
                "-CAfile",
                "root.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null");
        assertThat(tampered.exit()).as(tampered.output()).isNotZero();

        List<AuditRecord> events = bean(AuditLog.class).recent(10, "sign.signature");
        assertThat(events).hasSize(3).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("ci");
            assertThat(e.subject()).isEqualTo("release");
            assertThat(e.outcome()).isEqualTo("success");
        });
        assertThat(events)
                .extracting(AuditRecord::details)
                .anySatisfy(d -> assertThat(d)
                        .contains("\"file\":\"dist/a b.txt\"")
                        .contains("\"digest\":\"" + sha("SHA-256", files.get("dist/a b.txt")) + "\"")
                        .contains("\"key\":\"release\""))
                .anySatisfy(d -> assertThat(d).contains("ünïcødé 名前.bin"));

        // raw: the key's plain signature over the digest bytes, and a token over the signature value
        byte[] digest = HEX.parseHex(sha("SHA-256", files.get("dist/a b.txt")));
        JsonNode raw = sign(token, "release", Map.of("raw.txt", files.get("dist/a b.txt")), Map.of("format", "raw"))
                .isOk(200)
                .json();
        byte[] signature = Base64.getDecoder()
                .decode(raw.path("items").get(0).path("signature").asString());
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(digest);
        assertThat(verifier.verify(signature)).isTrue();
        TimeStampToken rawStamp = new TimeStampToken(new CMSSignedData(Base64.getDecoder()
                .decode(raw.path("items").get(0).path("timestamp").asString())));
        assertThat(rawStamp.getTimeStampInfo().getMessageImprintDigest())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(signature));
        assertThat(bean(AuditLog.class).recent(10, "sign.signature")).hasSize(4);
    }

    @Test
    void signWhenEachKeyAlgorithmThenOpensslVerifiesWithTheKeysOwnDigest() throws Exception {
        createCa("root", "ec-p384");
        Files.writeString(
                dir.resolve("root.pem"),
                calls.get("/api/v1/ca/root/chain", admin).body());
        Map<String, String> expected = Map.of(
                "ec-p384", "sha384",
                "ed25519", "sha512",
                "rsa-3072", "sha256");
        byte[] content = random(4096);
        Files.write(dir.resolve("content"), content);
        for (var entry : expected.entrySet()) {
            String name = "key-" + entry.getKey();
            JsonNode key = createKey(name, entry.getKey(), "root", Map.of()).json();
            assertThat(key.path("digestAlgorithm").asString()).isEqualTo(entry.getValue());
            calls.post("/api/v1/keys/" + name + "/grants", admin, Map.of("to", "user:ci"))
                    .isOk(201);
            String token = token(ci, "sign:" + name);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", name);
            body.put("digestAlgorithm", entry.getValue());
            body.put(
                    "items",
                    List.of(Map.of(
                            "name", "content", "digest", sha(entry.getValue().replace("sha", "SHA-"), content))));
            JsonNode answer = calls.post("/api/v1/sign", token, body).isOk(200).json();
            assertThat(answer.path("digestAlgorithm").asString()).isEqualTo(entry.getValue());
            byte[] cms = Base64.getDecoder()
                    .decode(answer.path("items").get(0).path("signature").asString());
            if (entry.getKey().equals("ed25519")) {
                // OpenSSL 3.0 to 3.6 cannot verify Ed25519 CMS with signed attributes (openssl/openssl#11915):
                // Bouncy Castle verifies it (RFC 8419: the signed attributes, not their digest, are signed).
                SignerInformation signer = new CMSSignedData(
                                Map.of(
                                        org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha512,
                                        MessageDigest.getInstance("SHA-512").digest(content)),
                                cms)
                        .getSignerInfos()
                        .getSigners()
                        .iterator()
                        .next();
                assertThat(signer.verify(new JcaSimpleSignerInfoVerifierBuilder()
                                .build(certificate(key.path("chain").get(0).asString()))))
                        .isTrue();
                continue;
            }
            Files.write(dir.resolve(name + ".p7s"), cms);
            assertThat(openssl(
                            dir,
                            "cms",
                            "-verify",
                            "-binary",
                            "-inform",
                            "DER",
                            "-in",
                            name + ".p7s",
                            "-content",
                            "content",
                            "-CAfile",
                            "root.pem",
                            "-purpose",
                            "any",
                            "-out",
                            "/dev/null"))
                    .as(entry.getKey())
                    .contains("Verification successful");
        }
    }

    // ------------------------------------------------------------------ the timestamp authority

    @Test
    void tsaWhenOpensslQueryThenOpensslVerifiesAndWithoutItsCaSigningWorksOnlyWithoutTimestamps() throws Exception {
        Files.write(dir.resolve("data.bin"), random(10_000));
        openssl(dir, "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "req.tsq");
        byte[] query = Files.readAllBytes(dir.resolve("req.tsq"));

        // No CA yet: a rejection, with 503.
        Answer none = calls.send("POST", "/tsa", null, "application/timestamp-query", query);
        assertThat(none.status()).isEqualTo(503);
        assertThat(none.contentType()).startsWith("application/timestamp-reply");
        Files.write(dir.resolve("none.tsr"), none.bytes());
        assertThat(openssl(dir, "ts", "-reply", "-in", "none.tsr", "-text")).contains("Status: Rejected");

        // A CA, but not the configured TSA CA: signing needs "timestamp": false.
        createCa("other", "ec-p256");
        Files.writeString(
                dir.resolve("other.pem"),
                calls.get("/api/v1/ca/other/chain", admin).body());
        createKey("release", "ec-p256", "other", Map.of());
        calls.post("/api/v1/keys/release/grants", admin, Map.of("to", "user:ci"))
                .isOk(201);
        String token = token(ci, "sign:release");
        Map<String, byte[]> files = Map.of("data.bin", Files.readAllBytes(dir.resolve("data.bin")));
        sign(token, "release", files, Map.of()).isProblem(503, "sign.timestamp_unavailable");
        assertThat(bean(AuditLog.class).recent(10, "sign.signature")).isEmpty();
        assertThat(calls.send("POST", "/tsa", null, "application/timestamp-query", query)
                        .status())
                .isEqualTo(503);
        JsonNode plain = sign(token, "release", files, Map.of("timestamp", false))
                .isOk(200)
                .json();
        assertThat(plain.path("timestamped").asBoolean()).isFalse();
        Files.write(
                dir.resolve("plain.p7s"),
                Base64.getDecoder()
                        .decode(plain.path("items").get(0).path("signature").asString()));
        assertThat(openssl(
                        dir,
                        "cms",
                        "-verify",
                        "-binary",
                        "-inform",
                        "DER",
                        "-in",
                        "plain.p7s",
                        "-content",
                        "data.bin",
                        "-CAfile",
                        "other.pem",
                        "-purpose",
                        "any",
                        "-out",
                        "/dev/null"))
                .contains("Verification successful");
        SignerInformation unstamped = new CMSSignedData(Files.readAllBytes(dir.resolve("plain.p7s")))
                .getSignerInfos()
                .getSigners()
                .iterator()
                .next();
        assertThat(unstamped.getUnsignedAttributes()).isNull();

        // The configured CA appears: the TSA is certified by it on first need.
        createCa("root", "ec-p256");
        Files.writeString(
                dir.resolve("root.pem"),
                calls.get("/api/v1/ca/root/chain", admin).body());
        Answer reply = calls.send("POST", "/tsa", null, "application/timestamp-query", query)
                .isOk(200);
        assertThat(reply.contentType()).startsWith("application/timestamp-reply");
        assertThat(reply.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        Files.write(dir.resolve("reply.tsr"), reply.bytes());
        assertThat(openssl(dir, "ts", "-verify", "-in", "reply.tsr", "-queryfile", "req.tsq", "-CAfile", "root.pem"))
                .contains("Verification: OK");
        assertThat(openssl(dir, "ts", "-verify", "-in", "reply.tsr", "-data", "data.bin", "-CAfile", "root.pem"))
                .contains("Verification: OK");
        assertThat(openssl(dir, "ts", "-reply", "-in", "reply.tsr", "-text"))
                .contains("Status: Granted")
                .contains("Policy OID: " + dev.signet.server.config.SignetSettings.Signing.DEFAULT_TSA_POLICY);
        Answer chain = calls.get("/tsa/chain", null).isOk(200);
        assertThat(chain.contentType()).startsWith("application/pem-certificate-chain");
        List<X509Certificate> tsaChain = certificates(chain.body());
        assertThat(tsaChain).hasSize(2);
        assertThat(tsaChain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=Signet timestamp authority");
        assertThat(tsaChain.get(0).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.8");
        assertThat(tsaChain.get(0).getCriticalExtensionOIDs()).contains("2.5.29.37");
        sign(token, "release", files, Map.of()).isOk(200);

        // Not a time-stamp query: 415; not DER: a rejection (badDataFormat), still a TimeStampResp.
        calls.send("POST", "/tsa", null, "application/json", "{}".getBytes(StandardCharsets.UTF_8))
                .isProblem(415, "request.unsupported_media_type");
        Answer garbage = calls.send(
                        "POST", "/tsa", null, "application/timestamp-query", "not DER".getBytes(StandardCharsets.UTF_8))
                .isOk(200);
        Files.write(dir.resolve("garbage.tsr"), garbage.bytes());
        assertThat(openssl(dir, "ts", "-reply", "-in", "garbage.tsr", "-text"))
                .contains("Status: Rejected")
                .contains("Failure info: the data submitted has the wrong format");

        // A third of its life later, a new TSA key and certificate take over.
        clock.advance(Profiles.TIMESTAMPING.maxValidity().dividedBy(3).plusDays(1));
        calls.send("POST", "/tsa", null, "application/timestamp-query", query).isOk(200);
        X509Certificate renewed =
                certificates(calls.get("/tsa/chain", null).isOk(200).body()).getFirst();
        assertThat(renewed.getSerialNumber()).isNotEqualTo(tsaChain.getFirst().getSerialNumber());
        assertThat(renewed.getPublicKey().getEncoded())
                .isNotEqualTo(tsaChain.getFirst().getPublicKey().getEncoded());
    }

    // ------------------------------------------------------------------ policy

    @Test
    void signWhenScopeOrGrantIsMissingThenRefusedNothingSignedAndTheRefusalAudited() throws Exception {
        createCa("root", "ec-p256");
        createKey("release", "ec-p256", "root", Map.of());
        createKey("nightly", "ec-p256", "root", Map.of());
        Map<String, byte[]> files = Map.of("a.txt", "a".getBytes(StandardCharsets.UTF_8));

        // a token without sign:release
        String noScope = token(ci, Scopes.TOKENS_WRITE);
        sign(noScope, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        // the scope for another key, or for a key that does not exist: the same refusal
        String nightlyOnly = token(ci, "sign:nightly");
        sign(nightlyOnly, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        sign(nightlyOnly, "no-such-key", files, Map.of()).isProblem(403, "sign.not_allowed");
        // the scope, but neither the token nor its owner is granted
        String scoped = token(ci, "sign:release", "sign:no-such-key");
        sign(scoped, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        sign(scoped, "no-such-key", files, Map.of()).isProblem(404, "sign.key_unknown");
        // keys:admin is not the right to sign
        sign(admin, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        assertThat(bean(AuditLog.class).recent(10, "sign.signature")).isEmpty();
        assertThat(bean(AuditLog.class).recent(20, "sign.refused"))
                .hasSize(5)
                .allSatisfy(e -> assertThat(e.outcome()).isEqualTo("failure"));

        // the token itself granted: it signs; another token of the same owner does not
        String tokenId = bean(TokenService.class).forUser(ci.id()).stream()
                .filter(t -> t.scopes().contains("sign:no-such-key"))
                .findFirst()
                .orElseThrow()
                .id();
        calls.post("/api/v1/keys/release/grants", admin, Map.of("to", "token:" + tokenId))
                .isOk(201);
        sign(scoped, "release", files, Map.of()).isOk(200);
        String sibling = token(ci, "sign:release");
        sign(sibling, "release", files, Map.of()).isProblem(403, "sign.not_allowed");

        // the owner granted: every token of the owner with the scope signs; the grant removed, none does
        calls.post("/api/v1/keys/release/grants", admin, Map.of("to", "user:ci"))
                .isOk(201);
        calls.post("/api/v1/keys/release/grants", admin, Map.of("to", "user:ci"))
                .isProblem(409, "keys.grant_conflict");
        sign(sibling, "release", files, Map.of()).isOk(200);
        sign(noScope, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        JsonNode grants =
                calls.get("/api/v1/keys/release/grants", admin).isOk(200).json().path("grants");
        assertThat(grants).extracting(g -> g.path("to").asString()).containsExactly("user:ci", "token:" + tokenId);
        calls.delete("/api/v1/keys/release/grants/user:ci", admin).isOk(204);
        calls.delete("/api/v1/keys/release/grants/token:" + tokenId, admin).isOk(204);
        calls.delete("/api/v1/keys/release/grants/user:ci", admin).isProblem(404, "keys.grant_not_found");
        sign(sibling, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        sign(scoped, "release", files, Map.of()).isProblem(403, "sign.not_allowed");
        assertThat(bean(AuditLog.class).recent(10, "sign.signature")).hasSize(2);
        assertThat(bean(AuditLog.class).recent(10, "keys.granted")).hasSize(2);
        assertThat(bean(AuditLog.class).recent(10, "keys.grant_removed")).hasSize(2);

        // who sees which key: keys:admin all, sign:NAME that one, others none
        assertThat(calls.get("/api/v1/keys", admin).isOk(200).json().path("keys"))
                .extracting(k -> k.path("name").asString())
                .containsExactly("nightly", "release");
        assertThat(calls.get("/api/v1/keys", sibling).isOk(200).json().path("keys"))
                .extracting(k -> k.path("name").asString())
                .containsExactly("release");
        assertThat(calls.get("/api/v1/keys", noScope).isOk(200).json().path("keys"))
                .isEmpty();
        assertThat(calls.get("/api/v1/keys/RELEASE", sibling).isOk(200).json().path("chain"))
                .hasSize(2);
        calls.get("/api/v1/keys/nightly", sibling).isProblem(403, "keys.forbidden");
        calls.get("/api/v1/keys/nothing", admin).isProblem(404, "keys.not_found");
        // managing keys needs keys:admin
        calls.post("/api/v1/keys/release/grants", sibling, Map.of("to", "user:ci"))
                .isProblem(403, "auth.insufficient_scope");
        calls.get("/api/v1/keys/release/grants", sibling).isProblem(403, "auth.insufficient_scope");
        calls.post("/api/v1/keys", sibling, Map.of("name", "x", "algorithm", "ec-p256", "ca", "root"))
                .isProblem(403, "auth.insufficient_scope");
        calls.post("/api/v1/sign", null, Map.of("key", "release")).isProblem(401, "auth.token_required");
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void signWhenInputIsBadThenAClear4xxWithItsCodeAndNothingSignedOrRecorded() throws Exception {
        createCa("root", "ec-p256");
        createKey("release", "ec-p256", "root", Map.of());
        calls.post("/api/v1/keys/release/grants", admin, Map.of("to", "user:ci"))
                .isOk(201);
        String token = token(ci, "sign:release", "sign:ghost");
        String good = sha("SHA-256", new byte[] {1});
        long eventsBefore = bean(AuditLog.class).size();

        post(token, body("release", List.of(item("a", "zz" + good.substring(2)))))
                .isProblem(400, "sign.digest_malformed");
        post(token, body("release", List.of(item("a", good.substring(1))))).isProblem(400, "sign.digest_malformed");
        post(token, body("release", List.of(item("a", good + "00")))).isProblem(400, "sign.digest_length");
        post(token, body("release", List.of(item("a", good.substring(0, 40))))).isProblem(400, "sign.digest_length");
        post(token, body("release", List.of(item("a", "")))).isProblem(400, "sign.digest_malformed");
        // a good item before a bad one: nothing at all is signed
        post(token, body("release", List.of(item("ok", good), item("bad", "not hex"))))
                .isProblem(400, "sign.digest_malformed");
        post(token, body("ghost", List.of(item("a", good)))).isProblem(404, "sign.key_unknown");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i <= SigningService.MAX_BATCH; i++) {
            many.add(item("file-" + i, good));
        }
        post(token, body("release", many)).isProblem(413, "sign.batch_too_large");
        post(token, body("release", List.of())).isProblem(400, "sign.batch_empty");
        Map<String, Object> raw = body("release", List.of(item("a", good)));
        raw.put("format", "pkcs7");
        post(token, raw).isProblem(400, "sign.format_unknown");
        Map<String, Object> sha512 = body("release", List.of(item("a", good)));
        sha512.put("digestAlgorithm", "sha512");
        post(token, sha512).isProblem(400, "sign.digest_algorithm");
        Map<String, Object> md5 = body("release", List.of(item("a", good)));
        md5.put("digestAlgorithm", "md5");
        post(token, md5).isProblem(400, "sign.digest_algorithm");
        post(token, body("release", List.of(item("", good)))).isProblem(400, "sign.name_invalid");
        post(token, body("release", List.of(item("line\nbreak", good)))).isProblem(400, "sign.name_invalid");
        post(token, body("release", List.of(item("x".repeat(SigningService.MAX_NAME + 1), good))))
                .isProblem(400, "sign.name_invalid");
        calls.post(
                        "/api/v1/sign",
                        token,
                        "{\"key\":\"release\",\"items\":[{\"name\":\"a\",\"digest\":\"" + good + "\",\"size\":3}]}")
                .isProblem(400, "request.invalid");
        calls.post("/api/v1/sign", token, "{\"key\":").isProblem(400, "request.malformed");
        calls.post("/api/v1/sign", token, Map.of("items", List.of(item("a", good))))
                .isProblem(400, "request.invalid");
        calls.post("/api/v1/sign", token, "{\"key\":\"release\",\"items\":[{\"name\":\"a\",\"digest\":42}]}")
                .isProblem(400, "request.invalid");
        calls.send("POST", "/api/v1/sign", token, "text/plain", "key=release".getBytes(StandardCharsets.UTF_8))
                .isProblem(415, "request.unsupported_media_type");
        byte[] huge = new byte[SigningService.MAX_REQUEST_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        calls.send("POST", "/api/v1/sign", token, "application/json", huge).isProblem(413, "request.too_large");

        assertThat(bean(AuditLog.class).recent(10, "sign.signature")).isEmpty();
        // unknown key for a token scoped to it is not a policy refusal: nothing was recorded at all
        assertThat(bean(AuditLog.class).size()).isEqualTo(eventsBefore);

        // a full batch of 1,000 is fine (and each item is recorded)
        many.removeLast();
        JsonNode full = post(token, body("release", many)).isOk(200).json();
        assertThat(full.path("items")).hasSize(SigningService.MAX_BATCH);
        assertThat(bean(AuditLog.class).verify()).isInstanceOf(dev.signet.core.ledger.ChainVerdict.Intact.class);
        assertThat(bean(AuditLog.class).countSince(clock.instant().minusSeconds(60), "sign.signature", "success"))
                .isEqualTo(SigningService.MAX_BATCH);
    }

    // ------------------------------------------------------------------ keys

    @Test
    void keysWhenCreatedThenRulesHoldExportOnlyWhenExportableAndEveryChangeIsAudited() throws Exception {
        createCa("root", "ec-p256");
        Files.writeString(
                dir.resolve("root.pem"),
                calls.get("/api/v1/ca/root/chain", admin).body());
        long sealedBefore = sealedKeys();
        createKey("locked", "ec-p256", "root", Map.of("stepUp", true, "validityDays", 30));
        JsonNode exportable = createKey(
                        "exportable",
                        "ec-p256",
                        "root",
                        Map.of("exportable", true, "subject", "CN=Release Signing,O=Signet Tests"))
                .json();
        assertThat(exportable.path("exportable").asBoolean()).isTrue();
        assertThat(exportable.path("certificate").path("subject").asString())
                .isEqualTo("CN=Release Signing,O=Signet Tests");
        assertThat(sealedKeys()).isEqualTo(sealedBefore + 2);
        JsonNode locked = calls.get("/api/v1/keys/locked", admin).isOk(200).json();
        assertThat(locked.path("stepUp").asBoolean()).isTrue();
        assertThat(Duration.between(
                        java.time.Instant.parse(
                                locked.path("certificate").path("notBefore").asString()),
                        java.time.Instant.parse(
                                locked.path("certificate").path("notAfter").asString())))
                .isBetween(Duration.ofDays(30), Duration.ofDays(30).plusMinutes(1));

        createKeyRaw(Map.of("name", "Locked", "algorithm", "ec-p256", "ca", "root"))
                .isProblem(409, "keys.taken");
        createKeyRaw(Map.of("name", "bad name", "algorithm", "ec-p256", "ca", "root"))
                .isProblem(400, "keys.name_invalid");
        createKeyRaw(Map.of("name", "pq", "algorithm", "ml-dsa-65", "ca", "root"))
                .isProblem(400, "keys.algorithm_invalid");
        createKeyRaw(Map.of("name", "small", "algorithm", "rsa-2048", "ca", "root"))
                .isProblem(400, "keys.algorithm_invalid");
        createKeyRaw(Map.of("name", "nowhere", "algorithm", "ec-p256", "ca", "nowhere"))
                .isProblem(404, "ca.not_found");
        createKeyRaw(Map.of("name", "long", "algorithm", "ec-p256", "ca", "root", "validityDays", 5000))
                .isProblem(400, "profile.validity_too_long");
        createKeyRaw(Map.of("name", "x", "algorithm", "ec-p256")).isProblem(400, "request.invalid");
        assertThat(sealedKeys()).isEqualTo(sealedBefore + 2);

        calls.post("/api/v1/keys/locked/export", admin, Map.of("password", EXPORT_PASSWORD))
                .isProblem(409, "keys.not_exportable");
        calls.post("/api/v1/keys/exportable/export", admin, Map.of("password", "short"))
                .isProblem(400, "password.too_short");
        Answer exported = calls.post("/api/v1/keys/exportable/export", admin, Map.of("password", EXPORT_PASSWORD))
                .isOk(200);
        assertThat(exported.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        Files.write(
                dir.resolve("key.p12"),
                Base64.getDecoder().decode(exported.json().path("pkcs12Base64").asString()));
        openssl(dir, "pkcs12", "-in", "key.p12", "-passin", "pass:" + EXPORT_PASSWORD, "-nodes", "-out", "key.pem");
        Files.writeString(
                dir.resolve("leaf.pem"), exportable.path("chain").get(0).asString());
        assertThat(openssl(dir, "pkey", "-in", "key.pem", "-pubout"))
                .isEqualTo(openssl(dir, "x509", "-in", "leaf.pem", "-noout", "-pubkey"));

        List<AuditRecord> created = bean(AuditLog.class).recent(10, "keys.created");
        assertThat(created).hasSize(2);
        assertThat(created)
                .filteredOn(r -> r.subject().equals("exportable"))
                .singleElement()
                .satisfies(r -> assertThat(r.details()).contains("\"exportable\":\"true\""));
        assertThat(created)
                .filteredOn(r -> r.subject().equals("locked"))
                .singleElement()
                .satisfies(r -> assertThat(r.details()).contains("\"exportable\":\"false\"", "\"step_up\":\"true\""));
        assertThat(bean(AuditLog.class).recent(10, "keys.exported"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.actor()).isEqualTo("root");
                    assertThat(r.subject()).isEqualTo("exportable");
                });

        // grants name existing principals
        calls.post("/api/v1/keys/locked/grants", admin, Map.of("to", "user:nobody"))
                .isProblem(404, "keys.grantee_not_found");
        calls.post("/api/v1/keys/locked/grants", admin, Map.of("to", "token:nope"))
                .isProblem(404, "keys.grantee_not_found");
        calls.post("/api/v1/keys/locked/grants", admin, Map.of("to", "group:ops"))
                .isProblem(400, "keys.grant_invalid");
        calls.post("/api/v1/keys/locked/grants", admin, Map.of("to", "ci")).isProblem(400, "keys.grant_invalid");
        calls.post("/api/v1/keys/ghost/grants", admin, Map.of("to", "user:ci")).isProblem(404, "keys.not_found");
        JsonNode client = calls.post("/api/v1/keys/locked/grants", admin, Map.of("to", "client:release-pipeline"))
                .isOk(201)
                .json();
        assertThat(client.path("kind").asString()).isEqualTo("client");

        // a revoked key certificate signs nothing more
        calls.post("/api/v1/keys/exportable/grants", admin, Map.of("to", "user:ci"))
                .isOk(201);
        String token = token(ci, "sign:exportable");
        Map<String, byte[]> files = Map.of("a.txt", "a".getBytes(StandardCharsets.UTF_8));
        sign(token, "exportable", files, Map.of()).isOk(200);
        calls.post(
                        "/api/v1/ca/root/revoke",
                        admin,
                        Map.of(
                                "serial",
                                exportable.path("certificate").path("serial").asString(),
                                "reason",
                                "key-compromise"))
                .isOk(200);
        assertThat(calls.get("/api/v1/keys/exportable", admin)
                        .json()
                        .path("certificate")
                        .path("status")
                        .asString())
                .isEqualTo("revoked");
        sign(token, "exportable", files, Map.of()).isProblem(409, "sign.key_revoked");
        // an expired one neither
        calls.post("/api/v1/keys/locked/grants", admin, Map.of("to", "user:ci")).isOk(201);
        clock.advance(Duration.ofDays(31));
        sign(token(ci, "sign:locked"), "locked", files, Map.of()).isProblem(409, "sign.key_expired");
    }

    // ------------------------------------------------------------------ helpers

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    String token(User owner, String... scopes) {
        return bean(TokenService.class)
                .create(owner, "test", Set.of(scopes), Optional.empty(), "test")
                .secret();
    }

    void createCa(String name, String key) {
        calls.post("/api/v1/ca", admin, Map.of("name", name, "key", key)).isOk(201);
    }

    Answer createKey(String name, String algorithm, String ca, Map<String, Object> more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("algorithm", algorithm);
        body.put("ca", ca);
        body.putAll(more);
        Answer created = createKeyRaw(body).isOk(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/keys/" + name);
        return created;
    }

    Answer createKeyRaw(Map<String, Object> body) {
        return calls.post("/api/v1/keys", admin, body);
    }

    Answer sign(String token, String key, Map<String, byte[]> files, Map<String, Object> more) throws Exception {
        List<Map<String, Object>> items = new ArrayList<>();
        for (var f : files.entrySet()) {
            items.add(item(f.getKey(), sha("SHA-256", f.getValue())));
        }
        Map<String, Object> body = body(key, items);
        body.putAll(more);
        return post(token, body);
    }

    Answer post(String token, Map<String, Object> body) {
        return calls.post("/api/v1/sign", token, body);
    }

    static Map<String, Object> body(String key, List<Map<String, Object>> items) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("items", items);
        return body;
    }

    static Map<String, Object> item(String name, String digest) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", name);
        item.put("digest", digest);
        return item;
    }

    static String sha(String algorithm, byte[] data) throws Exception {
        return HEX.formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    long sealedKeys() {
        return bean(dev.signet.server.store.Store.class)
                .jdbc()
                .sql("SELECT COUNT(*) FROM signing_key")
                .query(Long.class)
                .single();
    }

    /** The timestamp token in a detached CMS signature over content with SHA-256 {@code digest}, checked. */
    static TimeStampToken timestampOf(byte[] cms, byte[] digest) throws Exception {
        CMSSignedData signed =
                new CMSSignedData(Map.of(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256, digest), cms);
        SignerInformation signer =
                signed.getSignerInfos().getSigners().iterator().next();
        X509CertificateHolder certificate = (X509CertificateHolder)
                signed.getCertificates().getMatches(signer.getSID()).iterator().next();
        assertThat(signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(certificate)))
                .isTrue();
        var attribute = signer.getUnsignedAttributes().get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken);
        assertThat(attribute).as("a timestamp token in the unsigned attributes").isNotNull();
        TimeStampToken token = new TimeStampToken(new CMSSignedData(
                attribute.getAttrValues().getObjectAt(0).toASN1Primitive().getEncoded()));
        X509CertificateHolder tsa = (X509CertificateHolder)
                token.getCertificates().getMatches(token.getSID()).iterator().next();
        token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(tsa));
        byte[] imprint = MessageDigest.getInstance("SHA-256").digest(signer.getSignature());
        assertThat(token.getTimeStampInfo().getMessageImprintDigest()).isEqualTo(imprint);
        return token;
    }

    static X509Certificate certificate(String pem) throws Exception {
        return certificates(pem).getFirst();
    }

    @SuppressWarnings("unchecked")
    static List<X509Certificate> certificates(String pem) throws Exception {
        return new ArrayList<>((java.util.Collection<X509Certificate>) CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
    }
}

package dev.signet.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.crypto.CryptoException;
import dev.signet.core.crypto.MasterKey;
import dev.signet.core.ledger.ChainVerdict;
import dev.signet.core.password.Argon2id;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract, run unchanged against SQLite and against a real PostgreSQL (see the two
 * subclasses): migrations, envelope encryption, master key checks and rotation, single-use setup
 * links under concurrency, and the audit chain's tamper detection.
 */
abstract class StoreContractTest {
    static final Argon2id FAST_HASH = new Argon2id(new Argon2id.Params(256, 1, 1));

    @TempDir
    Path dataDir;

    MutableClock clock = MutableClock.startingNow();
    SignetSettings settings;
    Vault.Opened vault;
    ByteArrayOutputStream notices = new ByteArrayOutputStream();

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void open() {
        settings = TestDatabases.settings(kind(), dataDir);
        vault = Vault.open(settings, clock, new PrintStream(notices, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void close() {
        if (vault != null) {
            vault.close();
        }
    }

    Store store() {
        return vault.store();
    }

    AuditLog audit() {
        return new AuditLog(store(), vault.keyRing(), clock);
    }

    SetupService setup() {
        return new SetupService(store(), new UserRepository(store()), audit(), FAST_HASH, clock);
    }

    void reopen() {
        if (vault != null) {
            vault.close();
        }
        vault = Vault.open(settings, clock, new PrintStream(notices, true, StandardCharsets.UTF_8));
    }

    // ---- migrations ------------------------------------------------------------------------

    @Test
    void migrateWhenFreshThenEveryTableExistsAtTheBundledVersion() {
        for (String table :
                List.of("keyring", "data_key", "app_secret", "app_user", "setup_token", "audit_head", "audit_event")) {
            assertThat(store().tableExists(table)).as(table).isTrue();
        }
        String applied = store().jdbc()
                .sql("SELECT version FROM flyway_schema_history WHERE success = ? ORDER BY installed_rank DESC LIMIT 1")
                .param(true)
                .query(String.class)
                .single();
        assertThat(applied).isEqualTo(store().expectedSchemaVersion());
    }

    @Test
    void openWhenAlreadyMigratedThenNothingIsReapplied() {
        long before = store().jdbc()
                .sql("SELECT COUNT(*) FROM flyway_schema_history")
                .query(Long.class)
                .single();
        reopen();
        long after = store().jdbc()
                .sql("SELECT COUNT(*) FROM flyway_schema_history")
                .query(Long.class)
                .single();
        assertThat(after).isEqualTo(before);
    }

    // ---- secrets at rest -------------------------------------------------------------------

    KeyRing.SecretRef ref(String row) {
        return new KeyRing.SecretRef("app_secret", "sealed", row);
    }

    void storeSecret(String name, byte[] plaintext) {
        store().jdbc()
                .sql("INSERT INTO app_secret (name, sealed, created_at) VALUES (?, ?, ?)")
                .params(name, vault.keyRing().seal(ref(name), plaintext), clock.millis())
                .update();
    }

    String sealedOf(String name) {
        return store().jdbc()
                .sql("SELECT sealed FROM app_secret WHERE name = ?")
                .param(name)
                .query(String.class)
                .single();
    }

    @Test
    void secretWhenSealedAndStoredThenOpensToTheSameBytesAndIsNotInTheClear() {
        byte[] secret = "JBSWY3DPEHPK3PXP-totp-seed".getBytes(StandardCharsets.UTF_8);
        storeSecret("seed-1", secret);
        String stored = sealedOf("seed-1");
        assertThat(stored).doesNotContain("JBSWY3DPEHPK3PXP").startsWith("sv1.");
        assertThat(vault.keyRing().open(ref("seed-1"), stored)).isEqualTo(secret);
    }

    @Test
    void secretWhenOneByteFlippedInTheDatabaseThenIntegrityError() {
        storeSecret("seed-1", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        String stored = sealedOf("seed-1");
        String body = stored.substring(stored.lastIndexOf('.') + 1);
        byte[] raw = Base64.getUrlDecoder().decode(body);
        raw[raw.length / 2] ^= 0x01;
        String tampered = stored.substring(0, stored.lastIndexOf('.') + 1)
                + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        store().jdbc()
                .sql("UPDATE app_secret SET sealed = ? WHERE name = ?")
                .params(tampered, "seed-1")
                .update();

        assertThatThrownBy(() -> vault.keyRing().open(ref("seed-1"), sealedOf("seed-1")))
                .isInstanceOfSatisfying(
                        CryptoException.class, e -> assertThat(e.code()).isEqualTo(CryptoException.INTEGRITY));
    }

    @Test
    void secretWhenCopiedIntoAnotherRowThenRejected() {
        storeSecret("alice-seed", "alice".getBytes(StandardCharsets.UTF_8));
        storeSecret("mallory-seed", "mallory".getBytes(StandardCharsets.UTF_8));
        store().jdbc()
                .sql("UPDATE app_secret SET sealed = ? WHERE name = ?")
                .params(sealedOf("alice-seed"), "mallory-seed")
                .update();

        assertThatThrownBy(() -> vault.keyRing().open(ref("mallory-seed"), sealedOf("mallory-seed")))
                .isInstanceOfSatisfying(
                        CryptoException.class, e -> assertThat(e.code()).isEqualTo(CryptoException.INTEGRITY));
    }

    @Test
    void rotateMasterKeyWhenSecretsExistThenEverySecretStaysReadableUnderTheNewKeyOnly() throws Exception {
        Map<String, byte[]> secrets = Map.of(
                "a", "first".getBytes(StandardCharsets.UTF_8),
                "b", "second".getBytes(StandardCharsets.UTF_8),
                "c", new byte[64]);
        secrets.forEach(this::storeSecret);
        audit().append(AuditEvent.of("test.before_rotation", AuditEvent.SUCCESS).build());
        String oldKey = Files.readString(dataDir.resolve(Vault.KEY_FILE)).strip();

        int rewrapped = Vault.rotate(
                settings, vault, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(rewrapped).isGreaterThanOrEqualTo(1);
        String newKey = Files.readString(dataDir.resolve(Vault.KEY_FILE)).strip();
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(Files.exists(dataDir.resolve(Vault.PENDING_KEY_FILE))).isFalse();

        reopen(); // a fresh process: nothing cached, everything unwrapped with the new master key
        secrets.forEach((name, value) ->
                assertThat(vault.keyRing().open(ref(name), sealedOf(name))).isEqualTo(value));
        assertThat(audit().verify()).isInstanceOf(ChainVerdict.Intact.class);

        vault.close();
        Files.writeString(dataDir.resolve(Vault.KEY_FILE), oldKey + "\n");
        assertThatThrownBy(() -> Vault.open(settings, clock, System.err))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.code()).isEqualTo(StoreException.MASTER_KEY));
        vault = null;
    }

    @Test
    void openWhenRotationWasInterruptedAfterTheDatabaseCommitThenTheNewKeyIsAdopted() throws Exception {
        storeSecret("a", "kept".getBytes(StandardCharsets.UTF_8));
        // Simulate a crash between the re-wrap commit and the rename: new key only in master.key.new.
        MasterKey next = MasterKey.generate();
        MasterKeyFile.create(dataDir.resolve(Vault.PENDING_KEY_FILE), next);
        vault.keyRing().rewrapAll(next);

        reopen();
        assertThat(vault.keyRing().open(ref("a"), sealedOf("a"))).isEqualTo("kept".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(dataDir.resolve(Vault.KEY_FILE)).strip()).isEqualTo(next.toBase64());
        assertThat(notices.toString(StandardCharsets.UTF_8)).contains("interrupted master key rotation");
    }

    @Test
    void openWhenMasterKeyIsWrongThenRefusesAndChangesNothing() throws Exception {
        audit().append(AuditEvent.of("test.marker", AuditEvent.SUCCESS).build());
        long events = audit().size();
        vault.close();
        vault = null;
        Path keyFile = dataDir.resolve(Vault.KEY_FILE);
        String original = Files.readString(keyFile);
        Files.writeString(keyFile, MasterKey.generate().toBase64() + "\n");

        assertThatThrownBy(() -> Vault.open(settings, clock, System.err))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.code()).isEqualTo(StoreException.MASTER_KEY);
                    assertThat(e.getMessage())
                            .contains("does not match this database")
                            .contains("Nothing was changed");
                });
        SignetSettings withEnvKey = TestDatabases.settings(
                TestDatabases.Kind.SQLITE,
                dataDir,
                Map.of("SIGNET_MASTER_KEY", MasterKey.generate().toBase64()));
        if (kind() == TestDatabases.Kind.SQLITE) {
            assertThatThrownBy(() -> Vault.open(withEnvKey, clock, System.err)).isInstanceOf(StoreException.class);
        }

        Files.writeString(keyFile, original);
        reopen();
        assertThat(audit().size()).isEqualTo(events);
        assertThat(audit().verify()).isInstanceOf(ChainVerdict.Intact.class);
    }

    @Test
    void openWhenMasterKeyFileIsMissingThenRefusesWithoutGeneratingANewOne() throws Exception {
        vault.close();
        vault = null;
        Path keyFile = dataDir.resolve(Vault.KEY_FILE);
        Files.delete(keyFile);
        assertThatThrownBy(() -> Vault.open(settings, clock, System.err))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.getMessage()).contains("master key is missing"));
        assertThat(Files.exists(keyFile)).isFalse();
    }

    @Test
    void openWhenKeyFileIsReadableByOthersThenRefusesLikeSsh() throws Exception {
        vault.close();
        vault = null;
        Path keyFile = dataDir.resolve(Vault.KEY_FILE);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> Vault.open(settings, clock, System.err))
                .isInstanceOfSatisfying(
                        StoreException.class,
                        e -> assertThat(e.getMessage()).contains("too open").contains("chmod 600"));
    }

    @Test
    void openWhenFreshThenKeyFileIsOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(Vault.KEY_FILE))))
                .isEqualTo("rw-------");
        assertThat(notices.toString(StandardCharsets.UTF_8)).contains("Back it up");
    }

    // ---- setup link ------------------------------------------------------------------------

    @Test
    void setupLinkWhenEightRequestsRaceThenExactlyOneCreatesTheAdmin() throws Exception {
        SetupService setup = setup();
        String token = setup.issueToken().orElseThrow();
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            String name = "admin" + i;
            results.add(pool.submit((Callable<String>) () -> {
                go.await();
                try {
                    setup.createFirstAdmin(
                            token, name, null, "correct horse battery staple", null, "127.0.0.1", "test");
                    return "created";
                } catch (AccountException e) {
                    return e.code();
                }
            }));
        }
        go.countDown();
        List<String> outcomes = new ArrayList<>();
        for (Future<String> f : results) {
            outcomes.add(f.get());
        }
        pool.shutdown();

        assertThat(outcomes).filteredOn("created"::equals).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !o.equals("created")).allMatch(o -> o.startsWith("setup."));
        assertThat(new UserRepository(store()).countAdmins()).isEqualTo(1);
        assertThat(setup.check(token)).isEqualTo(SetupService.TokenState.USED);
        assertThat(setup.check("any-other-token")).isEqualTo(SetupService.TokenState.DONE);
    }

    @Test
    void setupLinkWhenUsedOnceThenSecondUseRefused() {
        SetupService setup = setup();
        String token = setup.issueToken().orElseThrow();
        User admin = setup.createFirstAdmin(
                token, "Root", "root@example.test", "correct horse battery staple", null, null, null);
        assertThat(admin.role()).isEqualTo(User.Role.ADMIN);
        assertThatThrownBy(() ->
                        setup.createFirstAdmin(token, "other", null, "correct horse battery staple", null, null, null))
                .isInstanceOfSatisfying(
                        AccountException.class, e -> assertThat(e.code()).isEqualTo("setup.link_used"));
        assertThat(setup.issueToken()).isEmpty();
    }

    @Test
    void setupLinkWhenOlderThanOneHourThenExpiredWithAClearMessage() {
        SetupService setup = setup();
        String token = setup.issueToken().orElseThrow();
        clock.advance(SetupService.LINK_TTL.plus(Duration.ofSeconds(1)));
        assertThat(setup.check(token)).isEqualTo(SetupService.TokenState.EXPIRED);
        assertThatThrownBy(() ->
                        setup.createFirstAdmin(token, "root", null, "correct horse battery staple", null, null, null))
                .isInstanceOfSatisfying(AccountException.class, e -> {
                    assertThat(e.code()).isEqualTo("setup.link_expired");
                    assertThat(e.getMessage()).contains("expired");
                });
        assertThat(new UserRepository(store()).count()).isZero();
    }

    @Test
    void setupLinkWhenANewOneIsIssuedThenTheOldOneStopsWorking() {
        SetupService setup = setup();
        String first = setup.issueToken().orElseThrow();
        String second = setup.issueToken().orElseThrow();
        assertThat(setup.check(first)).isEqualTo(SetupService.TokenState.EXPIRED);
        assertThat(setup.check(second)).isEqualTo(SetupService.TokenState.VALID);
        assertThat(setup.check("not-a-token")).isEqualTo(SetupService.TokenState.UNKNOWN);
    }

    @Test
    void setupTokenWhenStoredThenOnlyItsHashIsInTheDatabase() {
        String token = setup().issueToken().orElseThrow();
        List<String> hashes = store().jdbc()
                .sql("SELECT token_hash FROM setup_token")
                .query(String.class)
                .list();
        assertThat(hashes).isNotEmpty().noneMatch(h -> h.contains(token));
    }

    // ---- users -----------------------------------------------------------------------------

    @Test
    void usernameWhenDifferingOnlyByCaseOrWidthThenTheSameAccount() {
        UserRepository users = new UserRepository(store());
        users.create("Alice", null, User.Role.USER, "x", clock.instant());
        assertThatThrownBy(() -> users.create("ALICE", null, User.Role.USER, "x", clock.instant()))
                .isInstanceOfSatisfying(
                        AccountException.class, e -> assertThat(e.code()).isEqualTo("username.taken"));
        assertThat(users.byUsername("ａｌｉｃｅ")).isPresent();
    }

    // ---- audit chain -----------------------------------------------------------------------

    AuditLog auditWith(int events) {
        AuditLog log = audit();
        for (int i = 1; i <= events; i++) {
            log.append(AuditEvent.of("test.event", i % 3 == 0 ? AuditEvent.FAILURE : AuditEvent.SUCCESS)
                    .actor("user" + i)
                    .subject("subject" + i)
                    .client("127.0.0.1", "agent")
                    .reason(i % 3 == 0 ? "bad_credentials" : null)
                    .detail("n", Integer.toString(i))
                    .build());
        }
        return log;
    }

    @Test
    void auditWhenAppendedThenChainIsIntact() {
        ChainVerdict verdict = auditWith(10).verify();
        assertThat(verdict)
                .isInstanceOfSatisfying(
                        ChainVerdict.Intact.class,
                        ok -> assertThat(ok.entries()).isEqualTo(10));
    }

    @Test
    void auditWhenAppendedConcurrentlyThenOneGaplessIntactChain() throws Exception {
        AuditLog log = audit();
        int threads = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    log.append(AuditEvent.of("test.concurrent", AuditEvent.SUCCESS)
                            .actor("t" + id)
                            .build());
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertThat(log.verify())
                .isInstanceOfSatisfying(
                        ChainVerdict.Intact.class,
                        ok -> assertThat(ok.entries()).isEqualTo(threads * each));
    }

    ChainVerdict.Broken broken(AuditLog log) {
        ChainVerdict verdict = log.verify();
        assertThat(verdict).isInstanceOf(ChainVerdict.Broken.class);
        return (ChainVerdict.Broken) verdict;
    }

    @Test
    void auditWhenARowIsEditedThenDetectedAtThatRow() {
        AuditLog log = auditWith(10);
        store().jdbc()
                .sql("UPDATE audit_event SET subject = 'someone-else' WHERE seq = 4")
                .update();
        ChainVerdict.Broken b = broken(log);
        assertThat(b.seq()).isEqualTo(4);
        assertThat(b.kind()).isEqualTo(ChainVerdict.Kind.CHANGED);
    }

    @Test
    void auditWhenARowIsEditedAndRehashedWithoutTheKeyThenDetectedAsForged() {
        AuditLog log = auditWith(10);
        var row = store().jdbc()
                .sql("SELECT * FROM audit_event WHERE seq = 6")
                .query()
                .singleRow();
        var entry = new dev.signet.core.ledger.ChainEntry(
                ((Number) row.get("occurred_at")).longValue(),
                (String) row.get("type"),
                "attacker",
                (String) row.get("subject"),
                (String) row.get("ip"),
                (String) row.get("user_agent"),
                (String) row.get("outcome"),
                (String) row.get("reason"),
                (String) row.get("details"));
        String rehash = dev.signet.core.ledger.HashChain.hash((String) row.get("prev_hash"), entry);
        store().jdbc()
                .sql("UPDATE audit_event SET actor = 'attacker', hash = ? WHERE seq = 6")
                .param(rehash)
                .update();
        ChainVerdict.Broken b = broken(log);
        assertThat(b.seq()).isEqualTo(6);
        assertThat(b.kind()).isEqualTo(ChainVerdict.Kind.FORGED);
    }

    @Test
    void auditWhenARowIsDeletedThenDetectedAtThatPosition() {
        AuditLog log = auditWith(10);
        store().jdbc().sql("DELETE FROM audit_event WHERE seq = 5").update();
        ChainVerdict.Broken b = broken(log);
        assertThat(b.seq()).isEqualTo(5);
        assertThat(b.kind()).isEqualTo(ChainVerdict.Kind.DELETED);
    }

    @Test
    void auditWhenTheLastRowsAreDeletedThenDetectedAsTruncated() {
        AuditLog log = auditWith(10);
        store().jdbc().sql("DELETE FROM audit_event WHERE seq >= 9").update();
        ChainVerdict.Broken b = broken(log);
        assertThat(b.seq()).isEqualTo(9);
        assertThat(b.kind()).isEqualTo(ChainVerdict.Kind.TRUNCATED);
    }

    @Test
    void auditWhenTwoRowsAreSwappedThenDetectedAsReordered() {
        AuditLog log = auditWith(10);
        // Swap the whole content of rows 3 and 4 (positions kept): each row is intact, the order is not.
        store().inTransaction(() -> {
            store().jdbc().sql("UPDATE audit_event SET seq = -3 WHERE seq = 3").update();
            store().jdbc().sql("UPDATE audit_event SET seq = 3 WHERE seq = 4").update();
            store().jdbc().sql("UPDATE audit_event SET seq = 4 WHERE seq = -3").update();
        });
        ChainVerdict.Broken b = broken(log);
        assertThat(b.seq()).isEqualTo(3);
        assertThat(b.kind()).isEqualTo(ChainVerdict.Kind.REORDERED);
    }
}

package dev.signet.server.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.guard.SignInGuard.Verdict;
import dev.signet.server.store.Store;
import dev.signet.server.store.Vault;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The brute-force guard's contract, run unchanged against SQLite and a real PostgreSQL (see the two
 * subclasses). Time only moves through the {@link MutableClock}; nothing sleeps.
 */
abstract class SignInGuardContractTest {
    private static final String PASSWORD = "wrong horse battery staple";

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    SignetSettings settings;
    Vault.Opened vault;
    AuditLog audit;
    SignInGuard guard;
    List<Vault.Opened> others = new ArrayList<>();

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void open() {
        settings = TestDatabases.settings(kind(), dataDir);
        vault = openVault();
        audit = new AuditLog(store(), vault.keyRing(), clock);
        guard = newGuard(vault);
    }

    @AfterEach
    void close() {
        others.forEach(Vault.Opened::close);
        if (vault != null) {
            vault.close();
        }
    }

    Vault.Opened openVault() {
        return Vault.open(settings, clock, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    SignInGuard newGuard(Vault.Opened v) {
        return new SignInGuard(
                v.store(), v.keyRing(), new AuditLog(v.store(), v.keyRing(), clock), settings.throttle(), clock);
    }

    Store store() {
        return vault.store();
    }

    /** One attempt that the guard lets through and whose password turns out wrong. */
    void failOnce(SignInGuard g, String user, String ip, String password) {
        assertThat(g.check(user, ip).isAllowed())
                .as("attempt for %s from %s", user, ip)
                .isTrue();
        g.failed(user, ip, password);
    }

    void failOnce(String user, String ip) {
        failOnce(guard, user, ip, PASSWORD);
    }

    long throttleEvents() {
        return store().jdbc()
                .sql("SELECT COUNT(*) FROM audit_event WHERE type = 'auth.throttle' AND outcome = 'failure'")
                .query(Long.class)
                .single();
    }

    static Duration expectedDelay(int failures) {
        if (failures <= 4) {
            return Duration.ZERO;
        }
        return failures - 5 >= 10 ? Duration.ofMinutes(15) : Duration.ofSeconds(Math.min(900, 1L << (failures - 5)));
    }

    @Test
    void settingsWhenDefaultThenTheDocumentedPolicy() {
        SignetSettings.Throttle t = settings.throttle();
        assertThat(t.freeFailures()).isEqualTo(4);
        assertThat(t.baseDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(t.maxDelay()).isEqualTo(Duration.ofMinutes(15));
        assertThat(t.ipBurst()).isEqualTo(30);
        assertThat(t.ipPerMinute()).isEqualTo(30);
        assertThat(t.stuffingUsernames()).isEqualTo(20);
        assertThat(t.sprayingAccounts()).isEqualTo(10);
        assertThat(t.window()).isEqualTo(Duration.ofMinutes(60));
        assertThat(t.sourceBlock()).isEqualTo(Duration.ofMinutes(15));
    }

    // ---- per account -----------------------------------------------------------------------

    @Test
    void checkWhenFourFailuresThenStillAllowed() {
        for (int i = 0; i < 4; i++) {
            failOnce("alice", "192.0.2.1");
        }
        assertThat(guard.check("alice", "192.0.2.1")).isEqualTo(Verdict.allowed());
        assertThat(guard.account("alice")).hasValue(new SignInGuard.AccountState(4, java.util.Optional.empty()));
        assertThat(throttleEvents()).isZero();
    }

    @Test
    void checkWhenFifthFailureThenAccountDelayedOneSecondThenAllowed() {
        for (int i = 0; i < 5; i++) {
            failOnce("alice", "192.0.2.1");
        }
        Verdict refused = guard.check("alice", "192.0.2.1");
        assertThat(refused.throttled()).isTrue();
        assertThat(refused.scope()).isEqualTo("account");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(guard.account("alice").orElseThrow().delayedUntil())
                .hasValue(clock.instant().plusSeconds(1));

        clock.advance(Duration.ofMillis(999));
        assertThat(guard.check("alice", "192.0.2.1").scope()).isEqualTo("account");
        clock.advance(Duration.ofMillis(1));
        assertThat(guard.check("alice", "192.0.2.1").isAllowed()).isTrue();
    }

    @Test
    void checkWhenFailuresContinueThenDelayDoublesAndCapsAtFifteenMinutes() {
        List<Duration> delays = new ArrayList<>();
        for (int n = 1; n <= 50; n++) {
            failOnce("alice", "192.0.2.1");
            Duration delay = guard.account("alice")
                    .orElseThrow()
                    .delayedUntil()
                    .map(until -> Duration.between(clock.instant(), until))
                    .orElse(Duration.ZERO);
            assertThat(delay).as("delay after failure %d", n).isEqualTo(expectedDelay(n));
            if (!delay.isZero()) {
                assertThat(guard.check("alice", "192.0.2.1").retryAfter()).isEqualTo(delay);
            }
            delays.add(delay);
            clock.advance(delay);
        }
        assertThat(delays.subList(4, 10))
                .containsExactly(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(16),
                        Duration.ofSeconds(32));
        assertThat(delays.getLast()).isEqualTo(Duration.ofMinutes(15));
        assertThat(guard.account("alice").orElseThrow().failures()).isEqualTo(50);
    }

    @Test
    void checkWhenSignInSucceedsThenStreakResets() {
        for (int i = 0; i < 6; i++) {
            guard.failed("alice", "192.0.2.1", PASSWORD);
        }
        clock.advance(Duration.ofSeconds(2));
        assertThat(guard.check("alice", "192.0.2.1").isAllowed()).isTrue();
        guard.succeeded("alice", "192.0.2.1");

        assertThat(guard.account("alice")).isEmpty();
        for (int i = 0; i < 4; i++) {
            failOnce("alice", "192.0.2.1");
        }
        assertThat(guard.check("alice", "192.0.2.1").isAllowed()).isTrue();
    }

    @Test
    void checkWhenRefusedDuringDelayThenDelayIsNotExtended() {
        for (int i = 0; i < 6; i++) {
            guard.failed("alice", "192.0.2.1", PASSWORD);
        }
        Instant until = clock.instant().plusSeconds(2);
        for (int i = 0; i < 10; i++) {
            assertThat(guard.check("alice", "192.0.2.1").scope()).isEqualTo("account");
            clock.advance(Duration.ofMillis(100));
        }
        assertThat(guard.account("alice")).hasValue(new SignInGuard.AccountState(6, java.util.Optional.of(until)));
        clock.advance(Duration.between(clock.instant(), until));
        assertThat(guard.check("alice", "192.0.2.1").isAllowed()).isTrue();
    }

    @Test
    void failedWhenQuietForTheWindowThenStreakStartsOver() {
        for (int i = 0; i < 5; i++) {
            failOnce("alice", "192.0.2.1");
        }
        clock.advance(Duration.ofMinutes(61));
        assertThat(guard.account("alice")).isEmpty();
        failOnce("alice", "192.0.2.1");
        assertThat(guard.account("alice").orElseThrow().failures()).isEqualTo(1);
    }

    @Test
    void checkWhenUsernameKnownOrUnknownThenIdenticalBehaviour() {
        store().jdbc()
                .sql("INSERT INTO app_user (id, username, username_key, role, status, created_at)"
                        + " VALUES ('u1', 'alice', 'alice', 'USER', 'ACTIVE', ?)")
                .param(clock.millis())
                .update();
        List<String> known = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Verdict a = guard.check("alice", "192.0.2.1");
            Verdict b = guard.check("nobody", "192.0.2.2");
            known.add(a.scope() + "/" + a.retryAfter());
            unknown.add(b.scope() + "/" + b.retryAfter());
            if (a.isAllowed()) {
                guard.failed("alice", "192.0.2.1", PASSWORD);
            }
            if (b.isAllowed()) {
                guard.failed("nobody", "192.0.2.2", PASSWORD);
            }
            clock.advance(Duration.ofMillis(700));
        }
        assertThat(known).isEqualTo(unknown).contains("account/PT0.3S");
        assertThat(guard.account("alice")).isEqualTo(guard.account("nobody"));
    }

    @Test
    void clearWhenAdminClearsThenAccountAllowedAndAudited() {
        for (int i = 0; i < 20; i++) {
            guard.failed("alice", "192.0.2.1", PASSWORD);
        }
        assertThat(guard.check("alice", "192.0.2.1").scope()).isEqualTo("account");

        guard.clear("alice", "admin");

        assertThat(guard.account("alice")).isEmpty();
        assertThat(guard.check("alice", "192.0.2.1").isAllowed()).isTrue();
        AuditRecord cleared = audit.recent(1, "auth.throttle_cleared").getFirst();
        assertThat(cleared.outcome()).isEqualTo("success");
        assertThat(cleared.actor()).isEqualTo("admin");
        assertThat(cleared.subject()).isEqualTo("alice");
        assertThat(cleared.reason()).isEqualTo("account");
    }

    // ---- per IP ----------------------------------------------------------------------------

    @Test
    void checkWhenIpExceedsItsBurstThenIpThrottledOthersNotAndRefilledLater() {
        for (int i = 0; i < 30; i++) {
            assertThat(guard.check("user" + i, "198.51.100.7").isAllowed())
                    .as("attempt %d", i)
                    .isTrue();
        }
        Verdict refused = guard.check("user31", "198.51.100.7");
        assertThat(refused.scope()).isEqualTo("ip");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(guard.check("user31", "198.51.100.8").isAllowed()).isTrue();

        clock.advance(Duration.ofSeconds(2));
        assertThat(guard.check("user31", "198.51.100.7").isAllowed()).isTrue();
        assertThat(guard.check("user32", "198.51.100.7").scope()).isEqualTo("ip");

        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 30; i++) {
            assertThat(guard.check("user" + i, "198.51.100.7").isAllowed()).isTrue();
        }
        assertThat(guard.check("user0", "198.51.100.7").scope()).isEqualTo("ip");
    }

    @Test
    void checkWhenOneIpFailsForManyUsernamesThenStuffingBlocksThatIp() {
        String ip = "203.0.113.5";
        // leaked pairs: a different password for each username (one password for all would be spraying)
        for (int i = 1; i <= 20; i++) {
            failOnce(guard, "victim" + i, ip, "leaked-" + i);
        }
        assertThat(guard.check("someone-new", ip).isAllowed()).isTrue();
        assertThat(guard.activeBlocks()).isEmpty();

        failOnce(guard, "victim21", ip, "leaked-21");

        Verdict refused = guard.check("someone-new", ip);
        assertThat(refused.scope()).isEqualTo("stuffing");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMinutes(15));
        assertThat(guard.check("someone-new", "203.0.113.6").isAllowed()).isTrue();
        assertThat(guard.activeBlocks())
                .containsExactly(
                        new SignInGuard.Block(ip, "stuffing", clock.instant().plus(Duration.ofMinutes(15))));
        AuditRecord started = audit.recent(10, "auth.throttle").stream()
                .filter(r -> r.details() != null && r.details().contains("blocked_for_seconds"))
                .findFirst()
                .orElseThrow();
        assertThat(started.ip()).isEqualTo(ip);
        assertThat(started.reason()).isEqualTo("stuffing");
        assertThat(started.details()).contains("900");

        clock.advance(Duration.ofMinutes(15));
        assertThat(guard.check("someone-new", ip).isAllowed()).isTrue();
        assertThat(guard.activeBlocks()).isEmpty();
    }

    @Test
    void checkWhenOnePasswordFailsAcrossManyAccountsThenSprayingBlocksItsSources() {
        List<String> ips = List.of("203.0.113.10", "203.0.113.11", "203.0.113.12");
        for (int i = 1; i <= 10; i++) {
            failOnce(guard, "member" + i, ips.get(i % 3), "Winter2030!");
        }
        assertThat(guard.activeBlocks()).isEmpty();

        failOnce(guard, "member11", ips.get(11 % 3), "Winter2030!");

        for (String ip : ips) {
            assertThat(guard.check("member12", ip).scope()).as(ip).isEqualTo("spraying");
        }
        assertThat(guard.check("member12", "203.0.113.99").isAllowed()).isTrue();
        assertThat(guard.activeBlocks()).extracting(SignInGuard.Block::ip).containsExactlyInAnyOrderElementsOf(ips);
        assertThat(audit.recent(50, "auth.throttle"))
                .filteredOn(r -> r.details() != null && r.details().contains("blocked_for_seconds"))
                .hasSize(3)
                .allMatch(r -> r.reason().equals("spraying"));

        guard.clearIp(ips.getFirst(), "admin");
        assertThat(guard.check("member12", ips.getFirst()).isAllowed()).isTrue();
        assertThat(guard.check("member12", ips.get(1)).scope()).isEqualTo("spraying");
        AuditRecord cleared = audit.recent(1, "auth.throttle_cleared").getFirst();
        assertThat(cleared.subject()).isEqualTo(ips.getFirst());
        assertThat(cleared.reason()).isEqualTo("ip");
    }

    @Test
    void failedWhenPasswordsRecordedThenOnlyEightHexDigitFingerprintsAreStored() {
        List<String> passwords = List.of("correct horse battery staple", "Winter2030!", "hunter2", "pässwörd ✓");
        for (String p : passwords) {
            guard.failed("alice", "192.0.2.1", p);
            guard.failed("bob", "192.0.2.1", p);
        }
        List<String> stored = store().jdbc()
                .sql("SELECT fingerprint FROM throttle_spray ORDER BY fingerprint")
                .query(String.class)
                .list();
        assertThat(stored).hasSize(8).allMatch(f -> f.matches("[0-9a-f]{8}"));
        assertThat(stored.stream().distinct()).hasSize(4);
        assertThat(guard.fingerprint("hunter2")).isEqualTo(guard.fingerprint(new StringBuilder("hunter2")));
        for (String table : List.of(
                "throttle_account", "throttle_ip_user", "throttle_spray", "throttle_block", "throttle_bucket")) {
            String dump = store().jdbc()
                    .sql("SELECT * FROM " + table)
                    .query()
                    .listOfRows()
                    .toString();
            for (String p : passwords) {
                assertThat(dump).as(table).doesNotContain(p);
            }
        }
        assertThat(store().jdbc()
                        .sql("SELECT COUNT(*) FROM app_secret WHERE name = 'throttle-fingerprint'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    // ---- audit, concurrency, several nodes ---------------------------------------------------

    @Test
    void checkWhenRefusedThenEachRefusalIsAnAuditEvent() {
        for (int i = 0; i < 5; i++) {
            failOnce("alice", "192.0.2.1");
        }
        guard.check("alice", "192.0.2.1");
        guard.check("alice", "192.0.2.1");
        for (int i = 0; i < 31; i++) {
            guard.check("bob", "192.0.2.9");
        }
        assertThat(throttleEvents()).isEqualTo(3);
        List<AuditRecord> events = audit.recent(3, "auth.throttle");
        assertThat(events).extracting(AuditRecord::reason).containsExactly("ip", "account", "account");
        assertThat(events.getFirst().subject()).isEqualTo("bob");
        assertThat(events.getFirst().ip()).isEqualTo("192.0.2.9");
        assertThat(events.getLast().subject()).isEqualTo("alice");
        assertThat(events.getLast().ip()).isEqualTo("192.0.2.1");
        assertThat(events)
                .allMatch(e -> e.outcome().equals("failure") && e.details().contains("retry_after_seconds"));
    }

    @Test
    void failedWhenEightThreadsRaceOnOneAccountThenNoFailureIsLost() throws Exception {
        int threads = 8;
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Void>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String ip = "192.0.2." + (t + 1);
            results.add(pool.submit((Callable<Void>) () -> {
                go.await();
                for (int i = 0; i < each; i++) {
                    guard.failed("alice", ip, PASSWORD);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<Void> f : results) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int stored = store().jdbc()
                .sql("SELECT failures FROM throttle_account WHERE username_key = 'alice'")
                .query(Integer.class)
                .single();
        assertThat(stored).isEqualTo(threads * each);
        assertThat(guard.account("alice").orElseThrow().delayedUntil())
                .hasValue(clock.instant().plus(Duration.ofMinutes(15)));
    }

    @Test
    void checkWhenSecondNodeSharesTheDatabaseThenStateHolds() {
        Vault.Opened second = openVault();
        others.add(second);
        SignInGuard node2 = newGuard(second);

        for (int i = 0; i < 5; i++) {
            failOnce(i % 2 == 0 ? guard : node2, "alice", "192.0.2.1", PASSWORD);
        }
        assertThat(node2.check("alice", "192.0.2.1").scope()).isEqualTo("account");
        assertThat(guard.check("alice", "192.0.2.1").scope()).isEqualTo("account");
        assertThat(node2.account("alice")).isEqualTo(guard.account("alice"));

        for (int i = 0; i < 15; i++) {
            assertThat(guard.check("x" + i, "198.51.100.1").isAllowed()).isTrue();
            assertThat(node2.check("y" + i, "198.51.100.1").isAllowed()).isTrue();
        }
        assertThat(guard.check("z", "198.51.100.1").scope()).isEqualTo("ip");
        assertThat(node2.check("z", "198.51.100.1").scope()).isEqualTo("ip");

        assertThat(node2.fingerprint("Winter2030!")).isEqualTo(guard.fingerprint("Winter2030!"));
        for (int i = 1; i <= 11; i++) {
            (i % 2 == 0 ? guard : node2).failed("member" + i, "203.0.113." + (i % 2), "Winter2030!");
        }
        assertThat(guard.check("member12", "203.0.113.0").scope()).isEqualTo("spraying");
        assertThat(node2.check("member12", "203.0.113.1").scope()).isEqualTo("spraying");
        assertThat(node2.activeBlocks()).hasSize(2);

        node2.clear("alice", "admin");
        clock.advance(Duration.ofMinutes(1));
        assertThat(guard.check("alice", "192.0.2.1").isAllowed()).isTrue();
    }

    @Test
    void purgeWhenWindowHasPassedThenStaleRowsAreDeleted() {
        for (int i = 1; i <= 21; i++) {
            failOnce(guard, "victim" + i, "203.0.113.5", "leaked-" + i);
        }
        for (int i = 0; i < 30; i++) {
            guard.failed("locked", "192.0.2.1", PASSWORD);
        }
        clock.advance(Duration.ofMinutes(10));
        guard.purge(clock.millis());
        assertThat(count("throttle_account")).isEqualTo(22);
        assertThat(count("throttle_ip_user")).isEqualTo(22);
        assertThat(count("throttle_spray")).isEqualTo(22);
        assertThat(count("throttle_block")).isEqualTo(1);
        assertThat(count("throttle_bucket")).as("full buckets expire early").isZero();

        clock.advance(Duration.ofMinutes(51));
        assertThat(guard.purge(clock.millis())).isEqualTo(22 + 22 + 22 + 1);

        for (String table : List.of(
                "throttle_account", "throttle_ip_user", "throttle_spray", "throttle_block", "throttle_bucket")) {
            assertThat(count(table)).as(table).isZero();
        }
        assertThat(guard.check("victim1", "203.0.113.5").isAllowed()).isTrue();
    }

    long count(String table) {
        return store().jdbc()
                .sql("SELECT COUNT(*) FROM " + table)
                .query(Long.class)
                .single();
    }
}

package dev.signet.server.passkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.crypto.Secure;
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
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Single use of WebAuthn challenges on both engines: of many requests racing with one challenge,
 * exactly one gets it, on SQLite (one writer at a time) and on a real PostgreSQL (row locks).
 */
class ChallengesTest {
    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2031-03-01T09:00:00Z"));

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void consumeWhenManyRaceThenExactlyOneWinsAndTheRestFindItUnknown(TestDatabases.Kind kind) throws Exception {
        try (Vault.Opened vault = Vault.open(
                TestDatabases.settings(kind, dataDir),
                clock,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            Challenges challenges = new Challenges(vault.store(), clock, Duration.ofMinutes(5));
            int racers = 8;
            for (int round = 0; round < 5; round++) {
                String winner = "u-" + round;
                byte[] challenge = challenges.issue(Challenges.AUTHENTICATE, Optional.of(winner));
                ExecutorService pool = Executors.newFixedThreadPool(racers);
                CountDownLatch start = new CountDownLatch(1);
                try {
                    List<Future<String>> results = new ArrayList<>();
                    for (int i = 0; i < racers; i++) {
                        results.add(pool.submit(() -> {
                            start.await();
                            try {
                                return challenges
                                        .consume(challenge, Challenges.AUTHENTICATE)
                                        .userId()
                                        .orElseThrow();
                            } catch (PasskeyException e) {
                                return e.code();
                            }
                        }));
                    }
                    start.countDown();
                    List<String> outcomes = new ArrayList<>();
                    for (Future<String> f : results) {
                        outcomes.add(f.get(30, TimeUnit.SECONDS));
                    }
                    assertThat(outcomes).containsOnlyOnce(winner);
                    assertThat(outcomes)
                            .filteredOn(o -> !o.equals(winner))
                            .hasSize(racers - 1)
                            .containsOnly(PasskeyException.CHALLENGE_UNKNOWN);
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void consumeWhenExpiredOtherPurposeOrNeverIssuedThenTheDistinctCode(TestDatabases.Kind kind) {
        try (Vault.Opened vault = Vault.open(
                TestDatabases.settings(kind, dataDir),
                clock,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            Challenges challenges = new Challenges(vault.store(), clock, Duration.ofMinutes(5));
            byte[] register = challenges.issue(Challenges.REGISTER, Optional.of("u"));
            assertThatThrownBy(() -> challenges.consume(register, Challenges.AUTHENTICATE))
                    .hasFieldOrPropertyWithValue("code", PasskeyException.CHALLENGE_UNKNOWN);
            assertThat(challenges.consume(register, Challenges.REGISTER).userId())
                    .contains("u");

            assertThatThrownBy(() -> challenges.consume(Secure.randomBytes(32), Challenges.REGISTER))
                    .hasFieldOrPropertyWithValue("code", PasskeyException.CHALLENGE_UNKNOWN);

            byte[] late = challenges.issue(Challenges.AUTHENTICATE, Optional.empty());
            clock.advance(Duration.ofMinutes(5));
            assertThatThrownBy(() -> challenges.consume(late, Challenges.AUTHENTICATE))
                    .hasFieldOrPropertyWithValue("code", PasskeyException.CHALLENGE_EXPIRED);
            assertThatThrownBy(() -> challenges.consume(late, Challenges.AUTHENTICATE))
                    .hasFieldOrPropertyWithValue("code", PasskeyException.CHALLENGE_UNKNOWN);
        }
    }
}

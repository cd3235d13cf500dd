package dev.signet.server.factor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.otp.OneTimePasswords;
import dev.signet.core.otp.OtpAlgorithm;
import dev.signet.core.otp.OtpParams;
import dev.signet.core.otp.OtpSeed;
import dev.signet.core.otp.OtpType;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.mail.Mailer;
import dev.signet.server.signin.Factor;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignetAuthentication.Stage;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-time codes, recovery codes and the MFA policy against a real database, run unchanged on SQLite
 * and on a real PostgreSQL (the two subclasses). Time moves only through the {@link MutableClock}.
 * The races start 16 threads at one latch: the database, not a lock in this JVM, must let exactly
 * one through.
 */
abstract class FactorContractTest {
    static final int RACERS = 16;

    @TempDir
    Path dataDir;

    // 30 s steps start on a multiple of 30 s: the clock sits 10 s into a step
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:10Z"));
    SignetSettings settings;
    Vault.Opened vault;
    AuditLog audit;
    UserRepository users;
    OtpService otp;
    RecoveryCodeService recovery;
    FactorPolicy policy;
    final AtomicInteger names = new AtomicInteger();

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void open() {
        settings = TestDatabases.settings(kind(), dataDir);
        vault = Vault.open(settings, clock, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        audit = new AuditLog(store(), vault.keyRing(), clock);
        users = new UserRepository(store());
        otp = new OtpService(store(), vault.keyRing(), audit, clock, "Signet test", 1, 10);
        recovery = new RecoveryCodeService(store(), vault.keyRing(), audit, new Mailer(settings.mail()), clock);
        policy = new FactorPolicy(store(), MfaRequirement.OFF);
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

    User newUser() {
        return users.create("user" + names.incrementAndGet(), null, User.Role.USER, null, clock.instant());
    }

    /** A confirmed TOTP device; returns its seed and parameters. */
    record Enrolled(String deviceId, OtpParams params, OtpSeed seed) {
        String codeAt(Instant t) {
            return OneTimePasswords.generate(params, seed, t);
        }

        String codeAtStep(long step) {
            return OneTimePasswords.generate(params, seed, step);
        }
    }

    Enrolled enrolTotp(User user, OtpAlgorithm algorithm, int digits) {
        OtpService.Enrolment e = otp.start(user, "phone", OtpType.TOTP, algorithm, digits);
        OtpSeed seed = OtpSeed.fromBase32(e.secret());
        OtpParams params = OtpParams.totp(algorithm, digits, 30);
        // confirm with the previous step's code, so the current step is still unused
        otp.confirm(user, e.device().id(), OneTimePasswords.generate(params, seed, step() - 1));
        return new Enrolled(e.device().id(), params, seed);
    }

    long step() {
        return clock.instant().getEpochSecond() / 30;
    }

    // ---- enrolment ------------------------------------------------------------------------------

    @Test
    void enrolmentIsConfirmedOnlyByACorrectCodeAndTheSeedIsSealed() {
        User user = newUser();
        OtpService.Enrolment e = otp.start(user, "phone", OtpType.TOTP, OtpAlgorithm.SHA1, 6);
        assertThat(OtpSeed.fromBase32(e.secret()).length()).isGreaterThanOrEqualTo(20);
        assertThat(e.uri()).startsWith("otpauth://totp/").contains("secret=" + e.secret());
        OtpSeed seed = OtpSeed.fromBase32(e.secret());
        OtpParams params = OtpParams.totpDefault();
        String code = OneTimePasswords.generate(params, seed, clock.instant());

        assertThat(otp.verify(user.id(), code).check())
                .as("an unconfirmed device signs nobody in")
                .isEqualTo(OtpService.Check.NO_DEVICE);
        String wrong = code.equals("000000") ? "111111" : "000000";
        assertThatThrownBy(() -> otp.confirm(user, e.device().id(), wrong))
                .isInstanceOf(AccountException.class)
                .hasFieldOrPropertyWithValue("code", "otp.code_invalid");
        assertThat(otp.list(user.id())).isEmpty();

        otp.confirm(user, e.device().id(), code);
        assertThat(otp.list(user.id()))
                .singleElement()
                .satisfies(d -> assertThat(d.confirmed()).isTrue());
        assertThat(otp.verify(user.id(), code).check())
                .as("the confirmation code is used")
                .isEqualTo(OtpService.Check.REPLAYED);

        String stored = store().jdbc()
                .sql("SELECT secret FROM otp_device WHERE id = ?")
                .param(e.device().id())
                .query(String.class)
                .single();
        assertThat(stored).doesNotContain(e.secret()).doesNotContain(e.secret().toLowerCase());
        assertThat(stored).doesNotContain(java.util.HexFormat.of().formatHex(seed.bytes()));
    }

    @Test
    void onlyStepsMinusOneToPlusOneAreAcceptedWithTheDefaultWindow() {
        User user = newUser();
        Enrolled d = enrolTotp(user, OtpAlgorithm.SHA256, 8);
        long now = step();
        // in increasing order: each acceptance moves used_through forward, so earlier steps are replays
        assertThat(otp.verify(user.id(), d.codeAtStep(now - 2)).check()).isEqualTo(OtpService.Check.INVALID);
        // now - 1 was used to confirm the enrolment
        assertThat(otp.verify(user.id(), d.codeAtStep(now - 1)).check()).isEqualTo(OtpService.Check.REPLAYED);
        assertThat(otp.verify(user.id(), d.codeAtStep(now)).check()).isEqualTo(OtpService.Check.ACCEPTED);
        assertThat(otp.verify(user.id(), d.codeAtStep(now + 1)).check()).isEqualTo(OtpService.Check.ACCEPTED);
        assertThat(otp.verify(user.id(), d.codeAtStep(now + 2)).check()).isEqualTo(OtpService.Check.INVALID);
    }

    @Test
    void minusOneIsAcceptedWhenUnused() {
        User user = newUser();
        OtpService.Enrolment e = otp.start(user, "phone", OtpType.TOTP, OtpAlgorithm.SHA512, 6);
        OtpSeed seed = OtpSeed.fromBase32(e.secret());
        OtpParams params = OtpParams.totp(OtpAlgorithm.SHA512, 6, 30);
        otp.confirm(user, e.device().id(), OneTimePasswords.generate(params, seed, step() - 1));
        clock.advance(Duration.ofSeconds(30));
        // the step before now is the one that confirmed: a replay; so move on and check -1 afresh
        clock.advance(Duration.ofSeconds(30));
        assertThat(otp.verify(user.id(), OneTimePasswords.generate(params, seed, step() - 1))
                        .check())
                .isEqualTo(OtpService.Check.ACCEPTED);
    }

    @Test
    void theSameCodeIsAcceptedOnce() {
        User user = newUser();
        Enrolled d = enrolTotp(user, OtpAlgorithm.SHA1, 6);
        String code = d.codeAt(clock.instant());
        assertThat(otp.verify(user.id(), code).check()).isEqualTo(OtpService.Check.ACCEPTED);
        assertThat(otp.verify(user.id(), code).check()).isEqualTo(OtpService.Check.REPLAYED);
        clock.advance(Duration.ofSeconds(10));
        assertThat(otp.verify(user.id(), code).check())
                .as("still the same step")
                .isEqualTo(OtpService.Check.REPLAYED);
    }

    @Test
    void sixteenConcurrentRequestsWithOneCodeAcceptExactlyOne() throws Exception {
        User user = newUser();
        Enrolled d = enrolTotp(user, OtpAlgorithm.SHA1, 6);
        String code = d.codeAt(clock.instant());
        List<OtpService.Check> results = race(() -> otp.verify(user.id(), code).check());
        assertThat(results).filteredOn(c -> c == OtpService.Check.ACCEPTED).hasSize(1);
        assertThat(results).filteredOn(c -> c == OtpService.Check.REPLAYED).hasSize(RACERS - 1);
    }

    @Test
    void malformedCodesAreRefusedWithoutTouchingTheDevice() {
        User user = newUser();
        enrolTotp(user, OtpAlgorithm.SHA1, 6);
        long before = usedThrough(user);
        for (String bad : new String[] {null, "", "12345", "1234567", "abcdef", "１２３４５６", "12345678901"}) {
            assertThat(otp.verify(user.id(), bad).check()).as("%s", bad).isEqualTo(OtpService.Check.MALFORMED);
        }
        assertThat(usedThrough(user)).isEqualTo(before);
    }

    @Test
    void hotpLooksAheadAndResynchronises() {
        User user = newUser();
        OtpService.Enrolment e = otp.start(user, "token", OtpType.HOTP, OtpAlgorithm.SHA1, 6);
        assertThat(e.uri()).startsWith("otpauth://hotp/").contains("counter=0");
        OtpSeed seed = OtpSeed.fromBase32(e.secret());
        OtpParams params = OtpParams.hotp(OtpAlgorithm.SHA1, 6);
        otp.confirm(user, e.device().id(), OneTimePasswords.generate(params, seed, 0));
        // the button was pressed 5 times without signing in: within the look-ahead of 10
        assertThat(otp.verify(user.id(), OneTimePasswords.generate(params, seed, 6))
                        .check())
                .isEqualTo(OtpService.Check.ACCEPTED);
        assertThat(otp.verify(user.id(), OneTimePasswords.generate(params, seed, 6))
                        .check())
                .isEqualTo(OtpService.Check.INVALID);
        // far ahead: refused, until resynchronised with two consecutive codes
        assertThat(otp.verify(user.id(), OneTimePasswords.generate(params, seed, 100))
                        .check())
                .isEqualTo(OtpService.Check.INVALID);
        assertThatThrownBy(() -> otp.resync(
                        user,
                        e.device().id(),
                        OneTimePasswords.generate(params, seed, 200),
                        OneTimePasswords.generate(params, seed, 202)))
                .hasFieldOrPropertyWithValue("code", "otp.resync_failed");
        otp.resync(
                user,
                e.device().id(),
                OneTimePasswords.generate(params, seed, 200),
                OneTimePasswords.generate(params, seed, 201));
        assertThat(otp.verify(user.id(), OneTimePasswords.generate(params, seed, 201))
                        .check())
                .isEqualTo(OtpService.Check.INVALID);
        assertThat(otp.verify(user.id(), OneTimePasswords.generate(params, seed, 202))
                        .check())
                .isEqualTo(OtpService.Check.ACCEPTED);
    }

    @Test
    void anotherUsersDeviceIsNotFound() {
        User alice = newUser();
        User bob = newUser();
        Enrolled d = enrolTotp(alice, OtpAlgorithm.SHA1, 6);
        assertThatThrownBy(() -> otp.remove(bob, d.deviceId(), bob.username()))
                .hasFieldOrPropertyWithValue("code", "otp.not_found");
        assertThatThrownBy(() -> otp.rename(bob, d.deviceId(), "mine"))
                .hasFieldOrPropertyWithValue("code", "otp.not_found");
        assertThat(otp.verify(bob.id(), d.codeAt(clock.instant())).check()).isEqualTo(OtpService.Check.NO_DEVICE);
        assertThat(otp.list(alice.id())).hasSize(1);
    }

    // ---- recovery codes -------------------------------------------------------------------------

    @Test
    void recoveryCodesWorkOnceAndANewSetVoidsTheOld() {
        User user = newUser();
        List<String> codes = recovery.regenerate(user, user.username());
        assertThat(codes).hasSize(10).doesNotHaveDuplicates();
        assertThat(recovery.remaining(user.id())).isEqualTo(10);
        String stored = String.join(
                ",",
                store().jdbc()
                        .sql("SELECT code_hash FROM recovery_code WHERE user_id = ?")
                        .param(user.id())
                        .query(String.class)
                        .list());
        for (String code : codes) {
            assertThat(stored).doesNotContain(code).doesNotContain(code.replace("-", ""));
        }

        assertThat(recovery.use(user, codes.get(0).toUpperCase().replace("-", " ")))
                .isEqualTo(RecoveryCodeService.Check.ACCEPTED);
        assertThat(recovery.use(user, codes.get(0))).isEqualTo(RecoveryCodeService.Check.REPLAYED);
        assertThat(recovery.use(user, "not a code")).isEqualTo(RecoveryCodeService.Check.MALFORMED);
        assertThat(recovery.remaining(user.id())).isEqualTo(9);

        List<String> fresh = recovery.regenerate(user, user.username());
        assertThat(recovery.use(user, codes.get(1))).isEqualTo(RecoveryCodeService.Check.INVALID);
        assertThat(recovery.remaining(user.id())).isEqualTo(10);
        assertThat(recovery.use(user, fresh.get(1))).isEqualTo(RecoveryCodeService.Check.ACCEPTED);

        User other = newUser();
        assertThat(recovery.use(other, fresh.get(2)))
                .as("codes belong to their user")
                .isEqualTo(RecoveryCodeService.Check.INVALID);
        assertThat(audit.verify()).isInstanceOf(dev.signet.core.ledger.ChainVerdict.Intact.class);
    }

    @Test
    void sixteenConcurrentUsesOfOneRecoveryCodeAcceptExactlyOne() throws Exception {
        User user = newUser();
        String code = recovery.regenerate(user, user.username()).getFirst();
        List<RecoveryCodeService.Check> results = race(() -> recovery.use(user, code));
        assertThat(results)
                .filteredOn(c -> c == RecoveryCodeService.Check.ACCEPTED)
                .hasSize(1);
        assertThat(results)
                .filteredOn(c -> c == RecoveryCodeService.Check.REPLAYED)
                .hasSize(RACERS - 1);
        assertThat(recovery.remaining(user.id())).isEqualTo(9);
    }

    @Test
    void usingARecoveryCodeMailsTheUser() throws Exception {
        com.icegreen.greenmail.util.GreenMail smtp = new com.icegreen.greenmail.util.GreenMail(
                new com.icegreen.greenmail.util.ServerSetup(0, "127.0.0.1", "smtp"));
        smtp.start();
        try {
            Mailer mailer = new Mailer(new SignetSettings.Mail(
                    Optional.of("127.0.0.1"),
                    smtp.getSmtp().getPort(),
                    Optional.empty(),
                    Optional.empty(),
                    "signet@example.test",
                    SignetSettings.MailSecurity.NONE));
            RecoveryCodeService mailing = new RecoveryCodeService(store(), vault.keyRing(), audit, mailer, clock);
            User user = users.create(
                    "mailed" + names.incrementAndGet(), "dana@example.test", User.Role.USER, null, clock.instant());
            List<String> codes = mailing.regenerate(user, user.username());
            assertThat(mailing.use(user, codes.get(3))).isEqualTo(RecoveryCodeService.Check.ACCEPTED);
            assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
            var message = smtp.getReceivedMessages()[0];
            assertThat(message.getAllRecipients()[0].toString()).isEqualTo("dana@example.test");
            String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(message);
            assertThat(body)
                    .contains("recovery code was used", "9 recovery codes are left")
                    .doesNotContain(codes.get(3));
            assertThat(audit.recent(5, "account.recovery_code_used"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.details()).contains("9"));
        } finally {
            smtp.stop();
        }
    }

    // ---- policy ---------------------------------------------------------------------------------

    @Test
    void theStricterOfTheGlobalAndTheUsersPolicyApplies() {
        User user = newUser();
        FactorPolicy lax = new FactorPolicy(store(), MfaRequirement.OFF);
        FactorPolicy strict = new FactorPolicy(store(), MfaRequirement.ANY);
        assertThat(lax.requirement(user.id())).isEqualTo(MfaRequirement.OFF);
        assertThat(strict.requirement(user.id())).isEqualTo(MfaRequirement.ANY);
        lax.setOwn(user.id(), Optional.of(MfaRequirement.PHISHING_RESISTANT));
        assertThat(lax.requirement(user.id())).isEqualTo(MfaRequirement.PHISHING_RESISTANT);
        assertThat(strict.requirement(user.id())).isEqualTo(MfaRequirement.PHISHING_RESISTANT);
        lax.setOwn(user.id(), Optional.empty());
        assertThat(strict.requirement(user.id())).isEqualTo(MfaRequirement.ANY);
    }

    @Test
    void signInStagesFollowThePolicyAndWhatIsEnrolled() {
        User user = newUser();
        FactorPolicy strict = new FactorPolicy(store(), MfaRequirement.ANY);
        assertThat(policy.afterFirstFactor(user, Factor.PWD)).isEqualTo(Stage.COMPLETE);
        assertThat(strict.afterFirstFactor(user, Factor.PWD))
                .as("required but nothing enrolled: enrol first")
                .isEqualTo(Stage.ENROL);
        enrolTotp(user, OtpAlgorithm.SHA1, 6);
        assertThat(policy.afterFirstFactor(user, Factor.PWD))
                .as("an enrolled factor is always asked for")
                .isEqualTo(Stage.SECOND_FACTOR);
        assertThat(strict.afterFirstFactor(user, Factor.HWK)).isEqualTo(Stage.COMPLETE);
        assertThat(strict.afterSecondFactor(user, Factor.OTP)).isEqualTo(Stage.COMPLETE);
        strict.setOwn(user.id(), Optional.of(MfaRequirement.PHISHING_RESISTANT));
        assertThat(strict.afterSecondFactor(user, Factor.OTP))
                .as("a code does not meet a passkey-only policy; no passkey yet: enrol one")
                .isEqualTo(Stage.ENROL);
        assertThat(strict.afterSecondFactor(user, Factor.RECOVERY_CODE)).isEqualTo(Stage.ENROL);
    }

    @Test
    void removingTheLastRequiredFactorIsRefused() {
        User user = newUser();
        FactorPolicy strict = new FactorPolicy(store(), MfaRequirement.ANY);
        Enrolled first = enrolTotp(user, OtpAlgorithm.SHA1, 6);
        assertThatThrownBy(() -> strict.checkRemoval(user.id(), Factor.OTP))
                .isInstanceOf(AccountException.class)
                .hasFieldOrPropertyWithValue("code", "factor.last_required");
        policy.checkRemoval(user.id(), Factor.OTP); // not required: allowed
        enrolTotp(user, OtpAlgorithm.SHA1, 6);
        strict.checkRemoval(user.id(), Factor.OTP); // a second one remains
        otp.remove(user, first.deviceId(), user.username());
        assertThatThrownBy(() -> strict.checkRemoval(user.id(), Factor.OTP))
                .hasFieldOrPropertyWithValue("code", "factor.last_required");
    }

    // ---- helpers --------------------------------------------------------------------------------

    long usedThrough(User user) {
        return store().jdbc()
                .sql("SELECT used_through FROM otp_device WHERE user_id = ?")
                .param(user.id())
                .query(Long.class)
                .single();
    }

    <T> List<T> race(Callable<T> attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch ready = new CountDownLatch(RACERS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return attempt.call();
                }));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

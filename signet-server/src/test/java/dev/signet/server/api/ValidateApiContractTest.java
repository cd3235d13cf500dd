package dev.signet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.otp.OneTimePasswords;
import dev.signet.core.otp.OtpAlgorithm;
import dev.signet.core.otp.OtpParams;
import dev.signet.core.otp.OtpSeed;
import dev.signet.core.otp.OtpType;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.factor.OtpService;
import dev.signet.server.factor.RecoveryCodeService;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.TokenService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/validate} over real HTTP: accept and reject with stable reasons, the same
 * replay rules, throttle and audit trail as the sign-in page, and bad input refused with a 400
 * problem that changes nothing. Run on SQLite and on a real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ValidateApiContractTest {
    static final String PASSWORD = "amber otter violin sixty";
    static final int RACERS = 16;

    final MutableClock clock = new MutableClock(Instant.parse("2031-05-05T10:00:10Z"));
    TestServer server;
    ApiCalls api;
    String token;
    String weakToken;
    int names;

    abstract TestDatabases.Kind kind();

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServer.start(TestDatabases.settings(kind(), dataDir, Map.of()), clock);
        api = new ApiCalls(server);
        User bridge = newUser(User.Role.ADMIN);
        token = bean(TokenService.class)
                .create(bridge, "vpn", Set.of("validate"), Optional.empty(), "test")
                .secret();
        weakToken = bean(TokenService.class)
                .create(bridge, "reader", Set.of("users:read"), Optional.empty(), "test")
                .secret();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    User newUser(User.Role role) {
        return bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "v" + kind().name().toLowerCase() + (++names), null, null, role, null, PASSWORD, null),
                        "test");
    }

    /** A user with a confirmed TOTP device; returns its seed. */
    OtpSeed withTotp(User user) {
        OtpService otp = bean(OtpService.class);
        OtpService.Enrolment e = otp.start(user, "phone", OtpType.TOTP, OtpAlgorithm.SHA1, 6);
        OtpSeed seed = OtpSeed.fromBase32(e.secret());
        otp.confirm(user, e.device().id(), OneTimePasswords.generate(OtpParams.totpDefault(), seed, step() - 1));
        return seed;
    }

    long step() {
        return clock.instant().getEpochSecond() / 30;
    }

    static String code(OtpSeed seed, long step) {
        return OneTimePasswords.generate(OtpParams.totpDefault(), seed, step);
    }

    ApiCalls.Answer validate(String json) {
        return api.post("/api/v1/validate", token, json);
    }

    String body(String username, String password, String otp) {
        StringBuilder b = new StringBuilder("{\"username\":\"" + username + "\"");
        if (password != null) {
            b.append(",\"password\":\"").append(password).append('"');
        }
        if (otp != null) {
            b.append(",\"otp\":\"").append(otp).append('"');
        }
        return b.append(",\"clientIp\":\"198.51.100.")
                .append(names % 250)
                .append("\"}")
                .toString();
    }

    static void accepted(ApiCalls.Answer a, String... factors) {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.json().path("result").asString()).as(a.body()).isEqualTo("accept");
        assertThat(a.json().path("factors").values().stream()
                        .map(n -> n.asString())
                        .toList())
                .containsExactly(factors);
    }

    static void rejected(ApiCalls.Answer a, String reason) {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.json().path("result").asString()).as(a.body()).isEqualTo("reject");
        assertThat(a.json().path("reason").asString()).as(a.body()).isEqualTo(reason);
    }

    List<AuditRecord> audit(String subject) {
        return bean(AuditLog.class).recent(500, "auth.validate").stream()
                .filter(r -> subject.equals(r.subject()))
                .toList();
    }

    @Test
    void aPasswordAloneIsAcceptedForAUserWithoutFactors() {
        User user = newUser(User.Role.USER);
        accepted(validate(body(user.username(), PASSWORD, null)), "pwd");
        rejected(validate(body(user.username(), "wrong password here", null)), "invalid_credentials");
        rejected(validate(body("nobody-" + names, PASSWORD, null)), "invalid_credentials");
        List<AuditRecord> trail = audit(user.username());
        assertThat(trail).extracting(AuditRecord::outcome).contains("success", "failure");
        assertThat(trail)
                .filteredOn(r -> r.outcome().equals("failure"))
                .extracting(AuditRecord::reason)
                .containsExactly("bad_password");
    }

    @Test
    void anEnrolledUserNeedsTheCodeAndEachCodeWorksOnce() {
        User user = newUser(User.Role.USER);
        OtpSeed seed = withTotp(user);
        rejected(validate(body(user.username(), PASSWORD, null)), "second_factor_required");
        String now = code(seed, step());
        accepted(validate(body(user.username(), PASSWORD, now)), "pwd", "otp");
        rejected(validate(body(user.username(), PASSWORD, now)), "invalid_credentials");
        accepted(validate(body(user.username(), null, code(seed, step() + 1))), "otp");
        rejected(validate(body(user.username(), "wrong password here", code(seed, step() - 1))), "invalid_credentials");
        assertThat(audit(user.username()))
                .filteredOn(r -> r.outcome().equals("failure"))
                .extracting(AuditRecord::reason)
                .contains("second_factor_required", "otp_replayed", "bad_password");
    }

    @Test
    void aRecoveryCodeIsAcceptedOnceAsTheCode() {
        User user = newUser(User.Role.USER);
        withTotp(user);
        String recovery =
                bean(RecoveryCodeService.class).regenerate(user, "test").getFirst();
        accepted(validate(body(user.username(), PASSWORD, recovery)), "pwd", "otp");
        rejected(validate(body(user.username(), PASSWORD, recovery)), "invalid_credentials");
    }

    @Test
    void sixteenConcurrentValidationsWithOneCodeAcceptExactlyOne() throws Exception {
        User user = newUser(User.Role.USER);
        OtpSeed seed = withTotp(user);
        String json = body(user.username(), null, code(seed, step()));
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ApiCalls.Answer>> futures = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return validate(json);
                }));
            }
            go.countDown();
            List<String> results = new ArrayList<>();
            for (Future<ApiCalls.Answer> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS).json().path("result").asString());
            }
            assertThat(results).filteredOn("accept"::equals).hasSize(1);
            assertThat(results).filteredOn("reject"::equals).hasSize(RACERS - 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongCodesAreThrottledLikeWrongPasswords() {
        User user = newUser(User.Role.USER);
        OtpSeed seed = withTotp(user);
        String right = code(seed, step());
        String wrong = right.equals("000000") ? "111111" : "000000";
        String reason = "";
        for (int i = 0; i < 8 && !reason.equals("throttled"); i++) {
            ApiCalls.Answer a = validate(body(user.username(), null, wrong));
            reason = a.json().path("reason").asString();
            if (reason.equals("throttled")) {
                assertThat(a.json().path("retryAfterSeconds").asLong()).isPositive();
            }
        }
        assertThat(reason).isEqualTo("throttled");
        rejected(validate(body(user.username(), null, right)), "throttled");
        clock.advance(Duration.ofMinutes(20));
        accepted(validate(body(user.username(), null, code(seed, step()))), "otp");
    }

    @Test
    void badInputIsA400ProblemAndChangesNothing() {
        User user = newUser(User.Role.USER);
        OtpSeed seed = withTotp(user);
        String good = code(seed, step());
        api.post("/api/v1/validate", token, "{\"password\":\"x\"}").isProblem(400, "request.invalid");
        api.post("/api/v1/validate", token, "{\"username\":\"" + user.username() + "\"}")
                .isProblem(400, "request.invalid");
        api.post(
                        "/api/v1/validate",
                        token,
                        "{\"username\":\"" + user.username() + "\",\"otp\":\"" + good + "\",\"pin\":1}")
                .isProblem(400, "request.invalid");
        api.post(
                        "/api/v1/validate",
                        token,
                        "{\"username\":\"" + user.username() + "\",\"otp\":\"" + good
                                + "\",\"clientIp\":\"example.com\"}")
                .isProblem(400, "request.invalid");
        api.post(
                        "/api/v1/validate",
                        token,
                        "{\"username\":\"" + user.username() + "\",\"otp\":\"" + "9".repeat(40) + "\"}")
                .isProblem(400, "request.invalid");
        api.post("/api/v1/validate", token, "not json").isProblem(400, "request.malformed");
        assertThat(api.post("/api/v1/validate", weakToken, body(user.username(), null, good))
                        .status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/validate", null, body(user.username(), null, good))
                        .status())
                .isEqualTo(401);
        // none of the refusals above used the code
        accepted(validate(body(user.username(), null, good)), "otp");
    }
}

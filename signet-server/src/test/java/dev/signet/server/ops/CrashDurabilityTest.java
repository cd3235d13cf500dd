package dev.signet.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.ledger.ChainVerdict;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.Vault;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A commit acknowledged to a caller survives {@code kill -9}: the server runs as a child process,
 * audit events are written through HTTP (failed sign-ins, each recorded before its answer), the
 * process is SIGKILLed mid-stream, restarted, and every event whose request was answered is there,
 * with the chain intact.
 */
class CrashDurabilityTest {
    @TempDir
    Path dataDir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void serverWhenKilledMidStreamThenEveryAnsweredEventSurvivesWithTheChainIntact(TestDatabases.Kind kind)
            throws Exception {
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("SIGNET_DATA_DIR", dataDir.toString());
        env.put("SIGNET_HOST", "127.0.0.1");
        env.put("SIGNET_PORT", Integer.toString(port));
        // A stream of failed sign-ins from one address is what brute-force protection stops; here it
        // is only the means to append audit events, so the limits are lifted.
        env.put("SIGNET_THROTTLE_IP_BURST", "1000000");
        env.put("SIGNET_THROTTLE_IP_PER_MINUTE", "1000000");
        env.put("SIGNET_THROTTLE_STUFFING_USERNAMES", "1000000");
        env.put("SIGNET_THROTTLE_SPRAYING_ACCOUNTS", "1000000");
        if (kind == TestDatabases.Kind.POSTGRES) {
            env.putAll(TestDatabases.freshPostgresDatabase());
        }
        URI base = URI.create("http://127.0.0.1:" + port);

        Process server = startChild(env, "first");
        Set<String> answered = ConcurrentHashMap.newKeySet();
        try {
            awaitReady(base, server);
            HttpClient client = TestServer.browserLikeClient();
            String csrf = TestServer.csrfFrom(client.send(
                            HttpRequest.newBuilder(base.resolve("/signin")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                futures.add(writers.submit(() -> {
                    for (int i = 0; !stop.get() && i < 10_000; i++) {
                        String name = "crash-" + writer + "-" + i;
                        try {
                            HttpResponse<String> r = client.send(
                                    HttpRequest.newBuilder(base.resolve("/signin"))
                                            .header("Content-Type", "application/x-www-form-urlencoded")
                                            .POST(HttpRequest.BodyPublishers.ofString(
                                                    "username=" + name + "&password=wrong-password&_csrf=" + csrf))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 302
                                    && r.headers()
                                            .firstValue("Location")
                                            .orElse("")
                                            .contains("error")) {
                                answered.add(name);
                            }
                        } catch (IOException e) {
                            return; // the server is gone
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }));
            }
            // Let a stream of writes build up, then kill -9 while requests are in flight.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (answered.size() < 60 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            server.destroyForcibly(); // SIGKILL on POSIX
            server.waitFor();
            stop.set(true);
            for (Future<?> f : futures) {
                f.get();
            }
            writers.shutdown();
        } finally {
            server.destroyForcibly();
        }
        assertThat(answered).hasSizeGreaterThanOrEqualTo(60);

        Process restarted = startChild(env, "second");
        try {
            awaitReady(base, restarted);
            SignetSettings settings = SignetSettings.read(env, Map.of());
            try (Vault.Opened vault = Vault.open(settings, Clock.systemUTC(), System.err, true)) {
                AuditLog audit = new AuditLog(vault.store(), vault.keyRing(), Clock.systemUTC());
                assertThat(audit.verify()).isInstanceOf(ChainVerdict.Intact.class);
                Set<String> recorded = audit.recent(100_000, "auth.sign_in").stream()
                        .map(AuditRecord::subject)
                        .collect(Collectors.toSet());
                assertThat(recorded).containsAll(answered);
            }
        } finally {
            restarted.destroy();
            restarted.waitFor();
        }
    }

    private Process startChild(Map<String, String> env, String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.signet.server.testing.ChildServerMain");
        pb.environment().keySet().removeIf(k -> k.startsWith("SIGNET_"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(dataDir.resolve("child-" + name + ".log").toFile());
        return pb.start();
    }

    private static void awaitReady(URI base, Process process) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server process exited with " + process.exitValue());
            }
            try {
                var r = client.send(
                        HttpRequest.newBuilder(base.resolve("/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the server did not become ready in 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

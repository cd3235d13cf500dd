package dev.signet.server.testing;

import dev.signet.server.config.SignetSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The two real databases the tests run against: a SQLite file in a temporary directory, and a real
 * PostgreSQL server started once per test JVM from Maven Central binaries (zonky), with a fresh
 * database per call. Nothing is mocked.
 */
public final class TestDatabases {
    /** Which engine a test runs on. */
    public enum Kind {
        SQLITE,
        POSTGRES
    }

    private static EmbeddedPostgres postgres;

    private TestDatabases() {}

    /** Settings for a fresh database of {@code kind}, with its data directory under {@code dataDir}. */
    public static SignetSettings settings(Kind kind, Path dataDir) {
        return settings(kind, dataDir, Map.of());
    }

    public static SignetSettings settings(Kind kind, Path dataDir, Map<String, String> more) {
        Map<String, String> env = new HashMap<>();
        env.put("SIGNET_DATA_DIR", dataDir.toString());
        env.put("SIGNET_HOST", "127.0.0.1");
        env.put("SIGNET_PORT", "0");
        env.put("SIGNET_SHUTDOWN_TIMEOUT_SECONDS", "2");
        if (kind == Kind.POSTGRES) {
            env.putAll(freshPostgresDatabase());
        }
        env.putAll(more);
        return SignetSettings.read(env, Map.of());
    }

    /** Environment variables (SIGNET_DB_URL, _USER, _PASSWORD) for a new, empty PostgreSQL database. */
    public static synchronized Map<String, String> freshPostgresDatabase() {
        EmbeddedPostgres pg = postgres();
        String name = "signet_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database", e);
        }
        return Map.of(
                "SIGNET_DB_URL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + name,
                "SIGNET_DB_USER", "postgres",
                "SIGNET_DB_PASSWORD", "postgres");
    }

    private static EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder()
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "on")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    // the JVM is exiting; the process dies with it
                }
            }));
        }
        return postgres;
    }
}

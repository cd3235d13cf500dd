package dev.signet.server.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the server, read once at start from command-line options, then environment
 * variables, then defaults. Each is documented in docs/operations.md under its variable name.
 *
 * <p>Parsing is strict: a bad value stops the start with a {@link SettingsException} naming the
 * variable and the values it accepts.
 */
public record SignetSettings(
        String host,
        int port,
        Path dataDir,
        Optional<String> dbUrl,
        Optional<String> dbUser,
        Optional<String> dbPassword,
        int dbPoolSize,
        Optional<String> masterKey,
        LogFormat logFormat,
        URI publicUrl,
        boolean publicUrlConfigured,
        SqliteSync sqliteSync,
        Duration shutdownTimeout) {

    public enum LogFormat {
        TEXT,
        JSON
    }

    /** SQLite's {@code synchronous} pragma in WAL mode. */
    public enum SqliteSync {
        /** fsync at every commit: a commit survives a power cut. */
        FULL,
        /** fsync at checkpoints: a commit survives a process crash, not a power cut. */
        NORMAL
    }

    @Override
    public String toString() {
        return "SignetSettings[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", dbUrl="
                + dbUrl.map(SignetSettings::redactUrl).orElse("(sqlite)") + ", masterKey="
                + (masterKey.isPresent() ? "(from SIGNET_MASTER_KEY)" : "(file)") + "]";
    }

    public boolean usesPostgres() {
        return dbUrl.map(u -> u.startsWith("jdbc:postgresql:")).orElse(false);
    }

    /** The JDBC URL in use: the configured one, or the SQLite file in the data directory. */
    public String jdbcUrl() {
        return dbUrl.orElseGet(() -> "jdbc:sqlite:" + dataDir.resolve("signet.db"));
    }

    private static String redactUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /**
     * Reads settings. {@code overrides} holds command-line options under the same names as the
     * environment variables; they win over {@code env}.
     */
    public static SignetSettings read(Map<String, String> env, Map<String, String> overrides) {
        Source s = new Source(env, overrides);
        String host = s.get("SIGNET_HOST").orElse("127.0.0.1");
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new SettingsException("SIGNET_HOST", "an IP address or a resolvable host name", host);
        }
        int port = s.intIn("SIGNET_PORT", 0, 65535).orElse(8080);
        Path dataDir = Path.of(s.get("SIGNET_DATA_DIR").orElse("data"))
                .toAbsolutePath()
                .normalize();
        Optional<String> dbUrl = s.get("SIGNET_DB_URL");
        dbUrl.ifPresent(u -> {
            if (!u.startsWith("jdbc:postgresql:") && !u.startsWith("jdbc:sqlite:")) {
                throw new SettingsException(
                        "SIGNET_DB_URL", "a jdbc:postgresql://HOST[:PORT]/DB or jdbc:sqlite:FILE URL", u);
            }
        });
        boolean pg = dbUrl.map(u -> u.startsWith("jdbc:postgresql:")).orElse(false);
        int pool = s.intIn("SIGNET_DB_POOL_SIZE", 1, 200).orElse(pg ? 10 : 4);
        Optional<String> masterKey = s.get("SIGNET_MASTER_KEY");
        LogFormat logFormat = s.oneOf("SIGNET_LOG_FORMAT", LogFormat.class).orElse(LogFormat.TEXT);
        SqliteSync sync = s.oneOf("SIGNET_SQLITE_SYNCHRONOUS", SqliteSync.class).orElse(SqliteSync.FULL);
        int shutdownSeconds =
                s.intIn("SIGNET_SHUTDOWN_TIMEOUT_SECONDS", 0, 3600).orElse(20);
        URI publicUrl = s.get("SIGNET_PUBLIC_URL")
                .map(u -> {
                    try {
                        URI uri = URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
                        if (uri.getScheme() == null
                                || !(uri.getScheme().equals("http")
                                        || uri.getScheme().equals("https"))
                                || uri.getHost() == null) {
                            throw new IllegalArgumentException();
                        }
                        return uri;
                    } catch (IllegalArgumentException e) {
                        throw new SettingsException(
                                "SIGNET_PUBLIC_URL", "an absolute http(s) URL such as https://signet.example.com", u);
                    }
                })
                .orElseGet(() -> URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port));
        return new SignetSettings(
                host,
                port,
                dataDir,
                dbUrl,
                s.get("SIGNET_DB_USER"),
                s.get("SIGNET_DB_PASSWORD"),
                pool,
                masterKey,
                logFormat,
                publicUrl,
                s.get("SIGNET_PUBLIC_URL").isPresent(),
                sync,
                Duration.ofSeconds(shutdownSeconds));
    }

    /** Settings from the process environment only. */
    public static SignetSettings fromEnvironment() {
        return read(System.getenv(), Map.of());
    }

    private record Source(Map<String, String> env, Map<String, String> overrides) {
        Optional<String> get(String name) {
            String v = overrides.get(name);
            if (v == null) {
                v = env.get(name);
            }
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
        }

        Optional<Integer> intIn(String name, int min, int max) {
            return get(name).map(v -> {
                try {
                    int i = Integer.parseInt(v);
                    if (i >= min && i <= max) {
                        return i;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new SettingsException(name, "a whole number from " + min + " to " + max, v);
            });
        }

        <E extends Enum<E>> Optional<E> oneOf(String name, Class<E> type) {
            return get(name).map(v -> {
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(v)) {
                        return e;
                    }
                }
                StringBuilder accepted = new StringBuilder("one of");
                for (E e : type.getEnumConstants()) {
                    accepted.append(' ').append(e.name().toLowerCase(Locale.ROOT));
                }
                throw new SettingsException(name, accepted.toString(), v);
            });
        }
    }
}

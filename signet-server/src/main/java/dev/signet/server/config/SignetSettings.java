package dev.signet.server.config;

import dev.signet.core.password.Argon2id;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
        Duration shutdownTimeout,
        Accounts accounts,
        Throttle throttle,
        Mail mail,
        boolean trustProxy,
        Mfa mfa,
        Signing signing) {

    /**
     * Passwords and sessions. Minimum lengths follow NIST SP 800-63B-4 section 3.1.1.2: 15 where the
     * password is the only factor, 8 where a second factor is always required; never below 8.
     */
    public record Accounts(
            int minPasswordLength,
            int minPasswordLengthWithMfa,
            int minPasswordScore,
            Argon2id.Params argon2,
            boolean selfRegistration,
            Duration sessionIdle,
            Duration sessionAbsolute) {}

    /**
     * Brute-force protection. Per account: from the {@code freeFailures}+1-th failure in a row, a
     * delay starting at {@code baseDelay} that doubles up to {@code maxDelay}. Per client IP: a token
     * bucket of {@code ipBurst} attempts refilled at {@code ipPerMinute}; an IP that tries more than
     * {@code stuffingUsernames} distinct usernames, or a password seen against more than {@code
     * sprayingAccounts} accounts, within {@code window}, is throttled for {@code sourceBlock}.
     */
    public record Throttle(
            int freeFailures,
            Duration baseDelay,
            Duration maxDelay,
            int ipBurst,
            int ipPerMinute,
            int stuffingUsernames,
            int sprayingAccounts,
            Duration window,
            Duration sourceBlock) {}

    /**
     * Second factors. {@code required}: the global MFA policy (a user's own policy can only make it
     * stricter). {@code otpWindow}: TOTP steps accepted either side of now; {@code hotpLookAhead}:
     * HOTP counters tried ahead of the expected one. {@code otpIssuer}: the issuer shown in
     * authenticator apps. {@code rpId}/{@code rpName}/{@code origins}: the WebAuthn relying party,
     * checked on every passkey ceremony. {@code stepUp}: how recent an authentication must be for
     * sensitive actions.
     */
    public record Mfa(
            MfaRequirement required,
            int otpWindow,
            int hotpLookAhead,
            String otpIssuer,
            String rpId,
            String rpName,
            List<String> origins,
            Duration stepUp) {}

    /**
     * Signing and the timestamp authority (docs/signing.md). {@code tsaCa}: the CA that issues the
     * TSA's certificate (profile {@code timestamping}); empty means the first online CA. {@code
     * tsaPolicy}: the TSA policy OID put in every token (RFC 3161 section 2.4.2). {@code tsaKey}:
     * the TSA key's algorithm.
     */
    public record Signing(Optional<String> tsaCa, String tsaPolicy, String tsaKey) {
        /** The default TSA policy: the core's ({@code TimeStampAuthority.DEFAULT_POLICY}). */
        public static final String DEFAULT_TSA_POLICY = dev.signet.core.sign.TimeStampAuthority.DEFAULT_POLICY;

        public static final List<String> TSA_KEYS = List.of("ec-p256", "ec-p384", "rsa-3072", "rsa-4096");
    }

    /** Whether a second factor is required, and which kind. */
    public enum MfaRequirement {
        /** No second factor is required (one may still be used). */
        OFF,
        /** Any second factor: a one-time code, a passkey or a recovery code. */
        ANY,
        /** Only a phishing-resistant factor: a passkey. */
        PHISHING_RESISTANT
    }

    /** Outgoing mail (password reset links). Without a host, no mail is sent and reset is unavailable. */
    public record Mail(
            Optional<String> host,
            int port,
            Optional<String> username,
            Optional<String> password,
            String from,
            MailSecurity security) {
        @Override
        public String toString() {
            return "Mail[host=" + host.orElse("(none)") + ", port=" + port + ", security=" + security + "]";
        }
    }

    /** How the SMTP connection is protected. */
    public enum MailSecurity {
        /** Plain SMTP, upgraded with STARTTLS, which must succeed. */
        STARTTLS,
        /** SMTP over TLS from the first byte (SMTPS, usually port 465). */
        TLS,
        /** No protection: for a relay on the same host or tests only. */
        NONE
    }

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
        int minLength = s.intIn("SIGNET_PASSWORD_MIN_LENGTH", 8, 256).orElse(15);
        int minLengthMfa = s.intIn("SIGNET_PASSWORD_MIN_LENGTH_MFA", 8, 256).orElse(8);
        int minScore = s.intIn("SIGNET_PASSWORD_MIN_SCORE", 0, 4).orElse(3);
        Argon2id.Params argon2;
        try {
            argon2 = new Argon2id.Params(
                    s.intIn("SIGNET_ARGON2_MEMORY_KIB", 8192, Argon2id.Params.MAX_MEMORY_KIB)
                            .orElse(Argon2id.Params.DEFAULT.memoryKiB()),
                    s.intIn("SIGNET_ARGON2_ITERATIONS", 1, Argon2id.Params.MAX_ITERATIONS)
                            .orElse(Argon2id.Params.DEFAULT.iterations()),
                    s.intIn("SIGNET_ARGON2_PARALLELISM", 1, Argon2id.Params.MAX_PARALLELISM)
                            .orElse(Argon2id.Params.DEFAULT.parallelism()));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(
                    "SIGNET_ARGON2_MEMORY_KIB", "at least 8 KiB per lane of SIGNET_ARGON2_PARALLELISM", e.getMessage());
        }
        Accounts accounts = new Accounts(
                minLength,
                minLengthMfa,
                minScore,
                argon2,
                s.bool("SIGNET_SELF_REGISTRATION").orElse(false),
                Duration.ofMinutes(
                        s.intIn("SIGNET_SESSION_IDLE_MINUTES", 1, 7 * 24 * 60).orElse(30)),
                Duration.ofHours(s.intIn("SIGNET_SESSION_MAX_HOURS", 1, 90 * 24).orElse(12)));
        Throttle throttle = new Throttle(
                s.intIn("SIGNET_THROTTLE_FREE_FAILURES", 1, 1000).orElse(4),
                Duration.ofSeconds(
                        s.intIn("SIGNET_THROTTLE_BASE_DELAY_SECONDS", 1, 3600).orElse(1)),
                Duration.ofSeconds(
                        s.intIn("SIGNET_THROTTLE_MAX_DELAY_SECONDS", 1, 86_400).orElse(900)),
                s.intIn("SIGNET_THROTTLE_IP_BURST", 1, 1_000_000).orElse(30),
                s.intIn("SIGNET_THROTTLE_IP_PER_MINUTE", 1, 1_000_000).orElse(30),
                s.intIn("SIGNET_THROTTLE_STUFFING_USERNAMES", 2, 1_000_000).orElse(20),
                s.intIn("SIGNET_THROTTLE_SPRAYING_ACCOUNTS", 2, 1_000_000).orElse(10),
                Duration.ofMinutes(s.intIn("SIGNET_THROTTLE_WINDOW_MINUTES", 1, 7 * 24 * 60)
                        .orElse(60)),
                Duration.ofMinutes(s.intIn("SIGNET_THROTTLE_SOURCE_BLOCK_MINUTES", 1, 7 * 24 * 60)
                        .orElse(15)));
        MailSecurity mailSecurity =
                s.oneOf("SIGNET_SMTP_SECURITY", MailSecurity.class).orElse(MailSecurity.STARTTLS);
        Mail mail = new Mail(
                s.get("SIGNET_SMTP_HOST"),
                s.intIn("SIGNET_SMTP_PORT", 1, 65535).orElse(mailSecurity == MailSecurity.TLS ? 465 : 587),
                s.get("SIGNET_SMTP_USERNAME"),
                s.get("SIGNET_SMTP_PASSWORD"),
                s.get("SIGNET_SMTP_FROM").orElse("signet@localhost"),
                mailSecurity);
        boolean trustProxy = s.bool("SIGNET_TRUST_PROXY").orElse(false);
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
        Mfa mfa = readMfa(s, publicUrl);
        Signing signing = readSigning(s);
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
                Duration.ofSeconds(shutdownSeconds),
                accounts,
                throttle,
                mail,
                trustProxy,
                mfa,
                signing);
    }

    private static boolean validOid(String oid) {
        try {
            new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Signing readSigning(Source s) {
        Optional<String> tsaCa = s.get("SIGNET_TSA_CA");
        tsaCa.ifPresent(name -> {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new SettingsException("SIGNET_TSA_CA", "the name of a Signet CA", name);
            }
        });
        String policy = s.get("SIGNET_TSA_POLICY").orElse(Signing.DEFAULT_TSA_POLICY);
        if (!policy.matches("[0-2](\\.(0|[1-9][0-9]{0,38})){1,30}") || !validOid(policy)) {
            throw new SettingsException(
                    "SIGNET_TSA_POLICY", "an object identifier such as 1.3.6.1.4.1.99999.1", policy);
        }
        String key =
                s.get("SIGNET_TSA_KEY").map(k -> k.toLowerCase(Locale.ROOT)).orElse("ec-p256");
        if (!Signing.TSA_KEYS.contains(key)) {
            throw new SettingsException("SIGNET_TSA_KEY", "one of " + String.join(" ", Signing.TSA_KEYS), key);
        }
        return new Signing(tsaCa, policy, key);
    }

    private static Mfa readMfa(Source s, URI publicUrl) {
        // A WebAuthn RP ID is a domain, never an IP address; browsers treat localhost as secure.
        String urlHost = publicUrl.getHost();
        boolean loopbackIp = urlHost.equals("127.0.0.1") || urlHost.equals("[::1]") || urlHost.equals("::1");
        String rpId = s.get("SIGNET_WEBAUTHN_RP_ID")
                .map(v -> v.toLowerCase(Locale.ROOT))
                .orElse(loopbackIp ? "localhost" : urlHost.toLowerCase(Locale.ROOT));
        if (!rpId.matches("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?") || rpId.matches("[0-9.]+")) {
            throw new SettingsException("SIGNET_WEBAUTHN_RP_ID", "a domain name such as signet.example.com", rpId);
        }
        String defaultOrigin = publicUrl.getScheme() + "://" + (loopbackIp ? "localhost" : urlHost)
                + (publicUrl.getPort() < 0 ? "" : ":" + publicUrl.getPort());
        List<String> origins = s.get("SIGNET_WEBAUTHN_ORIGINS")
                .map(v -> Arrays.stream(v.split(","))
                        .map(String::strip)
                        .filter(o -> !o.isEmpty())
                        .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                        .toList())
                .orElse(List.of(defaultOrigin));
        for (String origin : origins) {
            if (!origin.matches("https?://[^/?#\\s]+")) {
                throw new SettingsException(
                        "SIGNET_WEBAUTHN_ORIGINS",
                        "comma-separated origins such as https://signet.example.com",
                        origin);
            }
        }
        return new Mfa(
                s.oneOf("SIGNET_MFA_REQUIRED", MfaRequirement.class).orElse(MfaRequirement.OFF),
                s.intIn("SIGNET_OTP_WINDOW", 0, 10).orElse(1),
                s.intIn("SIGNET_HOTP_LOOK_AHEAD", 1, 100).orElse(10),
                s.get("SIGNET_OTP_ISSUER").orElse("Signet"),
                rpId,
                s.get("SIGNET_WEBAUTHN_RP_NAME").orElse("Signet"),
                origins,
                Duration.ofMinutes(s.intIn("SIGNET_STEP_UP_MINUTES", 1, 60).orElse(5)));
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

        Optional<Boolean> bool(String name) {
            return get(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new SettingsException(name, "true or false", v);
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

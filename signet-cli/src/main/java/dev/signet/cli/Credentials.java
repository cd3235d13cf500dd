package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server URL and API token the client commands use. {@code signet login} keeps them in {@code
 * $XDG_CONFIG_HOME/signet/credentials} (default {@code ~/.config/signet/credentials}): a small JSON
 * file created with mode 0600 in a 0700 directory, written to a temporary file and moved into place,
 * so it is never readable by others, not even for a moment, and never half-written. {@code
 * SIGNET_URL} and {@code SIGNET_TOKEN} override what is stored (CI sets both and never logs in).
 */
record Credentials(URI url, String token) {
    static final String URL_VARIABLE = "SIGNET_URL";
    static final String TOKEN_VARIABLE = "SIGNET_TOKEN";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    @Override
    public String toString() {
        return "Credentials[" + url + ", token=redacted]";
    }

    /** Where the credentials file lives in this environment. */
    static Path file(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            config = Path.of(xdg);
        } else {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            config = Path.of(home, ".config");
        }
        return config.resolve("signet").resolve("credentials");
    }

    /**
     * What the client commands use: {@code SIGNET_URL} and {@code SIGNET_TOKEN} when set, else the
     * stored login. A stored token only ever goes to the stored server: {@code SIGNET_URL} alone
     * uses it only when it names that same server, and {@code SIGNET_TOKEN} alone needs the stored
     * URL.
     *
     * @throws SignetException {@code settings.not_logged_in} when there is nothing to use, or {@code
     *     settings.credentials_mixed} when the environment names another server than the stored
     *     login (exit code 2)
     */
    static Credentials resolve(Map<String, String> env) {
        Optional<String> envUrl = nonBlank(env.get(URL_VARIABLE));
        Optional<String> envToken = nonBlank(env.get(TOKEN_VARIABLE));
        if (envUrl.isPresent() && envToken.isPresent()) {
            return new Credentials(baseUrl(envUrl.get()), envToken.get().strip());
        }
        Optional<Credentials> stored = load(file(env));
        if (stored.isEmpty()) {
            throw new SignetException(
                    "settings.not_logged_in",
                    "not logged in: run `signet login --url URL --token-stdin`, or set " + URL_VARIABLE + " and "
                            + TOKEN_VARIABLE);
        }
        if (envUrl.isPresent() && !baseUrl(envUrl.get()).equals(stored.get().url())) {
            throw new SignetException(
                    "settings.credentials_mixed",
                    URL_VARIABLE + " names " + baseUrl(envUrl.get()) + " but the stored login is for "
                            + stored.get().url() + "; set " + TOKEN_VARIABLE + " too, or log in to that server");
        }
        return envToken.map(t -> new Credentials(stored.get().url(), t.strip())).orElse(stored.get());
    }

    /**
     * A server's base URL: absolute http(s), without a trailing slash.
     *
     * @throws SignetException {@code settings.url_invalid} (exit code 2)
     */
    static URI baseUrl(String text) {
        String t = text.strip().replaceAll("/+$", "");
        try {
            URI u = new URI(t);
            if (u.getScheme() != null
                    && (u.getScheme().equalsIgnoreCase("https") || u.getScheme().equalsIgnoreCase("http"))
                    && u.getHost() != null
                    && u.getRawQuery() == null
                    && u.getRawFragment() == null
                    && u.getRawUserInfo() == null) {
                return u;
            }
        } catch (java.net.URISyntaxException e) {
            // refused below, with the same message
        }
        throw new SignetException(
                "settings.url_invalid",
                "the server URL must be an absolute http(s) URL such as https://signet.example.com, not '" + t + "'");
    }

    static Optional<Credentials> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            if (isPosix(file) && !FILE_MODE.containsAll(Files.getPosixFilePermissions(file))) {
                System.err.println("signet: warning: " + file + " can be read by other users; run chmod 600 on it");
            }
            JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            String url = node.path("url").asString("");
            String token = node.path("token").asString("");
            if (url.isBlank() || token.isBlank()) {
                throw new SignetException(
                        "settings.credentials_invalid", file + " is incomplete; run `signet login` again");
            }
            return Optional.of(new Credentials(baseUrl(url), token));
        } catch (IOException | JacksonException e) {
            throw new SignetException(
                    "settings.credentials_invalid",
                    "cannot read " + file + " (" + e.getClass().getSimpleName() + "); run `signet login` again");
        }
    }

    /** Stores these credentials in {@code file}: mode 0600, directory 0700, atomically replaced. */
    void save(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = isPosix(dir.getRoot());
        try {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                Files.setPosixFilePermissions(dir, DIR_MODE);
            } else {
                Files.createDirectories(dir);
            }
            Path tmp = posix
                    ? Files.createTempFile(
                            dir, ".credentials-", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE))
                    : Files.createTempFile(dir, ".credentials-", ".tmp");
            try {
                byte[] json = JSON.writeValueAsBytes(Map.of("url", url.toString(), "token", token));
                try (FileChannel ch =
                        FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(java.nio.ByteBuffer.wrap(json));
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new SignetException("credentials.write_failed", "cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Removes the stored credentials; false when there were none. */
    static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SignetException("credentials.write_failed", "cannot remove " + file + ": " + e.getMessage());
        }
    }

    private static boolean isPosix(Path path) {
        return (path == null ? FileSystems.getDefault() : path.getFileSystem())
                .supportedFileAttributeViews()
                .contains("posix");
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
    }
}

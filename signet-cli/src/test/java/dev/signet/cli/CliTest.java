package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.crypto.MasterKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as an operator uses it: exit codes, messages, and what lands in the data directory. */
class CliTest {
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dataDir;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final InputStream originalIn = System.in;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeEach
    void capture() {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.setIn(originalIn);
    }

    int run(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        out.reset();
        err.reset();
        return Main.run(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    String dir() {
        return dataDir.toString();
    }

    @Test
    void helpWhenAskedThenListsTheCommands() {
        assertThat(run("", "--help")).isZero();
        assertThat(out()).contains("serve").contains("admin").contains("audit");
        assertThat(run("", "admin", "--help")).isZero();
        assertThat(out()).contains("create-admin").contains("rotate-master-key").contains("setup-link");
    }

    @Test
    void createAdminWhenPasswordPipedThenAdminExistsAndTheAuditChainRecordsIt() {
        assertThat(run(PASSWORD + "\n", "admin", "create-admin", "--username", "root", "--data-dir", dir()))
                .as(err())
                .isZero();
        assertThat(out()).contains("Administrator 'root' created");
        assertThat(run("", "audit", "verify", "--data-dir", dir())).isZero();
        assertThat(out()).contains("audit chain intact: 1 entries");
        assertThat(run("", "admin", "setup-link", "--data-dir", dir())).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("setup is complete");
    }

    @Test
    void createAdminWhenPasswordTooShortThenRefusedWithTheRule() {
        assertThat(run("short\n", "admin", "create-admin", "--username", "root", "--data-dir", dir()))
                .isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("at least 15 characters");
    }

    @Test
    void setupLinkWhenNoAdminThenPrintsALink() {
        assertThat(run("", "admin", "setup-link", "--data-dir", dir(), "--url", "https://signet.example.test/"))
                .isZero();
        assertThat(out()).startsWith("https://signet.example.test/setup?token=");
    }

    @Test
    void auditVerifyWhenARowWasEditedThenExitOneAndTheRowIsNamed() throws Exception {
        assertThat(run("", "admin", "setup-link", "--data-dir", dir())).isZero();
        assertThat(run("", "admin", "setup-link", "--data-dir", dir())).isZero();
        assertThat(run(PASSWORD + "\n", "admin", "create-admin", "--username", "root", "--data-dir", dir()))
                .isZero();
        assertThat(run("", "audit", "verify", "--data-dir", dir())).isZero();
        assertThat(out()).contains("intact: 3 entries");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("signet.db"))) {
            c.createStatement().executeUpdate("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2");
        }
        assertThat(run("", "audit", "verify", "--data-dir", dir())).isEqualTo(Main.EXIT_FAILED);
        assertThat(out()).contains("BROKEN at row 2 (changed)");
        assertThat(run("", "audit", "verify", "--json", "--data-dir", dir())).isEqualTo(Main.EXIT_FAILED);
        assertThat(out()).contains("\"intact\":false").contains("\"seq\":2").contains("\"kind\":\"changed\"");
    }

    @Test
    void rotateMasterKeyWhenRunThenNewKeyFileAndEverythingStillVerifies() throws Exception {
        run(PASSWORD + "\n", "admin", "create-admin", "--username", "root", "--data-dir", dir());
        String before = Files.readString(dataDir.resolve("master.key"));
        assertThat(run("", "admin", "rotate-master-key", "--data-dir", dir()))
                .as(err())
                .isZero();
        assertThat(err()).contains("re-wrapped").contains("Back up");
        assertThat(Files.readString(dataDir.resolve("master.key"))).isNotEqualTo(before);
        assertThat(run("", "audit", "verify", "--data-dir", dir()))
                .as(out() + err())
                .isZero();
        assertThat(out()).contains("intact: 2 entries");
    }

    @Test
    void auditVerifyWhenNoDatabaseThenStoreErrorAndNothingCreated() {
        Path empty = dataDir.resolve("nothing-here");
        assertThat(run("", "audit", "verify", "--data-dir", empty.toString())).isEqualTo(Main.EXIT_STORE);
        assertThat(err()).contains("no Signet database");
        assertThat(Files.exists(empty)).isFalse();
    }

    @Test
    void commandWhenMasterKeyFromEnvironmentIsMalformedThenStoreErrorNamingTheVariable() {
        // Settings come from the real environment; a wrong key is simulated with a key file instead.
        run(PASSWORD + "\n", "admin", "create-admin", "--username", "root", "--data-dir", dir());
        try {
            Files.writeString(
                    dataDir.resolve("master.key"), MasterKey.generate().toBase64() + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(run("", "audit", "verify", "--data-dir", dir())).isEqualTo(Main.EXIT_STORE);
        assertThat(err()).contains("does not match this database").doesNotContain("Exception");
    }

    @Test
    void serveWhenPortIsInvalidThenUsageErrorNamingTheSetting() {
        assertThat(run("", "serve", "--port", "99999", "--data-dir", dir())).isEqualTo(Main.EXIT_USAGE);
        assertThat(err())
                .contains("SIGNET_PORT")
                .contains("99999")
                .contains("0 to 65535")
                .doesNotContain("Exception");
    }

    @Test
    void serveWhenLogFormatIsUnknownThenUsageErrorListingTheAcceptedValues() {
        assertThat(run("", "serve", "--log-format", "xml", "--data-dir", dir())).isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("SIGNET_LOG_FORMAT").contains("one of text json");
    }

    @Test
    void serveWhenDatabaseUnreachableThenStoreErrorSayingSo() {
        assertThat(run(
                        "",
                        "serve",
                        "--port",
                        "0",
                        "--data-dir",
                        dir(),
                        "--db-url",
                        "jdbc:postgresql://127.0.0.1:1/signet?connectTimeout=2"))
                .isEqualTo(Main.EXIT_STORE);
        assertThat(err())
                .contains("cannot reach the database")
                .contains("PostgreSQL")
                .doesNotContain("\tat ");
    }

    @Test
    void serveWhenDbUrlIsNotJdbcThenUsageError() {
        assertThat(run("", "serve", "--db-url", "mysql://x", "--data-dir", dir()))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err()).contains("SIGNET_DB_URL");
    }
}

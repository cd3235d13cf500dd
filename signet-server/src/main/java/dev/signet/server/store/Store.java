package dev.signet.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.signet.server.config.SignetSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database: a pooled connection to SQLite (default, a file in the data directory) or
 * PostgreSQL, with one set of Flyway migrations for both.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL} by default (a commit acknowledged to a
 * caller is on disk), {@code busy_timeout} so writers queue instead of failing, and {@code BEGIN
 * IMMEDIATE} transactions so a transaction that will write takes the write lock up front and never
 * deadlocks upgrading a read lock.
 *
 * <p>Usable without Spring (the CLI's offline admin commands use it directly); the server exposes
 * it as a bean.
 */
public final class Store implements AutoCloseable {
    /** Which SQL engine is behind the store; the few dialect differences key off this. */
    public enum Dialect {
        SQLITE,
        POSTGRES
    }

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final String description;

    /**
     * SQLite: one writer at a time, in arrival order, queued in this JVM. SQLite itself admits one
     * writer; the others would wait in its busy handler, which sleeps 1, 2, 5, 10 ms and longer
     * between tries, so under load most of a transaction's latency would be sleeping. A fair lock
     * hands the write lock on at once. Its busy handler stays as the fallback for writers outside
     * this process (the shell's admin commands) and for single statements outside a transaction.
     */
    private final ReentrantLock sqliteWriter;

    private Store(HikariDataSource dataSource, Dialect dialect, String description) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.sqliteWriter = dialect == Dialect.SQLITE ? new ReentrantLock(true) : null;
        this.jdbc = JdbcClient.create(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.description = description;
    }

    /** Opens a pool and checks that the database answers. Does not migrate. */
    public static Store connect(SignetSettings settings) {
        String url = settings.jdbcUrl();
        Dialect dialect = url.startsWith("jdbc:postgresql:") ? Dialect.POSTGRES : Dialect.SQLITE;
        HikariConfig config = new HikariConfig();
        config.setPoolName("signet");
        config.setMaximumPoolSize(settings.dbPoolSize());
        config.setMinimumIdle(Math.min(2, settings.dbPoolSize()));
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(-1);
        String description;
        if (dialect == Dialect.SQLITE) {
            Path file = Path.of(url.substring("jdbc:sqlite:".length()));
            ensurePrivateDirectory(file.toAbsolutePath().getParent());
            SQLiteConfig sqlite = new SQLiteConfig();
            sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
            sqlite.setSynchronous(
                    settings.sqliteSync() == SignetSettings.SqliteSync.FULL
                            ? SQLiteConfig.SynchronousMode.FULL
                            : SQLiteConfig.SynchronousMode.NORMAL);
            sqlite.setBusyTimeout(30_000);
            sqlite.enforceForeignKeys(true);
            sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource ds = new SQLiteDataSource(sqlite);
            ds.setUrl(url);
            config.setDataSource(ds);
            description = "SQLite " + file.toAbsolutePath();
        } else {
            config.setJdbcUrl(url);
            settings.dbUser().ifPresent(config::setUsername);
            settings.dbPassword().ifPresent(config::setPassword);
            description = "PostgreSQL " + url.replaceAll("(?i)(password=)[^&]*", "$1***");
        }
        HikariDataSource ds = new HikariDataSource(config);
        try (Connection c = ds.getConnection()) {
            if (!c.isValid(5)) {
                throw new SQLException("connection is not valid");
            }
        } catch (SQLException e) {
            ds.close();
            throw new StoreException(
                    StoreException.UNREACHABLE,
                    "cannot reach the database (" + description + "): " + rootMessage(e)
                            + ". Check SIGNET_DB_URL, SIGNET_DB_USER, SIGNET_DB_PASSWORD and that the server is running.",
                    e);
        }
        return new Store(ds, dialect, description);
    }

    /** Applies pending migrations. */
    public void migrate() {
        try {
            flyway().migrate();
        } catch (FlywayException e) {
            throw new StoreException(StoreException.MIGRATION, "database migration failed: " + rootMessage(e), e);
        }
    }

    /** The newest migration version bundled with this build. */
    public String expectedSchemaVersion() {
        var all = flyway().info().all();
        String latest = "";
        for (var migration : all) {
            if (migration.getVersion() != null) {
                latest = migration.getVersion().getVersion();
            }
        }
        return latest;
    }

    /** True when the schema exists at all (the store was migrated before). */
    public boolean initialised() {
        return tableExists("flyway_schema_history");
    }

    public boolean tableExists(String table) {
        String sql = dialect == Dialect.SQLITE
                ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
                : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?";
        return jdbc.sql(sql).param(table).query(Long.class).single() > 0;
    }

    private Flyway flyway() {
        return Flyway.configure(Store.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .loggers("slf4j")
                .load();
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    /** Runs {@code work} in one transaction; commits when it returns, rolls back when it throws. */
    public <T> T inTransaction(Supplier<T> work) {
        if (sqliteWriter == null) {
            return tx.execute(status -> work.get());
        }
        sqliteWriter.lock();
        try {
            return tx.execute(status -> work.get());
        } finally {
            sqliteWriter.unlock();
        }
    }

    public void inTransaction(Runnable work) {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    static void ensurePrivateDirectory(Path dir) {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; nothing more to do
            }
        } catch (IOException e) {
            throw new StoreException(StoreException.UNREACHABLE, "cannot create the data directory " + dir + ": " + e);
        }
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}

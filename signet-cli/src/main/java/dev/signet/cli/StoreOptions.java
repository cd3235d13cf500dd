package dev.signet.cli;

import dev.signet.server.config.SignetSettings;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the data lives; shared by every command that opens the store. Options win over the environment. */
final class StoreOptions {
    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Data directory (SQLite database, master key). Env: SIGNET_DATA_DIR. Default: ./data")
    String dataDir;

    @Option(
            names = "--db-url",
            paramLabel = "JDBC_URL",
            description =
                    "Database URL, e.g. jdbc:postgresql://127.0.0.1:5432/signet. Env: SIGNET_DB_URL."
                            + " Default: SQLite in the data directory. User and password only from SIGNET_DB_USER/SIGNET_DB_PASSWORD.")
    String dbUrl;

    Map<String, String> overrides() {
        Map<String, String> o = new HashMap<>();
        if (dataDir != null) {
            o.put("SIGNET_DATA_DIR", dataDir);
        }
        if (dbUrl != null) {
            o.put("SIGNET_DB_URL", dbUrl);
        }
        return o;
    }

    SignetSettings settings(Map<String, String> more) {
        Map<String, String> o = overrides();
        o.putAll(more);
        return SignetSettings.read(System.getenv(), o);
    }
}

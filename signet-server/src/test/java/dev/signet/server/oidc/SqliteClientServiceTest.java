package dev.signet.server.oidc;

import dev.signet.server.testing.TestDatabases;

/** The client registry on the embedded SQLite database. */
class SqliteClientServiceTest extends ClientServiceContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

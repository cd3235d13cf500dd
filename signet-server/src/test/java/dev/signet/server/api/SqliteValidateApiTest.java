package dev.signet.server.api;

import dev.signet.server.testing.TestDatabases;

/** The validation API on the embedded SQLite database. */
class SqliteValidateApiTest extends ValidateApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

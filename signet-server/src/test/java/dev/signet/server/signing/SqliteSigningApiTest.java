package dev.signet.server.signing;

import dev.signet.server.testing.TestDatabases;

class SqliteSigningApiTest extends SigningApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

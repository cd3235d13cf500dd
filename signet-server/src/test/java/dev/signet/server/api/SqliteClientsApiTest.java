package dev.signet.server.api;

import dev.signet.server.testing.TestDatabases;

class SqliteClientsApiTest extends ClientsApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

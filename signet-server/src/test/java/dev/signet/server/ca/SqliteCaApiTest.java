package dev.signet.server.ca;

import dev.signet.server.testing.TestDatabases;

class SqliteCaApiTest extends CaApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

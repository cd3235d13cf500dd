package dev.signet.server.api;

import dev.signet.server.testing.TestDatabases;

class SqliteUsersApiTest extends UsersApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

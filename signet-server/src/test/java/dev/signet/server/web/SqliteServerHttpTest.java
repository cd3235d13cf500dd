package dev.signet.server.web;

import dev.signet.server.testing.TestDatabases;

class SqliteServerHttpTest extends ServerHttpContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

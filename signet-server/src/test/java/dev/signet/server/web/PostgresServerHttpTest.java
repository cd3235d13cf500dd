package dev.signet.server.web;

import dev.signet.server.testing.TestDatabases;

class PostgresServerHttpTest extends ServerHttpContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

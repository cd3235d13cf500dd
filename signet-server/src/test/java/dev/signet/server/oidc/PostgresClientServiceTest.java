package dev.signet.server.oidc;

import dev.signet.server.testing.TestDatabases;

/** The client registry on a real PostgreSQL server started by the tests. */
class PostgresClientServiceTest extends ClientServiceContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

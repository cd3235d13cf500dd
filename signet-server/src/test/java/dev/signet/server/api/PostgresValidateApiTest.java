package dev.signet.server.api;

import dev.signet.server.testing.TestDatabases;

/** The validation API on a real PostgreSQL server started by the tests. */
class PostgresValidateApiTest extends ValidateApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

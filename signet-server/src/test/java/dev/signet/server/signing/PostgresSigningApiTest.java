package dev.signet.server.signing;

import dev.signet.server.testing.TestDatabases;

class PostgresSigningApiTest extends SigningApiContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

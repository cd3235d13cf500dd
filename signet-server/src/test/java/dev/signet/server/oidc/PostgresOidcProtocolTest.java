package dev.signet.server.oidc;

import dev.signet.server.testing.TestDatabases;

class PostgresOidcProtocolTest extends OidcProtocolContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

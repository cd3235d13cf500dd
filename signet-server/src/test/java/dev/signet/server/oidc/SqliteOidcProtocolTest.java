package dev.signet.server.oidc;

import dev.signet.server.testing.TestDatabases;

class SqliteOidcProtocolTest extends OidcProtocolContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

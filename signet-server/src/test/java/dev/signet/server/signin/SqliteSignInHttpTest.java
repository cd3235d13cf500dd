package dev.signet.server.signin;

import dev.signet.server.testing.TestDatabases;

class SqliteSignInHttpTest extends SignInHttpContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

package dev.signet.server.signin;

import dev.signet.server.testing.TestDatabases;

class PostgresSignInHttpTest extends SignInHttpContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

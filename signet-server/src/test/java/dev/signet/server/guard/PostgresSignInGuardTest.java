package dev.signet.server.guard;

import dev.signet.server.testing.TestDatabases;

/** The sign-in guard's contract on a real PostgreSQL server started by the tests. */
class PostgresSignInGuardTest extends SignInGuardContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

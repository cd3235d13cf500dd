package dev.signet.server.guard;

import dev.signet.server.testing.TestDatabases;

/** The sign-in guard's contract on the embedded default: a SQLite file. */
class SqliteSignInGuardTest extends SignInGuardContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

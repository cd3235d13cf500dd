package dev.signet.server.factor;

import dev.signet.server.testing.TestDatabases;

/** Second factors on the embedded SQLite database. */
class SqliteFactorTest extends FactorContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

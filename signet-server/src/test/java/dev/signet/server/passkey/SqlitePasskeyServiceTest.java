package dev.signet.server.passkey;

import dev.signet.server.testing.TestDatabases;

/** The passkey ceremonies on the embedded default: a SQLite file. */
class SqlitePasskeyServiceTest extends PasskeyServiceContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

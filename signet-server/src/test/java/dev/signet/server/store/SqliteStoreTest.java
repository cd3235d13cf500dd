package dev.signet.server.store;

import dev.signet.server.testing.TestDatabases;

/** The store contract on the embedded default: a SQLite file. */
class SqliteStoreTest extends StoreContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.SQLITE;
    }
}

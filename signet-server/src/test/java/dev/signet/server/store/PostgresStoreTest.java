package dev.signet.server.store;

import dev.signet.server.testing.TestDatabases;

/** The store contract on a real PostgreSQL server started by the tests. */
class PostgresStoreTest extends StoreContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

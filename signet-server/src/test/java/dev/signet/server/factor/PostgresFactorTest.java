package dev.signet.server.factor;

import dev.signet.server.testing.TestDatabases;

/** Second factors on a real PostgreSQL server started by the tests. */
class PostgresFactorTest extends FactorContractTest {
    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.POSTGRES;
    }
}

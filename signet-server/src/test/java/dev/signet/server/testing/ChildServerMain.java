package dev.signet.server.testing;

import dev.signet.server.SignetServer;
import dev.signet.server.config.SignetSettings;
import java.time.Clock;

/** Runs a Signet server as a separate process (for tests that kill it), configured by SIGNET_* variables. */
public final class ChildServerMain {
    private ChildServerMain() {}

    public static void main(String[] args) {
        SignetServer.start(SignetSettings.fromEnvironment(), Clock.systemUTC(), System.out);
    }
}

package dev.signet.cli;

import dev.signet.server.SignetServer;
import dev.signet.server.config.SignetSettings;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Start the Signet server (default http://127.0.0.1:8080, data in ./data).",
            "Every setting can also come from its environment variable; see docs/operations.md."
        })
final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            description = "Address to listen on. Env: SIGNET_HOST. Default: 127.0.0.1")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port to listen on (0: any free port). Env: SIGNET_PORT. Default: 8080")
    String port;

    @Option(
            names = "--log-format",
            paramLabel = "text|json",
            description = "Log format. Env: SIGNET_LOG_FORMAT. Default: text")
    String logFormat;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        Map<String, String> o = new HashMap<>();
        if (host != null) {
            o.put("SIGNET_HOST", host);
        }
        if (port != null) {
            o.put("SIGNET_PORT", port);
        }
        if (logFormat != null) {
            o.put("SIGNET_LOG_FORMAT", logFormat);
        }
        SignetSettings settings = store.settings(o);
        try {
            SignetServer.start(settings, Clock.systemUTC(), System.out);
        } catch (RuntimeException e) {
            if (e instanceof dev.signet.core.SignetException) {
                throw e;
            }
            System.err.println("signet: the server could not start: " + rootMessage(e));
            return Main.EXIT_FAILED;
        }
        // Tomcat's non-daemon threads keep the process alive; SIGTERM shuts it down gracefully.
        return Main.KEEP_RUNNING;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

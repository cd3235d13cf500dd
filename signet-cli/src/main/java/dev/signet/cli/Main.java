package dev.signet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.signet.core.SignetException;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Entry point of the one executable jar.
 *
 * <p>Exit codes (documented in docs/operations.md): 0 success; 1 the command ran and the answer is
 * "no" (e.g. a broken audit chain) or it failed; 2 bad usage or a bad setting; 3 the store cannot
 * be opened (unreachable database, wrong or missing master key).
 */
@Command(
        name = "signet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Self-hosted identity, certificate authority and signing server.",
        subcommands = {
            ServeCommand.class,
            AdminCommand.class,
            AuditCommand.class,
            LoginCommand.class,
            LoginCommand.Logout.class,
            LoginCommand.Whoami.class,
            UsersCommand.class,
            TokensCommand.class,
            CaCommand.class,
            CertsCommand.class,
            ClientsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_STORE = 3;
    /** Returned by {@code serve} once the server runs: the process must not exit. */
    static final int KEEP_RUNNING = -1;

    private final Map<String, String> env;

    private Main(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The environment the command line runs in (tests pass their own: XDG_CONFIG_HOME, SIGNET_URL, ...). */
    static Map<String, String> env(CommandSpec spec) {
        return ((Main) spec.root().userObject()).env;
    }

    public static void main(String[] args) {
        int code = run(args);
        if (code != KEEP_RUNNING) {
            System.exit(code);
        }
    }

    /** Runs a command line in the process's environment and returns its exit code. */
    public static int run(String... args) {
        return run(System.getenv(), args);
    }

    /** Runs a command line with {@code env} as its environment and returns its exit code (tests call this). */
    public static int run(Map<String, String> env, String... args) {
        quietLogging();
        CommandLine cli = new CommandLine(new Main(env));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof SignetException se) {
                commandLine.getErr().println("signet: " + se.getMessage());
                return exitCodeFor(se);
            }
            commandLine.getErr().println("signet: " + e);
            return EXIT_FAILED;
        });
        return cli.execute(args);
    }

    static int exitCodeFor(SignetException e) {
        if (e.code().startsWith("settings.") || e.code().startsWith("usage.")) {
            return EXIT_USAGE;
        }
        if (e.code().startsWith("store.")) {
            return EXIT_STORE;
        }
        return EXIT_FAILED;
    }

    /** Library logs (pool, migrations) stay out of a command's output unless they are warnings. */
    private static void quietLogging() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.WARN);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"signet " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}

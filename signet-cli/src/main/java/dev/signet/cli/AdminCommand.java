package dev.signet.cli;

import dev.signet.core.password.Argon2id;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.Vault;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description =
                "Administration from the server's shell: works on the data directory (or SIGNET_DB_URL) directly.",
        subcommands = {AdminCommand.CreateAdmin.class, AdminCommand.SetupLink.class, AdminCommand.RotateMasterKey.class
        })
final class AdminCommand {

    static Services open(StoreOptions options, boolean mustExist) {
        SignetSettings settings = options.settings(Map.of());
        Clock clock = Clock.systemUTC();
        Vault.Opened vault = Vault.open(settings, clock, System.err, mustExist);
        AuditLog audit = new AuditLog(vault.store(), vault.keyRing(), clock);
        UserRepository users = new UserRepository(vault.store());
        SetupService setup =
                new SetupService(vault.store(), users, audit, new Argon2id(Argon2id.Params.DEFAULT), clock);
        return new Services(settings, vault, audit, users, setup);
    }

    record Services(
            SignetSettings settings, Vault.Opened vault, AuditLog audit, UserRepository users, SetupService setup)
            implements AutoCloseable {
        @Override
        public void close() {
            vault.close();
        }
    }

    @Command(
            name = "create-admin",
            mixinStandardHelpOptions = true,
            description = {
                "Create an administrator (for headless installs, or to regain access).",
                "The password is read from the terminal (asked twice, not echoed) or, when piped, from the first line of standard input."
            })
    static final class CreateAdmin implements Callable<Integer> {
        @Option(
                names = "--username",
                required = true,
                paramLabel = "NAME",
                description = "The new administrator's username.")
        String username;

        @Option(names = "--email", paramLabel = "ADDRESS", description = "Optional email address.")
        String email;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Services s = open(store, false)) {
                String password = Prompt.newSecret("Password");
                User user = s.setup().createAdminFromShell(username, email, password);
                System.out.println(
                        "Administrator '" + user.username() + "' created. Sign in at the server's /signin page.");
                return Main.EXIT_OK;
            }
        }
    }

    @Command(
            name = "setup-link",
            mixinStandardHelpOptions = true,
            description = "Print a new one-time setup link (while no administrator exists); voids the previous one.")
    static final class SetupLink implements Callable<Integer> {
        @Option(
                names = "--url",
                paramLabel = "BASE_URL",
                description = "Public URL of the server. Env: SIGNET_PUBLIC_URL. Default: http://127.0.0.1:8080")
        String url;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Services s = open(store, false)) {
                var token = s.setup().issueToken();
                if (token.isEmpty()) {
                    System.err.println("signet: an administrator exists; setup is complete. Sign in instead.");
                    return Main.EXIT_FAILED;
                }
                String base = url != null
                        ? url.replaceAll("/+$", "")
                        : s.settings().publicUrl().toString();
                System.out.println(base + "/setup?token=" + token.get());
                System.err.println("This link works once, for one hour.");
                return Main.EXIT_OK;
            }
        }
    }

    @Command(
            name = "rotate-master-key",
            mixinStandardHelpOptions = true,
            description = {
                "Replace the master key: every data key is re-wrapped under a new master key in one transaction.",
                "Stop the server (every node) first. With a key file, data/master.key is replaced (back up the new one);",
                "with SIGNET_MASTER_KEY, the new key is printed once for you to put in the environment."
            })
    static final class RotateMasterKey implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Services s = open(store, true)) {
                int n = Vault.rotate(s.settings(), s.vault(), System.out);
                s.audit()
                        .append(AuditEvent.of("admin.master_key_rotated", AuditEvent.SUCCESS)
                                .actor("shell")
                                .detail("data_keys", Integer.toString(n))
                                .build());
                System.err.println("Master key rotated: " + n + " data key(s) re-wrapped."
                        + (s.settings().masterKey().isEmpty()
                                ? " Back up " + s.settings().dataDir().resolve(Vault.KEY_FILE) + " now."
                                : ""));
                return Main.EXIT_OK;
            }
        }
    }
}

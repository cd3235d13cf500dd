package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.password.Argon2id;
import dev.signet.core.password.PasswordPolicy;
import dev.signet.server.account.PasswordHasher;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.Vault;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description =
                "Administration from the server's shell: works on the data directory (or SIGNET_DB_URL) directly.",
        subcommands = {
            AdminCommand.CreateAdmin.class,
            AdminCommand.CreateToken.class,
            AdminCommand.SetupLink.class,
            AdminCommand.RotateMasterKey.class
        })
final class AdminCommand {

    static Services open(StoreOptions options, boolean mustExist) {
        SignetSettings settings = options.settings(Map.of());
        Clock clock = Clock.systemUTC();
        Vault.Opened vault = Vault.open(settings, clock, System.err, mustExist);
        AuditLog audit = new AuditLog(vault.store(), vault.keyRing(), clock);
        UserRepository users = new UserRepository(vault.store());
        // The same hashing parameters and password policy the server uses, from the same settings.
        PasswordPolicy policy = new PasswordPolicy(new PasswordPolicy.Rules(
                settings.accounts().minPasswordLength(),
                PasswordPolicy.MAX_LENGTH,
                settings.accounts().minPasswordScore()));
        SetupService setup = new SetupService(
                vault.store(),
                users,
                audit,
                new PasswordHasher(new Argon2id(settings.accounts().argon2())),
                policy,
                clock);
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
            name = "create-token",
            mixinStandardHelpOptions = true,
            description = {
                "Create an API token for a user, from the server's shell (headless installs, the first CI token).",
                "Only the token is printed on standard output, once; the server keeps only its hash."
            })
    static final class CreateToken implements Callable<Integer> {
        @Option(names = "--user", required = true, paramLabel = "NAME", description = "The token's owner.")
        String user;

        @Option(
                names = "--scopes",
                required = true,
                paramLabel = "SCOPES",
                description =
                        "Space- or comma-separated, e.g. 'users:read users:write'. Known: ${COMPLETION-CANDIDATES}",
                completionCandidates = ScopeNames.class)
        String scopes;

        @Option(
                names = "--name",
                paramLabel = "NAME",
                defaultValue = "created from the shell",
                description = "What the token is for. Default: ${DEFAULT-VALUE}")
        String name;

        @Option(
                names = "--expires",
                paramLabel = "90d|DATE|never",
                defaultValue = "90d",
                description =
                        "Days (90d), a date (2027-01-01, midnight UTC), an instant, or never. Default: ${DEFAULT-VALUE}")
        String expires;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            Expiry expiry = Expiry.parse(expires);
            try (Services s = open(store, true)) {
                Clock clock = Clock.systemUTC();
                User owner = s.users()
                        .byUsername(user)
                        .orElseThrow(() -> new SignetException("user.not_found", "no user named '" + user + "'"));
                Set<String> checked = Scopes.parse(scopes, owner.role());
                TokenService tokens = new TokenService(s.vault().store(), s.users(), s.audit(), clock);
                TokenService.Created created = tokens.create(owner, name, checked, expiry.at(clock.instant()), "shell");
                System.out.println(created.secret());
                System.err.println("Token '" + created.token().name() + "' for " + owner.username() + " ("
                        + String.join(" ", checked) + "), expires "
                        + created.token()
                                .expires()
                                .map(at -> at.truncatedTo(ChronoUnit.SECONDS).toString())
                                .orElse("never")
                        + ". It is shown once: store it now.");
                return Main.EXIT_OK;
            }
        }
    }

    /** The scope names, for {@code --help}. */
    static final class ScopeNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Scopes.all().stream().map(Scopes.Scope::name).iterator();
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

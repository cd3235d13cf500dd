package dev.signet.server;

import dev.signet.server.account.SetupService;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.Vault;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Signet server. {@link #start} opens the store (checking the master key before anything is
 * migrated), then starts Spring with the store, key ring, settings and clock as ready-made beans.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class SignetServer {

    /** A started server. Closing it shuts it down gracefully. */
    public record Running(ConfigurableApplicationContext context, int port, URI baseUrl, Optional<String> setupLink)
            implements AutoCloseable {
        @Override
        public void close() {
            context.close();
        }
    }

    /**
     * Starts the server and, when no administrator exists yet, issues and prints a one-time setup
     * link to {@code out} (standard output, never the log).
     */
    public static Running start(SignetSettings settings, Clock clock, PrintStream out) {
        Vault.Opened opened = Vault.open(settings, clock, out);
        ConfigurableApplicationContext context;
        try {
            SpringApplication app = new SpringApplication(SignetServer.class);
            app.setBannerMode(Banner.Mode.OFF);
            app.setDefaultProperties(springProperties(settings));
            app.setRegisterShutdownHook(true);
            app.addInitializers(ctx -> {
                var beans = ctx.getBeanFactory();
                beans.registerSingleton("signetSettings", settings);
                beans.registerSingleton("vault", opened);
                beans.registerSingleton("clock", clock);
            });
            context = app.run();
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        URI base = settings.publicUrlConfigured()
                ? settings.publicUrl()
                : URI.create("http://" + hostForUrl(settings.host()) + ":" + port);
        Optional<String> link =
                context.getBean(SetupService.class).issueToken().map(token -> base + "/setup?token=" + token);
        link.ifPresent(l -> {
            out.println();
            out.println("  No administrator exists yet. Create the first one in your browser (this link works once,");
            out.println("  for one hour; a restart prints a new one):");
            out.println();
            out.println("    " + l);
            out.println();
            out.println("  or from the shell: signet admin create-admin --username NAME");
            out.println();
        });
        out.println("signet: ready on " + base + " (" + opened.store().description() + ")");
        out.flush();
        return new Running(context, port, base, link);
    }

    /** A host for links: a wildcard bind address is not somewhere a browser can go, loopback is. */
    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0")) {
            return "[::1]";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    static Map<String, Object> springProperties(SignetSettings s) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.address", s.host());
        p.put("server.port", s.port());
        p.put("server.shutdown", "graceful");
        p.put("spring.lifecycle.timeout-per-shutdown-phase", s.shutdownTimeout().toSeconds() + "s");
        p.put("server.error.include-stacktrace", "never");
        p.put("server.error.include-message", "never");
        p.put("server.error.whitelabel.enabled", "false");
        p.put("server.servlet.session.cookie.http-only", "true");
        p.put("server.servlet.session.cookie.same-site", "lax");
        p.put("server.servlet.session.cookie.name", "SIGNET_SESSION");
        p.put("server.servlet.session.timeout", "30m");
        p.put("server.servlet.session.tracking-modes", "cookie");
        p.put("server.tomcat.max-http-form-post-size", "64KB");
        p.put("server.tomcat.max-swallow-size", "1MB");
        p.put("server.max-http-request-header-size", "16KB");
        if (s.trustProxy()) {
            // Tomcat's RemoteIpValve: X-Forwarded-For/-Proto from a proxy on a private or loopback
            // address set the client address and the scheme (and so the Secure cookie attribute).
            p.put("server.forward-headers-strategy", "native");
        } else {
            p.put("server.forward-headers-strategy", "none");
        }
        p.put("spring.mvc.problemdetails.enabled", "false");
        p.put("spring.jmx.enabled", "false");
        // Signet authenticates through its own sign-in service and API tokens: no in-memory user with a
        // generated password (Boot would log that password).
        p.put(
                "spring.autoconfigure.exclude",
                "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration");
        p.put("spring.main.banner-mode", "off");
        p.put("spring.thymeleaf.cache", "true");
        // Virtual threads only with PostgreSQL. SQLite waits for its write lock inside native code
        // (its busy handler sleeps there), which pins the carrier thread: with a few requests waiting
        // for the lock, every carrier was pinned and the transaction holding the lock could not run
        // again until the busy timeout (measured: sign-ins from 4 clients stalled to 0 per second).
        p.put("spring.threads.virtual.enabled", Boolean.toString(s.usesPostgres()));
        p.put("logging.level.root", "WARN");
        p.put("logging.level.dev.signet", "INFO");
        p.put("logging.level.org.flywaydb", "WARN");
        // A failed start is explained by Boot's failure analysis and by the CLI, not by a stack trace.
        p.put("logging.level.org.springframework.boot.SpringApplication", "OFF");
        if (s.logFormat() == SignetSettings.LogFormat.JSON) {
            p.put("logging.structured.format.console", "logstash");
        }
        return p;
    }
}

package dev.signet.server.mail;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.PasswordResetService;
import dev.signet.server.account.RegistrationService;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.Store;
import java.net.URI;
import java.time.Clock;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Outgoing mail, and the account features that stand on it: password reset, self-registration. */
@Configuration(proxyBeanMethods = false)
class MailConfig {

    @Bean
    Mailer mailer(SignetSettings settings) {
        return new Mailer(settings.mail());
    }

    @Bean(destroyMethod = "close")
    PasswordResetService passwordResetService(
            Store store,
            UserRepository users,
            AccountService accounts,
            AuditLog audit,
            Mailer mailer,
            Clock clock,
            SignetSettings settings,
            ApplicationContext context) {
        return new PasswordResetService(
                store, users, accounts, audit, mailer, clock, () -> linkBase(settings, context));
    }

    @Bean
    RegistrationService registrationService(
            Store store, AccountService accounts, AuditLog audit, Clock clock, SignetSettings settings) {
        return new RegistrationService(settings.accounts().selfRegistration(), store, accounts, audit, clock);
    }

    /**
     * Where links in mail point: {@code SIGNET_PUBLIC_URL} when set, else the address the server
     * listens on (with the real port, also when it was chosen at start). Never the request's Host
     * header, which the requester controls.
     */
    static URI linkBase(SignetSettings settings, ApplicationContext context) {
        if (settings.publicUrlConfigured()) {
            return settings.publicUrl();
        }
        if (context instanceof WebServerApplicationContext web) {
            WebServer server = web.getWebServer();
            if (server != null && server.getPort() > 0) {
                return URI.create("http://" + hostForUrl(settings.host()) + ":" + server.getPort());
            }
        }
        return settings.publicUrl();
    }

    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0")) {
            return "[::1]";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}

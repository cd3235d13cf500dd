package dev.signet.server;

import dev.signet.core.password.Argon2id;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import dev.signet.server.store.Vault;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the store and the services on it. */
@Configuration(proxyBeanMethods = false)
class ServerConfig {

    @Bean(destroyMethod = "close")
    Store store(Vault.Opened vault) {
        return vault.store();
    }

    @Bean
    KeyRing keyRing(Vault.Opened vault) {
        return vault.keyRing();
    }

    @Bean
    DataSource dataSource(Store store) {
        return store.dataSource();
    }

    @Bean
    Argon2id argon2id() {
        return new Argon2id(Argon2id.Params.DEFAULT);
    }

    @Bean
    AuditLog auditLog(Store store, KeyRing keyRing, Clock clock, MeterRegistry meters) {
        return new AuditLog(
                store,
                keyRing,
                clock,
                event -> meters.counter("signet.audit.events", "type", event.type(), "outcome", event.outcome())
                        .increment());
    }

    @Bean
    UserRepository userRepository(Store store) {
        return new UserRepository(store);
    }

    @Bean
    SetupService setupService(Store store, UserRepository users, AuditLog audit, Argon2id hasher, Clock clock) {
        return new SetupService(store, users, audit, hasher, clock);
    }
}

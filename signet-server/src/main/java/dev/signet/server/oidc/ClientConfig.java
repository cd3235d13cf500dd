package dev.signet.server.oidc;

import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.Store;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the client registry. */
@Configuration(proxyBeanMethods = false)
class ClientConfig {
    @Bean
    ClientService clientService(Store store, AuditLog audit, Clock clock) {
        return new ClientService(store, audit, clock);
    }
}

package dev.signet.server.oidc;

import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.Store;
import java.time.Clock;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the client registry, registers Signet's own CLI as a client, and guards device polling. */
@Configuration(proxyBeanMethods = false)
class ClientConfig {
    /** The actor of what Signet does by itself. */
    static final String SYSTEM_ACTOR = "signet";

    @Bean
    ClientService clientService(Store store, AuditLog audit, Clock clock) {
        ClientService service = new ClientService(store, audit, clock);
        service.registerBuiltIn(CliClient.ID, CliClient.definition(), SYSTEM_ACTOR);
        return service;
    }

    /** Ahead of Spring Security, so a too-fast poll is answered before the token endpoint works on it. */
    @Bean
    FilterRegistrationBean<DevicePollGuard> devicePollGuard(Clock clock) {
        FilterRegistrationBean<DevicePollGuard> registration = new FilterRegistrationBean<>(new DevicePollGuard(clock));
        registration.addUrlPatterns(DevicePollGuard.TOKEN_PATH);
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }
}

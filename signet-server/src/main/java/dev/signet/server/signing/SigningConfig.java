package dev.signet.server.signing;

import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.ca.CaService;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import dev.signet.server.token.TokenService;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires signing: the keys, the timestamp authority and the signing service. */
@Configuration(proxyBeanMethods = false)
class SigningConfig {
    @Bean
    SigningKeyService signingKeyService(
            Store store,
            KeyRing keyRing,
            CaService cas,
            UserRepository users,
            TokenService tokens,
            AuditLog audit,
            Clock clock) {
        return new SigningKeyService(store, keyRing, cas, users, tokens, audit, clock);
    }

    @Bean
    TimestampService timestampService(
            Store store, KeyRing keyRing, CaService cas, Clock clock, SignetSettings settings) {
        return new TimestampService(store, keyRing, cas, clock, settings.signing());
    }

    @Bean
    SigningService signingService(SigningKeyService keys, TimestampService tsa, AuditLog audit, Clock clock) {
        return new SigningService(keys, tsa, audit, clock);
    }
}

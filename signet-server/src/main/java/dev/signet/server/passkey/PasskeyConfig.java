package dev.signet.server.passkey;

import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.Store;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the passkey service with the relying party from the settings. */
@Configuration(proxyBeanMethods = false)
class PasskeyConfig {
    @Bean
    PasskeyService passkeyService(
            Store store, UserRepository users, AuditLog audit, SignetSettings settings, Clock clock) {
        return new PasskeyService(store, users, audit, settings.mfa(), clock);
    }
}

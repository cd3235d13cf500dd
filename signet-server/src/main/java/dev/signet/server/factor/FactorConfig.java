package dev.signet.server.factor;

import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.mail.Mailer;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The second-factor services, configured by {@link SignetSettings.Mfa}. */
@Configuration(proxyBeanMethods = false)
class FactorConfig {
    @Bean
    OtpService otpService(Store store, KeyRing keyRing, AuditLog audit, Clock clock, SignetSettings settings) {
        SignetSettings.Mfa mfa = settings.mfa();
        return new OtpService(store, keyRing, audit, clock, mfa.otpIssuer(), mfa.otpWindow(), mfa.hotpLookAhead());
    }

    @Bean
    RecoveryCodeService recoveryCodeService(Store store, KeyRing keyRing, AuditLog audit, Mailer mailer, Clock clock) {
        return new RecoveryCodeService(store, keyRing, audit, mailer, clock);
    }
}

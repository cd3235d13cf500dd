package dev.signet.server;

import dev.signet.core.password.Argon2id;
import dev.signet.core.password.PasswordPolicy;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.PasswordHasher;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.factor.OtpService;
import dev.signet.server.factor.RecoveryCodeService;
import dev.signet.server.guard.SignInGuard;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signin.ValidationService;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import dev.signet.server.store.Vault;
import dev.signet.server.token.TokenService;
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
    Argon2id argon2id(SignetSettings settings) {
        return new Argon2id(settings.accounts().argon2());
    }

    /** The policy for accounts whose password is the only factor (every account, until second factors exist). */
    @Bean
    PasswordPolicy passwordPolicy(SignetSettings settings) {
        return new PasswordPolicy(new PasswordPolicy.Rules(
                settings.accounts().minPasswordLength(),
                PasswordPolicy.MAX_LENGTH,
                settings.accounts().minPasswordScore()));
    }

    @Bean
    PasswordHasher passwordHasher(Argon2id argon2id) {
        return new PasswordHasher(argon2id);
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
    SetupService setupService(
            Store store,
            UserRepository users,
            AuditLog audit,
            PasswordHasher hasher,
            PasswordPolicy policy,
            Clock clock) {
        return new SetupService(store, users, audit, hasher, policy, clock);
    }

    @Bean
    DbSessionRepository sessionRepository(Store store, KeyRing keyRing, Clock clock, SignetSettings settings) {
        return new DbSessionRepository(
                store,
                keyRing,
                clock,
                settings.accounts().sessionIdle(),
                settings.accounts().sessionAbsolute());
    }

    @Bean
    TokenService tokenService(Store store, UserRepository users, AuditLog audit, Clock clock) {
        return new TokenService(store, users, audit, clock);
    }

    @Bean
    SignInHistory signInHistory(Store store) {
        return new SignInHistory(store);
    }

    @Bean
    SignInGuard signInGuard(Store store, KeyRing keyRing, AuditLog audit, SignetSettings settings, Clock clock) {
        return new SignInGuard(store, keyRing, audit, settings.throttle(), clock);
    }

    @Bean
    SignInService signInService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            SignInGuard gate,
            SignInHistory history,
            AuditLog audit,
            FactorPolicy factorPolicy,
            Clock clock) {
        return new SignInService(store, users, hasher, gate, history, audit, factorPolicy, clock);
    }

    @Bean
    ValidationService validationService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            SignInGuard gate,
            OtpService otp,
            RecoveryCodeService recovery,
            FactorPolicy factorPolicy,
            SignInHistory history,
            AuditLog audit,
            Clock clock) {
        return new ValidationService(store, users, hasher, gate, otp, recovery, factorPolicy, history, audit, clock);
    }

    @Bean
    FactorPolicy factorPolicy(Store store, SignetSettings settings) {
        return new FactorPolicy(store, settings.mfa().required());
    }

    @Bean
    AccountService accountService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            DbSessionRepository sessions,
            TokenService tokens,
            AuditLog audit,
            Clock clock,
            PasswordPolicy policy) {
        return new AccountService(store, users, hasher, policy::check, sessions, tokens, audit, clock);
    }
}

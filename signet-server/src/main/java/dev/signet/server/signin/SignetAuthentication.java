package dev.signet.server.signin;

import java.io.Serial;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A browser session's sign-in: who, how far along, and which factors were used when.
 *
 * <p>Stages: {@link Stage#SECOND_FACTOR} (password verified, a second factor is still needed: only
 * the factor pages are reachable), {@link Stage#ENROL} (signed in, but policy requires a factor the
 * user has not enrolled: only enrolment is reachable), {@link Stage#COMPLETE}. Only a complete
 * sign-in carries the {@code ROLE_*} authority and {@link #SIGNED_IN}, which every console page
 * needs. Immutable: each step makes a new one, which the caller stores in the security context.
 */
public final class SignetAuthentication extends AbstractAuthenticationToken {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The authority of a complete sign-in. */
    public static final String SIGNED_IN = "SIGNED_IN";
    /** The authority of a sign-in waiting for its second factor. */
    public static final String SECOND_FACTOR_PENDING = "MFA_PENDING";
    /** The authority of a sign-in that must enrol a factor before anything else. */
    public static final String ENROL_PENDING = "MFA_ENROL";

    public enum Stage {
        SECOND_FACTOR,
        ENROL,
        COMPLETE
    }

    /** One use of a factor in this session. */
    public record FactorUse(Factor factor, Instant at) implements Serializable {}

    private final SignetPrincipal principal;
    private final Stage stage;
    private final List<FactorUse> factors;

    public SignetAuthentication(SignetPrincipal principal, Stage stage, List<FactorUse> factors) {
        super(authorities(principal, stage));
        this.principal = principal;
        this.stage = stage;
        this.factors = List.copyOf(factors);
        setAuthenticated(true);
    }

    private static List<GrantedAuthority> authorities(SignetPrincipal principal, Stage stage) {
        return switch (stage) {
            case COMPLETE ->
                List.of(
                        new SimpleGrantedAuthority("ROLE_" + principal.role().name()),
                        new SimpleGrantedAuthority(SIGNED_IN));
            case SECOND_FACTOR -> List.of(new SimpleGrantedAuthority(SECOND_FACTOR_PENDING));
            case ENROL -> List.of(new SimpleGrantedAuthority(ENROL_PENDING));
        };
    }

    /** The same sign-in with one more factor used at {@code at}, in {@code next} stage. */
    public SignetAuthentication with(Factor factor, Instant at, Stage next) {
        List<FactorUse> more = new ArrayList<>(factors);
        more.add(new FactorUse(factor, at));
        SignetAuthentication result = new SignetAuthentication(principal, next, more);
        result.setDetails(getDetails());
        return result;
    }

    /** The same sign-in in another stage. */
    public SignetAuthentication in(Stage next) {
        SignetAuthentication result = new SignetAuthentication(principal, next, factors);
        result.setDetails(getDetails());
        return result;
    }

    @Override
    public SignetPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public String getName() {
        return principal.username();
    }

    public Stage stage() {
        return stage;
    }

    public List<FactorUse> factors() {
        return factors;
    }

    /** When the user last proved who they are in this session (any factor). */
    public Instant lastAuthenticatedAt() {
        Instant last = Instant.EPOCH;
        for (FactorUse use : factors) {
            if (use.at().isAfter(last)) {
                last = use.at();
            }
        }
        return last;
    }

    public boolean used(Factor factor) {
        return factors.stream().anyMatch(f -> f.factor() == factor);
    }

    /**
     * The RFC 8176 {@code amr} values, in order of first use, with {@code mfa} when the factors are of
     * two kinds (something known and something held) or a passkey was used (possession plus user
     * verification).
     */
    public List<String> amr() {
        Set<String> values = new LinkedHashSet<>();
        boolean knowledge = false;
        boolean possession = false;
        for (FactorUse use : factors) {
            values.add(use.factor().amr());
            if (use.factor() == Factor.PWD) {
                knowledge = true;
            } else {
                possession = true;
            }
            if (use.factor().passkey()) {
                knowledge = true;
            }
        }
        if (knowledge && possession) {
            values.add("mfa");
        }
        return List.copyOf(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignetAuthentication other
                && other.principal.equals(principal)
                && other.stage == stage
                && other.factors.equals(factors);
    }

    @Override
    public int hashCode() {
        return principal.hashCode() * 31 + factors.hashCode();
    }
}

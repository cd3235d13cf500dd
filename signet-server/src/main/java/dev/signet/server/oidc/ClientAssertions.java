package dev.signet.server.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.signet.core.crypto.Secure;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.server.store.Store;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Client authentication by {@code private_key_jwt} (<a
 * href="https://www.rfc-editor.org/rfc/rfc7523#section-3">RFC 7523 section 3</a>, <a
 * href="https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication">OpenID Connect
 * Core 1.0 section 9</a>): the assertion must be signed by a key of the client's registered JWK Set
 * (RSA, EC or Ed25519; never "none" or a MAC), name the client as {@code iss} and {@code sub}, have
 * this server (issuer or an endpoint URL) in {@code aud}, an {@code exp} in the future and no more
 * than an hour away, and a {@code jti}. A {@code jti} is accepted once: the row recording it is
 * inserted only if absent, and only the request that inserted it goes on (so two racing copies of
 * one assertion cannot both pass). Rows are kept until the assertion expires.
 *
 * <p>The signature and every claim are checked before the {@code jti} is recorded: a forged or stale
 * assertion does not burn a {@code jti}.
 */
final class ClientAssertions implements JwtDecoderFactory<RegisteredClient> {
    static final Duration MAX_LIFETIME = Duration.ofHours(1);
    static final Duration SKEW = Duration.ofMinutes(1);
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA);
    private static final int SWEEP_EVERY = 500;

    private record Keys(String jwks, List<JWK> keys) {}

    private final SignetClients clients;
    private final Store store;
    private final Clock clock;
    private final Supplier<List<String>> audiences;
    private final Map<String, Keys> cache = new ConcurrentHashMap<>();
    private final AtomicLong recorded = new AtomicLong();

    ClientAssertions(SignetClients clients, Store store, Clock clock, Supplier<List<String>> audiences) {
        this.clients = clients;
        this.store = store;
        this.clock = clock;
        this.audiences = audiences;
    }

    @Override
    public JwtDecoder createDecoder(RegisteredClient registeredClient) {
        String clientId = registeredClient.getClientId();
        return token -> decode(clientId, token);
    }

    private Jwt decode(String clientId, String token) {
        OidcClient client = clients.client(clientId).orElseThrow(() -> bad("the client is unknown"));
        if (client.auth() != ClientAuth.PRIVATE_KEY_JWT || client.jwks() == null) {
            throw bad("the client does not authenticate with private_key_jwt");
        }
        if (token == null || token.length() > 16 * 1024) {
            throw bad("the client assertion is missing or too long");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw bad("the client assertion is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw bad("the client assertion's algorithm is not accepted");
        }
        if (!verified(jwt, keys(clientId, client.jwks()), header)) {
            throw bad("the client assertion's signature does not verify with the client's registered keys");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (!clientId.equals(claims.getIssuer()) || !clientId.equals(claims.getSubject())) {
            throw bad("the client assertion's iss and sub must be the client id");
        }
        if (claims.getAudience() == null || claims.getAudience().stream().noneMatch(audiences.get()::contains)) {
            throw bad("the client assertion's aud must name this server");
        }
        if (exp == null || !exp.toInstant().plus(SKEW).isAfter(now)) {
            throw bad("the client assertion has expired");
        }
        if (exp.toInstant().isAfter(now.plus(MAX_LIFETIME).plus(SKEW))) {
            throw bad("the client assertion must expire within an hour");
        }
        if (claims.getNotBeforeTime() != null
                && claims.getNotBeforeTime().toInstant().isAfter(now.plus(SKEW))) {
            throw bad("the client assertion is not valid yet");
        }
        String jti = claims.getJWTID();
        if (jti == null || jti.isBlank() || jti.length() > 256) {
            throw bad("the client assertion needs a jti");
        }
        if (!record(clientId, jti, exp.toInstant())) {
            throw bad("the client assertion was used before (its jti is replayed)");
        }
        return toJwt(token, header, claims);
    }

    /** Records the assertion's jti; false when it was recorded before. */
    private boolean record(String clientId, String jti, Instant expires) {
        long now = clock.millis();
        if (recorded.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep();
        }
        int inserted = store.jdbc()
                .sql("INSERT INTO oauth_client_assertion (client_id, jti_hash, expires_at) VALUES (?, ?, ?)"
                        + " ON CONFLICT (client_id, jti_hash) DO NOTHING")
                .params(clientId, Secure.sha256Hex(jti), Math.max(expires.toEpochMilli(), now) + SKEW.toMillis())
                .update();
        return inserted == 1;
    }

    /** Forgets assertions that have expired: they are refused as expired anyway. */
    int sweep() {
        return store.jdbc()
                .sql("DELETE FROM oauth_client_assertion WHERE expires_at < ?")
                .param(clock.millis())
                .update();
    }

    private List<JWK> keys(String clientId, String jwks) {
        Keys known = cache.get(clientId);
        if (known != null && known.jwks().equals(jwks)) {
            return known.keys();
        }
        try {
            List<JWK> keys = JWKSet.parse(jwks).getKeys();
            cache.put(clientId, new Keys(jwks, keys));
            return keys;
        } catch (ParseException e) {
            throw bad("the client's registered JWK Set cannot be read");
        }
    }

    private static boolean verified(SignedJWT jwt, List<JWK> keys, JWSHeader header) {
        String kid = header.getKeyID();
        for (JWK key : keys) {
            if (kid != null && !kid.equals(key.getKeyID())) {
                continue;
            }
            if (key.getAlgorithm() != null && !key.getAlgorithm().equals(header.getAlgorithm())) {
                continue;
            }
            JWSVerifier verifier = verifier(key, header.getAlgorithm());
            try {
                if (verifier != null && jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException | RuntimeException e) {
                // not this key
            }
        }
        return false;
    }

    private static JWSVerifier verifier(JWK key, JWSAlgorithm algorithm) {
        try {
            if (key instanceof RSAKey rsa && JWSAlgorithm.Family.RSA.contains(algorithm)) {
                return new RSASSAVerifier(rsa);
            }
            if (key instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(algorithm)) {
                return new ECDSAVerifier(ec);
            }
            if (key instanceof OctetKeyPair okp
                    && Curve.Ed25519.equals(okp.getCurve())
                    && JWSAlgorithm.EdDSA.equals(algorithm)) {
                byte[] spki = new SubjectPublicKeyInfo(
                                new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                                okp.getX().decode())
                        .getEncoded();
                var provider = KeyAlgorithm.ED25519.signatureProvider();
                return new TokenKeys.Ed25519Verifier(
                        KeyFactory.getInstance("Ed25519", provider).generatePublic(new X509EncodedKeySpec(spki)),
                        provider);
            }
        } catch (JOSEException | GeneralSecurityException | IOException e) {
            return null;
        }
        return null;
    }

    private static Jwt toJwt(String token, JWSHeader header, JWTClaimsSet claims) {
        Map<String, Object> values = new LinkedHashMap<>(claims.toJSONObject());
        values.put("aud", new ArrayList<>(claims.getAudience()));
        values.put("exp", claims.getExpirationTime().toInstant());
        if (claims.getIssueTime() != null) {
            values.put("iat", claims.getIssueTime().toInstant());
        }
        if (claims.getNotBeforeTime() != null) {
            values.put("nbf", claims.getNotBeforeTime().toInstant());
        }
        return Jwt.withTokenValue(token)
                .headers(h -> h.putAll(header.toJSONObject()))
                .claims(c -> c.putAll(values))
                .build();
    }

    private static JwtException bad(String message) {
        return new BadJwtException(message);
    }
}

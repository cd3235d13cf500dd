package dev.signet.server.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.signet.core.crypto.Secure;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys that sign tokens: one current key per JWS algorithm (RFC 7518 section 3.1) that is in
 * use, ES256 always (access tokens, and ID tokens by default), RS256 and EdDSA (RFC 8037) when a
 * client asks for them. Private keys are PKCS#8, sealed with the key ring, in {@code
 * oidc_signing_key}; every node keeps the keys in memory and reloads them each minute.
 *
 * <p>JCA providers, by measurement on JDK 25 (see docs/oidc.md, "Keys"): Bouncy Castle for ES256
 * (about 1.5 to 2 times SunEC's P-256 signing rate once warm, with the key translated to its own
 * class once) and for Ed25519 (about 20 times SunEC's), the JDK's SunRsaSign for RSA.
 *
 * <p>Rotation makes a new current key and retires the old one, which stays in the JWK Set until
 * every token it can have signed has expired: the longest token lifetime of any client, plus the
 * reload interval (another node may sign with it that much longer) and five minutes of clock skew.
 * Rotation runs on a schedule ({@code SIGNET_OIDC_KEY_ROTATION_DAYS}) and on demand; of nodes
 * racing to rotate, the conditional update of the old key lets exactly one do it.
 */
public final class TokenKeys {
    private static final Logger log = LoggerFactory.getLogger(TokenKeys.class);
    static final Duration RELOAD_EVERY = Duration.ofMinutes(1);
    private static final Duration SKEW = Duration.ofMinutes(5);

    /** A JWS algorithm Signet signs tokens with, and the key family behind it. */
    public enum Algorithm {
        ES256(JWSAlgorithm.ES256, KeyAlgorithm.EC_P256, "EC"),
        RS256(JWSAlgorithm.RS256, KeyAlgorithm.RSA_2048, "RSA"),
        EdDSA(JWSAlgorithm.EdDSA, KeyAlgorithm.ED25519, "Ed25519");

        final JWSAlgorithm jws;
        final KeyAlgorithm keys;
        final String jcaName;

        Algorithm(JWSAlgorithm jws, KeyAlgorithm keys, String jcaName) {
            this.jws = jws;
            this.keys = keys;
            this.jcaName = jcaName;
        }

        /** The algorithm named {@code name} ({@code ES256}, {@code RS256} or {@code EdDSA}); ES256 otherwise. */
        public static Algorithm named(String name) {
            for (Algorithm a : values()) {
                if (a.name().equals(name)) {
                    return a;
                }
            }
            return ES256;
        }
    }

    /** A key that can sign: its id, algorithm, signer and public JWK. */
    record SigningKey(String kid, Algorithm algorithm, JWSSigner signer, JWK publicJwk, Instant createdAt) {}

    /** A key as listed by the API: never the private part. */
    public record KeyInfo(String kid, String algorithm, Instant createdAt, Instant retiredAt, Instant publishUntil) {}

    private record Snapshot(Map<Algorithm, SigningKey> current, Map<String, JWK> published, List<JWK> publishedList) {}

    private final Store store;
    private final KeyRing keyRing;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration rotation;
    private final Supplier<Duration> longestTokenLifetime;
    private final Map<String, JWSVerifier> verifiers = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), List.of());
    private volatile long lastReload = System.nanoTime();
    /** How often a token naming an unknown key may make this node read the keys again. */
    private static final Duration UNKNOWN_KID_RELOAD = Duration.ofSeconds(5);

    TokenKeys(
            Store store,
            KeyRing keyRing,
            AuditLog audit,
            Clock clock,
            Duration rotation,
            Supplier<Duration> longestTokenLifetime) {
        this.store = store;
        this.keyRing = keyRing;
        this.audit = audit;
        this.clock = clock;
        this.rotation = rotation;
        this.longestTokenLifetime = longestTokenLifetime;
    }

    /** Loads the keys, making the ES256 key on a new database. */
    void start() {
        reload();
        current(Algorithm.ES256);
    }

    /** The current signing key of {@code algorithm}, made the first time it is needed. */
    SigningKey current(Algorithm algorithm) {
        SigningKey key = snapshot.current().get(algorithm);
        if (key != null) {
            return key;
        }
        synchronized (this) {
            reload();
            key = snapshot.current().get(algorithm);
            if (key == null) {
                insert(algorithm, algorithm.keys.generateKeyPair());
                reload();
                key = snapshot.current().get(algorithm);
            }
            return key;
        }
    }

    /**
     * The public keys to publish (the JWK Set of {@code /oauth2/jwks}): current and retired ones still
     * in use, read again when the last read is more than a few seconds old (so a key another node has
     * just made is published by every node almost at once; relying parties fetch the set rarely).
     */
    public List<JWK> published() {
        if (System.nanoTime() - lastReload > UNKNOWN_KID_RELOAD.toNanos()) {
            reload();
        }
        return snapshot.publishedList();
    }

    /**
     * The claims of a JWT that one of these keys signed with one of {@code algorithms}, or empty when
     * it is not one (malformed, unknown key, wrong algorithm, bad signature). Expiry is the caller's
     * to check.
     */
    Optional<JWTClaimsSet> verify(String jwt, Set<Algorithm> algorithms) {
        try {
            SignedJWT signed = SignedJWT.parse(jwt);
            JWSHeader header = signed.getHeader();
            Algorithm algorithm = null;
            for (Algorithm a : algorithms) {
                if (a.jws.equals(header.getAlgorithm())) {
                    algorithm = a;
                }
            }
            String kid = header.getKeyID();
            if (algorithm == null || kid == null) {
                return Optional.empty();
            }
            JWK jwk = snapshot.published().get(kid);
            if (jwk == null && System.nanoTime() - lastReload > UNKNOWN_KID_RELOAD.toNanos()) {
                // a key another node has just made: read the table again (at most every few seconds)
                reload();
                jwk = snapshot.published().get(kid);
            }
            if (jwk == null) {
                return Optional.empty();
            }
            JWK key = jwk;
            JWSVerifier verifier = verifiers.computeIfAbsent(kid, k -> verifier(key));
            if (verifier == null || !verifier.supportedJWSAlgorithms().contains(header.getAlgorithm())) {
                return Optional.empty();
            }
            return signed.verify(verifier) ? Optional.of(signed.getJWTClaimsSet()) : Optional.empty();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes a new current key for every algorithm in use and retires the old ones (they stay
     * published until the tokens they signed have expired). Returns the new keys' ids.
     */
    public List<String> rotateAll(String actor, String reason) {
        List<String> made = new ArrayList<>();
        for (Algorithm algorithm : List.copyOf(snapshot.current().keySet())) {
            rotate(algorithm, actor, reason).ifPresent(made::add);
        }
        return made;
    }

    /** Every key still in the table, newest first. */
    public List<KeyInfo> list() {
        return store.jdbc()
                .sql("SELECT kid, algorithm, created_at, retired_at, publish_until FROM oidc_signing_key"
                        + " ORDER BY created_at DESC, kid")
                .query((rs, n) -> new KeyInfo(
                        rs.getString("kid"),
                        rs.getString("algorithm"),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        instant(rs.getObject("retired_at")),
                        instant(rs.getObject("publish_until"))))
                .list();
    }

    /** The scheduled pass: reload, rotate keys past their age, forget keys no longer published. */
    void maintain() {
        reload();
        Instant now = clock.instant();
        for (SigningKey key : snapshot.current().values()) {
            if (!key.createdAt().plus(rotation).isAfter(now)) {
                rotate(key.algorithm(), "signet", "scheduled");
            }
        }
        store.jdbc()
                .sql("DELETE FROM oidc_signing_key WHERE publish_until IS NOT NULL AND publish_until < ?")
                .param(now.toEpochMilli())
                .update();
    }

    private Optional<String> rotate(Algorithm algorithm, String actor, String reason) {
        SigningKey old = snapshot.current().get(algorithm);
        KeyPair fresh = algorithm.keys.generateKeyPair();
        Instant now = clock.instant();
        Instant publishUntil =
                now.plus(longestTokenLifetime.get()).plus(RELOAD_EVERY).plus(SKEW);
        Optional<String> made = store.inTransaction(() -> {
            if (old != null) {
                int retired = store.jdbc()
                        .sql("UPDATE oidc_signing_key SET retired_at = ?, publish_until = ?"
                                + " WHERE kid = ? AND retired_at IS NULL")
                        .params(now.toEpochMilli(), publishUntil.toEpochMilli(), old.kid())
                        .update();
                if (retired != 1) {
                    return Optional.<String>empty(); // another node rotated it first
                }
            }
            return Optional.of(insert(algorithm, fresh));
        });
        reload();
        made.ifPresent(kid -> {
            log.info("OIDC {} signing key rotated: {} replaces {}", algorithm, kid, old == null ? "none" : old.kid());
            audit.append(AuditEvent.of("oidc.key_rotated", AuditEvent.SUCCESS)
                    .actor(actor)
                    .reason(reason)
                    .detail("algorithm", algorithm.name())
                    .detail("kid", kid)
                    .detail("retired", old == null ? null : old.kid())
                    .build());
        });
        return made;
    }

    private String insert(Algorithm algorithm, KeyPair pair) {
        JWK jwk = publicJwk(algorithm, pair.getPublic(), null);
        String kid;
        try {
            kid = jwk.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute a JWK thumbprint", e);
        }
        jwk = publicJwk(algorithm, pair.getPublic(), kid);
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        try {
            String sealed = keyRing.seal(ref(kid), pkcs8);
            store.jdbc()
                    .sql("INSERT INTO oidc_signing_key (kid, algorithm, public_jwk, private_key, created_at)"
                            + " VALUES (?, ?, ?, ?, ?)")
                    .params(kid, algorithm.name(), jwk.toJSONString(), sealed, clock.millis())
                    .update();
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        return kid;
    }

    /** Reads every published key and the newest unretired key of each algorithm. */
    synchronized void reload() {
        long now = clock.millis();
        Map<Algorithm, SigningKey> current = new EnumMap<>(Algorithm.class);
        Map<String, JWK> published = new HashMap<>();
        List<JWK> list = new ArrayList<>();
        Map<Algorithm, SigningKey> previous = snapshot.current();
        store.jdbc()
                .sql("SELECT kid, algorithm, public_jwk, private_key, created_at, retired_at, publish_until"
                        + " FROM oidc_signing_key WHERE retired_at IS NULL OR publish_until > ?"
                        + " ORDER BY created_at DESC, kid")
                .param(now)
                .query(rs -> {
                    String kid = rs.getString("kid");
                    Algorithm algorithm = Algorithm.named(rs.getString("algorithm"));
                    JWK jwk;
                    try {
                        jwk = JWK.parse(rs.getString("public_jwk"));
                    } catch (ParseException e) {
                        log.warn("OIDC signing key {} has an unreadable public key and is skipped", kid);
                        return;
                    }
                    published.put(kid, jwk);
                    list.add(jwk);
                    if (rs.getObject("retired_at") == null && !current.containsKey(algorithm)) {
                        SigningKey known = previous.get(algorithm);
                        if (known != null && known.kid().equals(kid)) {
                            current.put(algorithm, known);
                        } else {
                            current.put(
                                    algorithm,
                                    new SigningKey(
                                            kid,
                                            algorithm,
                                            signer(algorithm, open(algorithm, kid, rs.getString("private_key"))),
                                            jwk,
                                            Instant.ofEpochMilli(rs.getLong("created_at"))));
                        }
                    }
                });
        snapshot = new Snapshot(Map.copyOf(current), Map.copyOf(published), List.copyOf(list));
        lastReload = System.nanoTime();
        verifiers.keySet().retainAll(published.keySet());
    }

    private PrivateKey open(Algorithm algorithm, String kid, String sealed) {
        byte[] pkcs8 = keyRing.open(ref(kid), sealed);
        try {
            // Decoded by the provider that signs, so each signature uses its own key class.
            return KeyFactory.getInstance(algorithm.jcaName, signingProvider(algorithm))
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("OIDC signing key " + kid + " cannot be decoded", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static Provider signingProvider(Algorithm algorithm) {
        return algorithm.keys.signatureProvider();
    }

    private static JWSSigner signer(Algorithm algorithm, PrivateKey key) {
        try {
            return switch (algorithm) {
                case ES256 -> {
                    ECDSASigner signer = new ECDSASigner(key, Curve.P_256);
                    signer.getJCAContext().setProvider(signingProvider(algorithm));
                    yield signer;
                }
                case RS256 -> new RSASSASigner((RSAPrivateKey) key);
                case EdDSA -> new Ed25519Signer(key, signingProvider(algorithm));
            };
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make a " + algorithm + " signer", e);
        }
    }

    private static JWSVerifier verifier(JWK jwk) {
        try {
            if (jwk instanceof ECKey ec) {
                ECDSAVerifier verifier = new ECDSAVerifier(ec);
                verifier.getJCAContext().setProvider(signingProvider(Algorithm.ES256));
                return verifier;
            }
            if (jwk instanceof RSAKey rsa) {
                return new RSASSAVerifier(rsa);
            }
            if (jwk instanceof OctetKeyPair okp) {
                byte[] encoded = new SubjectPublicKeyInfo(
                                new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                                okp.getX().decode())
                        .getEncoded();
                PublicKey key = KeyFactory.getInstance("Ed25519", signingProvider(Algorithm.EdDSA))
                        .generatePublic(new X509EncodedKeySpec(encoded));
                return new Ed25519Verifier(key, signingProvider(Algorithm.EdDSA));
            }
        } catch (JOSEException | GeneralSecurityException | java.io.IOException e) {
            log.warn("OIDC key {} cannot verify: {}", jwk.getKeyID(), e.toString());
        }
        return null;
    }

    private static JWK publicJwk(Algorithm algorithm, PublicKey key, String kid) {
        return switch (algorithm) {
            case ES256 ->
                new ECKey.Builder(Curve.P_256, (ECPublicKey) key)
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.ES256)
                        .keyID(kid)
                        .build();
            case RS256 ->
                new RSAKey.Builder((RSAPublicKey) key)
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.RS256)
                        .keyID(kid)
                        .build();
            case EdDSA -> {
                byte[] raw = SubjectPublicKeyInfo.getInstance(key.getEncoded())
                        .getPublicKeyData()
                        .getBytes();
                yield new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw))
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.EdDSA)
                        .keyID(kid)
                        .build();
            }
        };
    }

    private static KeyRing.SecretRef ref(String kid) {
        return new KeyRing.SecretRef("oidc_signing_key", "private_key", kid);
    }

    private static Instant instant(Object millis) {
        return millis == null ? null : Instant.ofEpochMilli(((Number) millis).longValue());
    }

    /** Ed25519 signatures (RFC 8037 section 3.1) through a JCA provider (Nimbus's own signer needs Tink). */
    static final class Ed25519Signer implements JWSSigner {
        private final PrivateKey key;
        private final JCAContext jca;

        Ed25519Signer(PrivateKey key, Provider provider) {
            this.key = key;
            this.jca = new JCAContext(provider, Secure.random());
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            try {
                Signature signature = Signature.getInstance("Ed25519", jca.getProvider());
                signature.initSign(key);
                signature.update(signingInput);
                return Base64URL.encode(signature.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 signing failed: " + e.getMessage(), e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    /** Verifies Ed25519 JWS signatures through a JCA provider. */
    static final class Ed25519Verifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca;

        Ed25519Verifier(PublicKey key, Provider provider) {
            this.key = key;
            this.jca = new JCAContext(provider, Secure.random());
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            try {
                Signature verifier = Signature.getInstance("Ed25519", jca.getProvider());
                verifier.initVerify(key);
                verifier.update(signingInput);
                return verifier.verify(signature.decode());
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}

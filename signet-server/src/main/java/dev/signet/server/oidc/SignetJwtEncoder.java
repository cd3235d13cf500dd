package dev.signet.server.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.oauth2.jose.jws.JwsAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtEncodingException;

/**
 * Signs the authorization server's JWTs (access tokens, ID tokens, logout tokens) with the current
 * {@link TokenKeys} key of the header's algorithm (ES256 when none is named), as compact JWS (RFC
 * 7515) built by Nimbus JOSE+JWT. The key id ({@code kid}) and, when asked for, the type ({@code
 * typ}) go in the header.
 */
final class SignetJwtEncoder implements JwtEncoder {
    /** The EdDSA JWS algorithm (RFC 8037 section 3.1), which Spring's enum does not name. */
    static final JwsAlgorithm EDDSA = () -> "EdDSA";

    private final TokenKeys keys;

    SignetJwtEncoder(TokenKeys keys) {
        this.keys = keys;
    }

    @Override
    public Jwt encode(JwtEncoderParameters parameters) throws JwtEncodingException {
        JwsHeader requested = parameters.getJwsHeader();
        TokenKeys.Algorithm algorithm = requested == null || requested.getAlgorithm() == null
                ? TokenKeys.Algorithm.ES256
                : TokenKeys.Algorithm.named(requested.getAlgorithm().getName());
        TokenKeys.SigningKey key = keys.current(algorithm);
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm.jws).keyID(key.kid());
        if (requested != null && requested.getType() != null) {
            header.type(new JOSEObjectType(requested.getType()));
        }
        JwtClaimsSet claims = parameters.getClaims();
        JWTClaimsSet.Builder body = new JWTClaimsSet.Builder();
        claims.getClaims().forEach((name, value) -> body.claim(name, nimbusValue(name, value)));
        SignedJWT jwt = new SignedJWT(header.build(), body.build());
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new JwtEncodingException("the token could not be signed: " + e.getMessage(), e);
        }
        Map<String, Object> headers = new LinkedHashMap<>(jwt.getHeader().toJSONObject());
        return Jwt.withTokenValue(jwt.serialize())
                .headers(h -> h.putAll(headers))
                .claims(c -> c.putAll(claims.getClaims()))
                .build();
    }

    /** Times as NumericDate (RFC 7519 section 2: seconds), URLs as strings, collections as lists. */
    private static Object nimbusValue(String name, Object value) {
        if (value instanceof Instant instant) {
            return switch (name) {
                case "exp", "iat", "nbf" -> Date.from(instant);
                default -> instant.getEpochSecond();
            };
        }
        if (value instanceof URL url) {
            return url.toString();
        }
        if (value instanceof Collection<?> collection) {
            return new ArrayList<>(collection);
        }
        return value;
    }
}

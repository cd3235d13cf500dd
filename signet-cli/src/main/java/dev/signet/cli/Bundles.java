package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.pki.Pem;
import dev.signet.core.sign.DigestAlgorithm;
import dev.signet.core.sign.SignatureBundle;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON form of a {@link SignatureBundle} ({@code FILE.sig.json}), for tools that do not speak
 * CMS:
 *
 * <pre>{@code
 * {"format":"signet-bundle-v1","signatureAlgorithm":"SHA256withECDSA","digestAlgorithm":"sha256",
 *  "digest":"<hex>","signature":"<base64>","chain":["-----BEGIN CERTIFICATE-----..."],
 *  "timestamp":"<base64 RFC 3161 TimeStampToken over the signature value>"|null}
 * }</pre>
 *
 * The signature is over the digest bytes as the message, with the key's signature algorithm: check
 * it with {@code openssl dgst -sha256 -verify pub.pem -signature sig.bin digest.bin} after decoding.
 */
final class Bundles {
    static final String FORMAT = "signet-bundle-v1";
    /** A bundle is a few kilobytes; anything near this is not one. */
    static final int MAX_SIZE = 1 << 20;

    private Bundles() {}

    static byte[] write(
            String signatureAlgorithm,
            DigestAlgorithm digestAlgorithm,
            byte[] digest,
            byte[] signature,
            List<X509Certificate> chain,
            byte[] timestamp) {
        ObjectNode json = ApiClient.JSON.createObjectNode();
        json.put("format", FORMAT);
        json.put("signatureAlgorithm", signatureAlgorithm);
        json.put("digestAlgorithm", digestAlgorithm.id());
        json.put("digest", HexFormat.of().formatHex(digest));
        json.put("signature", Base64.getEncoder().encodeToString(signature));
        ArrayNode certificates = json.putArray("chain");
        for (X509Certificate c : chain) {
            certificates.add(Pem.certificate(c));
        }
        if (timestamp == null) {
            json.putNull("timestamp");
        } else {
            json.put("timestamp", Base64.getEncoder().encodeToString(timestamp));
        }
        return (ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a bundle.
     *
     * @throws SignetException {@code verify.bundle_malformed} naming what is wrong
     */
    static SignatureBundle read(byte[] content) {
        JsonNode json;
        try {
            json = ApiClient.JSON.readTree(content);
        } catch (JacksonException e) {
            throw malformed("it is not JSON");
        }
        if (!FORMAT.equals(json.path("format").asString(""))) {
            throw malformed("\"format\" is not \"" + FORMAT + "\"");
        }
        String signatureAlgorithm = json.path("signatureAlgorithm").asString("");
        if (signatureAlgorithm.isBlank()) {
            throw malformed("\"signatureAlgorithm\" is missing");
        }
        DigestAlgorithm digestAlgorithm = DigestAlgorithm.byId(
                        json.path("digestAlgorithm").asString(""))
                .orElseThrow(() -> malformed("\"digestAlgorithm\" is not sha256, sha384 or sha512"));
        byte[] digest;
        byte[] signature;
        byte[] timestamp = null;
        try {
            digest = HexFormat.of().parseHex(json.path("digest").asString(""));
            signature = Base64.getDecoder().decode(json.path("signature").asString(""));
            JsonNode ts = json.path("timestamp");
            if (!ts.isNull() && !ts.isMissingNode()) {
                timestamp = Base64.getDecoder().decode(ts.asString(""));
            }
        } catch (IllegalArgumentException e) {
            throw malformed("\"digest\" must be hex, \"signature\" and \"timestamp\" base64");
        }
        if (digest.length != digestAlgorithm.length() || signature.length == 0) {
            throw malformed("the digest or the signature is missing or has the wrong length");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (JsonNode pem : json.path("chain")) {
                for (var c : factory.generateCertificates(
                        new ByteArrayInputStream(pem.asString("").getBytes(StandardCharsets.US_ASCII)))) {
                    chain.add((X509Certificate) c);
                }
            }
        } catch (CertificateException | ClassCastException e) {
            throw malformed("a certificate of \"chain\" cannot be read");
        }
        if (chain.isEmpty()) {
            throw malformed("\"chain\" has no certificate");
        }
        return new SignatureBundle(signatureAlgorithm, digestAlgorithm, digest, signature, chain, timestamp);
    }

    private static SignetException malformed(String why) {
        return new SignetException("verify.bundle_malformed", "the signature bundle cannot be read: " + why);
    }
}

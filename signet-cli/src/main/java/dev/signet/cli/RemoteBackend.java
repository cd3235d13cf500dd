package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.sign.DigestAlgorithm;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * Signs with a key held by the server: {@code GET /api/v1/keys/{name}} once (its digest algorithm
 * and certificate chain, and whether the token may use it at all), then {@code POST /api/v1/sign}
 * per batch, with only names and digests in the request. The server builds the CMS (signed
 * attributes, its timestamp unless {@code --no-timestamp}) and audits each signature.
 */
final class RemoteBackend implements SignBackend {
    /** The longest item name {@code POST /api/v1/sign} takes. */
    static final int MAX_NAME = 1024;

    private final ApiClient api;
    private final String key;
    private final boolean timestamp;
    private final DigestAlgorithm digestAlgorithm;
    private final String signatureAlgorithm;
    private final List<X509Certificate> chain;

    private RemoteBackend(
            ApiClient api,
            String key,
            boolean timestamp,
            DigestAlgorithm digestAlgorithm,
            String signatureAlgorithm,
            List<X509Certificate> chain) {
        this.api = api;
        this.key = key;
        this.timestamp = timestamp;
        this.digestAlgorithm = digestAlgorithm;
        this.signatureAlgorithm = signatureAlgorithm;
        this.chain = chain;
    }

    /**
     * Looks the key up.
     *
     * @throws SignetException the server's refusal ({@code sign.key_unknown}, {@code
     *     auth.insufficient_scope}...) or {@code cli.unreachable}
     */
    static RemoteBackend open(ApiClient api, String key, boolean timestamp) {
        JsonNode k = api.get("/api/v1/keys/" + ApiClient.encode(key));
        String alg = CaCommand.text(k, "digestAlgorithm");
        DigestAlgorithm digest = DigestAlgorithm.byId(alg)
                .orElseThrow(() -> new SignetException(
                        "cli.bad_answer",
                        "the server names no digest algorithm Signet knows for key '" + key + "': " + alg));
        List<X509Certificate> chain = certificates(k.path("chain"));
        if (chain.isEmpty()) {
            throw new SignetException("cli.bad_answer", "the server sent no certificate for key '" + key + "'");
        }
        return new RemoteBackend(
                api,
                CaCommand.text(k, "name").isEmpty() ? key : CaCommand.text(k, "name"),
                timestamp,
                digest,
                CaCommand.text(k, "signatureAlgorithm"),
                chain);
    }

    private SignetException badAnswer() {
        return new SignetException(
                "cli.bad_answer", "the server at " + api.base() + " sent an unreadable signing answer");
    }

    static List<X509Certificate> certificates(JsonNode pems) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (JsonNode pem : pems) {
                for (var c : factory.generateCertificates(
                        new ByteArrayInputStream(pem.asString("").getBytes(StandardCharsets.US_ASCII)))) {
                    out.add((X509Certificate) c);
                }
            }
        } catch (CertificateException | ClassCastException e) {
            throw new SignetException("cli.bad_answer", "the server sent a certificate that cannot be read");
        }
        return out;
    }

    /**
     * The file's name as the server records it in the audit log: 1 to 1024 characters without
     * control characters (a file name may have any but '/' and NUL); the end is kept when it is longer.
     */
    static String auditName(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        String clean = b.toString().strip();
        if (clean.isEmpty()) {
            return "(unnamed)";
        }
        return clean.length() <= MAX_NAME ? clean : "..." + clean.substring(clean.length() - (MAX_NAME - 3));
    }

    @Override
    public String describe() {
        return "key '" + key + "' on " + api.base();
    }

    @Override
    public DigestAlgorithm digestAlgorithm() {
        return digestAlgorithm;
    }

    @Override
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    @Override
    public List<X509Certificate> chain() {
        return chain;
    }

    @Override
    public String signerName() {
        return key;
    }

    @Override
    public List<Signed> sign(String kind, List<Request> batch) {
        List<Map<String, String>> items = new ArrayList<>(batch.size());
        HexFormat hex = HexFormat.of();
        for (Request r : batch) {
            items.add(Map.of("name", auditName(r.name()), "digest", hex.formatHex(r.digest())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("format", kind);
        body.put("digestAlgorithm", digestAlgorithm.id());
        body.put("timestamp", timestamp);
        body.put("items", items);
        byte[] answer = api.postForBytes("/api/v1/sign", body);
        List<Signed> out = new ArrayList<>(batch.size());
        // Streamed: an answer is about 4 KB of base64 per signature, decoded straight from the bytes.
        try (JsonParser p = ApiClient.JSON.createParser(answer)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw badAnswer();
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("items")) {
                    p.skipChildren();
                    continue;
                }
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw badAnswer();
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    byte[] signature = null;
                    byte[] timestamp = null;
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String name = p.currentName();
                        JsonToken value = p.nextToken();
                        if (name.equals("signature") && value == JsonToken.VALUE_STRING) {
                            signature = p.getBinaryValue();
                        } else if (name.equals("timestamp") && value == JsonToken.VALUE_STRING) {
                            timestamp = p.getBinaryValue();
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (signature == null || signature.length == 0) {
                        throw badAnswer();
                    }
                    out.add(new Signed(signature, timestamp == null || timestamp.length == 0 ? null : timestamp));
                }
            }
        } catch (JacksonException e) {
            throw badAnswer();
        }
        return out;
    }
}

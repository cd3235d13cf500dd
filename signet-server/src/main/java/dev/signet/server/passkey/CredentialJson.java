package dev.signet.server.passkey;

import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON form of a {@code PublicKeyCredential} (what {@code credential.toJSON()} returns, WebAuthn
 * Level 3 section 5.1.8, {@code RegistrationResponseJSON} and {@code AuthenticationResponseJSON}),
 * taken apart and base64url-decoded, but not yet interpreted: the CBOR and client data inside are
 * parsed by webauthn4j afterwards, each with its own error code.
 *
 * <p>Refusals: {@code passkey.malformed} for anything that is not that shape (not JSON, not an
 * object, a member missing or of the wrong type, {@code type} not {@code public-key}, {@code id} not
 * {@code rawId}); {@code passkey.bad_encoding} for a binary member that is not base64url.
 */
record CredentialJson(
        byte[] rawId,
        byte[] clientDataJson,
        Optional<byte[]> attestationObject,
        Set<String> transports,
        Optional<byte[]> authenticatorData,
        Optional<byte[]> signature,
        Optional<byte[]> userHandle) {

    /** The most any body may hold; the web layer refuses larger declared lengths before this. */
    static final int MAX_BODY = 64 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Pattern TRANSPORT = Pattern.compile("[a-z0-9-]{1,32}");
    private static final int MAX_TRANSPORTS = 8;

    /** Parses a JSON body into a tree; {@code passkey.malformed} when it is not one JSON object. */
    static JsonNode object(String body) {
        if (body == null || body.isBlank()) {
            throw malformed("the request has no body");
        }
        if (body.length() > MAX_BODY) {
            throw malformed("the request body is too long");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            throw malformed("the request body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw malformed("the request body is not a JSON object");
        }
        return node;
    }

    /** A {@code RegistrationResponseJSON}. */
    static CredentialJson registration(JsonNode credential) {
        JsonNode response = envelope(credential);
        byte[] rawId = binary(credential, "rawId");
        return new CredentialJson(
                rawId,
                binary(response, "clientDataJSON"),
                Optional.of(binary(response, "attestationObject")),
                transports(response),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** An {@code AuthenticationResponseJSON}. */
    static CredentialJson authentication(JsonNode credential) {
        JsonNode response = envelope(credential);
        return new CredentialJson(
                binary(credential, "rawId"),
                binary(response, "clientDataJSON"),
                Optional.empty(),
                Set.of(),
                Optional.of(binary(response, "authenticatorData")),
                Optional.of(binary(response, "signature")),
                optionalBinary(response, "userHandle"));
    }

    /** Checks {@code type}, {@code id} = {@code rawId}, and returns the {@code response} object. */
    private static JsonNode envelope(JsonNode credential) {
        if (credential == null || !credential.isObject()) {
            throw malformed("the credential is not a JSON object");
        }
        JsonNode type = credential.get("type");
        if (type == null || !type.isString() || !"public-key".equals(type.stringValue())) {
            throw malformed("the credential's type is not public-key");
        }
        byte[] id = binary(credential, "id");
        byte[] rawId = binary(credential, "rawId");
        if (!Arrays.equals(id, rawId)) {
            throw malformed("the credential's id and rawId differ");
        }
        JsonNode response = credential.get("response");
        if (response == null || !response.isObject()) {
            throw malformed("the credential has no response object");
        }
        return response;
    }

    private static byte[] binary(JsonNode parent, String member) {
        return optionalBinary(parent, member)
                .filter(b -> b.length > 0)
                .orElseThrow(() -> malformed("the member '" + member + "' is missing or empty"));
    }

    private static Optional<byte[]> optionalBinary(JsonNode parent, String member) {
        JsonNode node = parent.get(member);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isString()) {
            throw malformed("the member '" + member + "' is not a string");
        }
        return Optional.of(base64url(node.stringValue(), member));
    }

    static byte[] base64url(String value, String member) {
        // the URL-safe alphabet only; the padding WebAuthn's JSON never has is tolerated
        if (value.indexOf('+') >= 0 || value.indexOf('/') >= 0) {
            throw badEncoding(member);
        }
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw badEncoding(member);
        }
    }

    private static Set<String> transports(JsonNode response) {
        JsonNode node = response.get("transports");
        if (node == null || node.isNull()) {
            return Set.of();
        }
        if (!node.isArray()) {
            throw malformed("the member 'transports' is not an array");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode t : node.values()) {
            // unknown or odd values are dropped, not refused: transports are a hint for later ceremonies
            if (t.isString() && TRANSPORT.matcher(t.stringValue()).matches() && out.size() < MAX_TRANSPORTS) {
                out.add(t.stringValue());
            }
        }
        return out;
    }

    static PasskeyException malformed(String message) {
        return new PasskeyException(PasskeyException.MALFORMED, message);
    }

    private static PasskeyException badEncoding(String member) {
        return new PasskeyException(PasskeyException.BAD_ENCODING, "the member '" + member + "' is not base64url");
    }
}

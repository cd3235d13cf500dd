package dev.signet.server.passkey;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.AttestationConveyancePreference;
import com.webauthn4j.data.AuthenticatorAssertionResponse;
import com.webauthn4j.data.AuthenticatorAttestationResponse;
import com.webauthn4j.data.AuthenticatorSelectionCriteria;
import com.webauthn4j.data.PublicKeyCredential;
import com.webauthn4j.data.PublicKeyCredentialCreationOptions;
import com.webauthn4j.data.PublicKeyCredentialDescriptor;
import com.webauthn4j.data.PublicKeyCredentialRequestOptions;
import com.webauthn4j.data.PublicKeyCredentialRpEntity;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.PublicKeyCredentialUserEntity;
import com.webauthn4j.data.ResidentKeyRequirement;
import com.webauthn4j.data.UserVerificationRequirement;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.ClientDataType;
import com.webauthn4j.data.client.CollectedClientData;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import com.webauthn4j.test.authenticator.webauthn.NoneAttestationAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.PackedAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnAuthenticatorAdaptor;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnModelAuthenticator;
import com.webauthn4j.test.client.ClientPlatform;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A software passkey device (webauthn4j-test's emulated authenticator) behind an emulated browser,
 * speaking the WebAuthn Level 3 JSON forms the server uses: it takes the server's options JSON and
 * answers what {@code credential.toJSON()} would. Helpers edit answers the way a broken or malicious
 * client might.
 */
final class SoftwarePasskeys {
    static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder B64D = Base64.getUrlDecoder();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final ObjectConverter CONVERTER = new ObjectConverter();
    static final AttestationObjectConverter ATTESTATION = new AttestationObjectConverter(CONVERTER);

    final WebAuthnModelAuthenticator device;
    private final ClientPlatform platform;

    private SoftwarePasskeys(WebAuthnModelAuthenticator device, String origin) {
        this.device = device;
        this.platform = new ClientPlatform(new Origin(origin), new WebAuthnAuthenticatorAdaptor(device, CONVERTER));
    }

    /** A device whose attestation statements are of format {@code none}. */
    static SoftwarePasskeys none(String origin) {
        return new SoftwarePasskeys(new NoneAttestationAuthenticator(), origin);
    }

    /** A device that makes {@code packed} attestation statements (kept by the browser: "direct"). */
    static SoftwarePasskeys packed(String origin) {
        return new SoftwarePasskeys(new PackedAuthenticator(), origin);
    }

    /** The same device used from another origin (a phishing page, say). */
    SoftwarePasskeys from(String origin) {
        return new SoftwarePasskeys(device, origin);
    }

    // ---- registration ----------------------------------------------------------------------------

    /** {@code navigator.credentials.create()} with the server's options JSON; the credential's JSON. */
    @SuppressWarnings("unchecked")
    Map<String, Object> create(Map<String, Object> options) {
        Map<String, Object> rp = (Map<String, Object>) options.get("rp");
        return create(options, (String) rp.get("id"));
    }

    /** As {@link #create(Map)}, but with the authenticator told another RP ID than the options say. */
    @SuppressWarnings("unchecked")
    Map<String, Object> create(Map<String, Object> options, String rpId) {
        Map<String, Object> rp = (Map<String, Object>) options.get("rp");
        Map<String, Object> user = (Map<String, Object>) options.get("user");
        Map<String, Object> selection = (Map<String, Object>) options.get("authenticatorSelection");
        boolean packed = device instanceof PackedAuthenticator;
        PublicKeyCredentialCreationOptions w = new PublicKeyCredentialCreationOptions(
                new PublicKeyCredentialRpEntity(rpId, (String) rp.get("name")),
                new PublicKeyCredentialUserEntity(
                        B64D.decode((String) user.get("id")), (String) user.get("name"), (String)
                                user.get("displayName")),
                new DefaultChallenge(B64D.decode((String) options.get("challenge"))),
                PasskeyService.ALGORITHMS,
                ((Number) options.get("timeout")).longValue(),
                descriptors((List<Map<String, Object>>) options.get("excludeCredentials")),
                new AuthenticatorSelectionCriteria(
                        null,
                        (Boolean) selection.get("requireResidentKey"),
                        ResidentKeyRequirement.create((String) selection.get("residentKey")),
                        UserVerificationRequirement.create((String) selection.get("userVerification"))),
                // the browser keeps a packed statement only when asked for "direct"
                packed ? AttestationConveyancePreference.DIRECT : AttestationConveyancePreference.NONE,
                null);
        PublicKeyCredential<AuthenticatorAttestationResponse, ?> credential = platform.create(w);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put(
                "clientDataJSON", B64U.encodeToString(credential.getResponse().getClientDataJSON()));
        response.put(
                "attestationObject",
                B64U.encodeToString(credential.getResponse().getAttestationObject()));
        response.put("transports", List.of("internal", "hybrid"));
        return credentialJson(credential.getRawId(), response);
    }

    // ---- authentication ----------------------------------------------------------------------------

    /** {@code navigator.credentials.get()} with the server's options JSON; the credential's JSON. */
    Map<String, Object> get(Map<String, Object> options) {
        return get(options, UserVerificationRequirement.REQUIRED);
    }

    /** As {@link #get(Map)}, with the authenticator asked for another user verification than the options say. */
    @SuppressWarnings("unchecked")
    Map<String, Object> get(Map<String, Object> options, UserVerificationRequirement uv) {
        PublicKeyCredentialRequestOptions w = new PublicKeyCredentialRequestOptions(
                new DefaultChallenge(B64D.decode((String) options.get("challenge"))),
                ((Number) options.get("timeout")).longValue(),
                (String) options.get("rpId"),
                descriptors((List<Map<String, Object>>) options.get("allowCredentials")),
                uv,
                null);
        PublicKeyCredential<AuthenticatorAssertionResponse, ?> credential = platform.get(w);
        Map<String, Object> response = new LinkedHashMap<>();
        AuthenticatorAssertionResponse r = credential.getResponse();
        response.put("clientDataJSON", B64U.encodeToString(r.getClientDataJSON()));
        response.put("authenticatorData", B64U.encodeToString(r.getAuthenticatorData()));
        response.put("signature", B64U.encodeToString(r.getSignature()));
        response.put("userHandle", r.getUserHandle() == null ? null : B64U.encodeToString(r.getUserHandle()));
        return credentialJson(credential.getRawId(), response);
    }

    // ---- editing answers -------------------------------------------------------------------------

    /** A copy of {@code credential} with one member of its response replaced. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withResponse(Map<String, Object> credential, String member, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(credential);
        Map<String, Object> response = new LinkedHashMap<>((Map<String, Object>) credential.get("response"));
        response.put(member, value);
        copy.put("response", response);
        return copy;
    }

    @SuppressWarnings("unchecked")
    static byte[] responseBytes(Map<String, Object> credential, String member) {
        return B64D.decode((String) ((Map<String, Object>) credential.get("response")).get(member));
    }

    /** The client data a browser at {@code origin} would send for {@code type} and {@code challenge}. */
    static String clientData(ClientDataType type, String challenge, String origin) {
        return B64U.encodeToString(CONVERTER
                .getJsonMapper()
                .writeValueAsBytes(new CollectedClientData(
                        type, new DefaultChallenge(B64D.decode(challenge)), new Origin(origin), null)));
    }

    /**
     * A registration answer's attestation object re-made with other authenticator data flags and
     * RP ID hash, as format {@code none} (which signs nothing, so nothing else gives it away).
     */
    static String reattest(Map<String, Object> credential, int setFlags, int clearFlags, byte[] rpIdHash) {
        AttestationObject original = ATTESTATION.convert(responseBytes(credential, "attestationObject"));
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> data = original.getAuthenticatorData();
        byte flags = (byte) ((data.getFlags() | setFlags) & ~clearFlags);
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> edited = new AuthenticatorData<>(
                rpIdHash == null ? data.getRpIdHash() : rpIdHash,
                flags,
                data.getSignCount(),
                data.getAttestedCredentialData(),
                data.getExtensions());
        return B64U.encodeToString(
                ATTESTATION.convertToBytes(new AttestationObject(edited, new NoneAttestationStatement())));
    }

    static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    private static Map<String, Object> credentialJson(byte[] rawId, Map<String, Object> response) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", B64U.encodeToString(rawId));
        m.put("rawId", B64U.encodeToString(rawId));
        m.put("type", "public-key");
        m.put("authenticatorAttachment", "platform");
        m.put("response", response);
        m.put("clientExtensionResults", Map.of());
        return m;
    }

    private static List<PublicKeyCredentialDescriptor> descriptors(List<Map<String, Object>> list) {
        return list == null
                ? List.of()
                : list.stream()
                        .map(d -> new PublicKeyCredentialDescriptor(
                                PublicKeyCredentialType.PUBLIC_KEY, B64D.decode((String) d.get("id")), null))
                        .toList();
    }
}

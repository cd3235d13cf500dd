package dev.signet.server.api;

import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.signing.SigningService;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/sign}: signs a batch of digests with a server-held key. The token needs the
 * scope {@code sign:KEYNAME}, and it or its owner must be granted on the key; both are checked by
 * {@link SigningService}, which checks the whole batch before it signs anything and records one
 * {@code sign.signature} audit event per item.
 *
 * <p>Request: {@code {"key", "format": "cms"|"raw", "digestAlgorithm", "timestamp": true,
 * "items": [{"name", "digest"}]}} (1 to 1,000 items; the digest in hex). Answer: {@code {"key",
 * "digestAlgorithm", "signatureAlgorithm", "timestamped", "chain": [PEM, ...], "items": [{"name",
 * "signature", "timestamp"}]}}, signatures and timestamp tokens in base64 DER.
 */
@RestController
class SignApi {
    record ItemBody(String name, String digest) {}

    record SignBody(String key, String format, String digestAlgorithm, Boolean timestamp, List<ItemBody> items) {}

    record SignedView(String name, String signature, String timestamp) {}

    record SignView(
            String key,
            String format,
            String digestAlgorithm,
            String signatureAlgorithm,
            boolean timestamped,
            List<String> chain,
            List<SignedView> items) {}

    private final SigningService signing;

    SignApi(SigningService signing) {
        this.signing = signing;
    }

    @PostMapping(path = "/api/v1/sign", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<SignView> sign(
            @JsonBody(maxBytes = SigningService.MAX_REQUEST_BYTES) SignBody body,
            @AuthenticationPrincipal SignetPrincipal me,
            HttpServletRequest request) {
        if (body.key() == null) {
            throw RequestRefused.invalid("field 'key' is required: the name of the signing key");
        }
        List<SigningService.Item> items = null;
        if (body.items() != null) {
            items = new ArrayList<>(body.items().size());
            for (ItemBody item : body.items()) {
                items.add(item == null ? null : new SigningService.Item(item.name(), item.digest()));
            }
        }
        SigningService.Result result = signing.sign(
                KeysApi.caller(me),
                new SigningService.Request(
                        body.key(),
                        body.format(),
                        body.digestAlgorithm(),
                        body.timestamp() == null || body.timestamp(),
                        items),
                ClientInfo.of(request));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(view(result));
    }

    static SignView view(SigningService.Result result) {
        Base64.Encoder b64 = Base64.getEncoder();
        List<SignedView> items = result.items().stream()
                .map(s -> new SignedView(
                        s.name(),
                        b64.encodeToString(s.signature()),
                        s.timestamp().map(b64::encodeToString).orElse(null)))
                .toList();
        return new SignView(
                result.key().name(),
                result.format().id(),
                result.digestAlgorithm().id(),
                result.signatureAlgorithm(),
                result.timestamped(),
                KeysApi.chain(result.key()),
                items);
    }
}

package dev.signet.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.signet.core.pki.Pem;
import dev.signet.server.ca.CaInputs;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.signing.Grant;
import dev.signet.server.signing.SigningCaller;
import dev.signet.server.signing.SigningKey;
import dev.signet.server.signing.SigningKeyService;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * {@code /api/v1/keys}: signing keys and who may use them. Listing and reading a key need {@code
 * keys:admin} (every key) or {@code sign:NAME} (that key); creating, granting and exporting need
 * {@code keys:admin} (see {@code web.SecurityConfig}). The rules are {@link SigningKeyService}'s; the
 * token's owner is the actor in the audit trail. Times are ISO-8601, certificates PEM.
 */
@RestController
@RequestMapping(path = "/api/v1/keys", produces = MediaType.APPLICATION_JSON_VALUE)
class KeysApi {
    /** A new key, made on the server: its private key is never returned. */
    record CreateKey(
            String name,
            String algorithm,
            String ca,
            String subject,
            Boolean exportable,
            Boolean stepUp,
            Integer validityDays) {}

    record GrantTo(String to) {}

    record Export(String password) {
        @Override
        public String toString() {
            return "Export[password redacted]";
        }
    }

    record CertificateInfo(String serial, String subject, String notBefore, String notAfter, String status) {}

    record KeyView(
            String name,
            String algorithm,
            String digestAlgorithm,
            String signatureAlgorithm,
            String scope,
            String ca,
            CertificateInfo certificate,
            boolean exportable,
            boolean stepUp,
            String createdAt,
            String createdBy) {
        static KeyView of(SigningKey k) {
            return new KeyView(
                    k.name(),
                    k.algorithm().id(),
                    k.digestAlgorithm().id(),
                    k.signatureAlgorithm(),
                    k.scope(),
                    k.ca(),
                    new CertificateInfo(
                            k.serial(),
                            k.subject(),
                            Views.iso(k.notBefore()),
                            Views.iso(k.notAfter()),
                            Views.lower(k.status())),
                    k.exportable(),
                    k.stepUp(),
                    Views.iso(k.createdAt()),
                    k.createdBy());
        }
    }

    /** One key with its chain, certificate first, one PEM string per certificate. */
    record KeyDetail(@JsonUnwrapped KeyView key, List<String> chain) {
        static KeyDetail of(SigningKey k) {
            return new KeyDetail(KeyView.of(k), KeysApi.chain(k));
        }
    }

    record KeyList(List<KeyView> keys) {}

    record GrantView(String to, String kind, String label, String createdAt, String createdBy) {
        static GrantView of(Grant g) {
            return new GrantView(
                    g.to(),
                    g.kind().prefix(),
                    g.label(),
                    g.createdAt() == null ? null : Views.iso(g.createdAt()),
                    g.createdBy());
        }
    }

    record GrantList(List<GrantView> grants) {}

    record Exported(String pkcs12Base64) {
        @Override
        public String toString() {
            return "Exported[redacted]";
        }
    }

    private final SigningKeyService keys;

    KeysApi(SigningKeyService keys) {
        this.keys = keys;
    }

    @GetMapping
    KeyList list(@AuthenticationPrincipal SignetPrincipal me) {
        return new KeyList(keys.visibleTo(caller(me)).stream().map(KeyView::of).toList());
    }

    @GetMapping("/{name}")
    KeyDetail show(@PathVariable("name") String name, @AuthenticationPrincipal SignetPrincipal me) {
        return KeyDetail.of(keys.getFor(caller(me), name));
    }

    @PostMapping
    ResponseEntity<KeyDetail> create(@JsonBody CreateKey body, @AuthenticationPrincipal SignetPrincipal me) {
        if (body.algorithm() == null) {
            throw RequestRefused.invalid(
                    "field 'algorithm' is required: ec-p256, ec-p384, ed25519, rsa-3072 or rsa-4096");
        }
        if (body.ca() == null) {
            throw RequestRefused.invalid("field 'ca' is required: the CA that certifies the key");
        }
        SigningKey key = keys.create(
                new SigningKeyService.NewKey(
                        body.name(),
                        SigningKeyService.algorithm(body.algorithm()),
                        body.ca(),
                        Optional.ofNullable(body.subject()).map(CaInputs::subject),
                        CaInputs.days(body.validityDays()),
                        Boolean.TRUE.equals(body.exportable()),
                        Boolean.TRUE.equals(body.stepUp())),
                me.username());
        return ResponseEntity.created(URI.create("/api/v1/keys/" + key.name())).body(KeyDetail.of(key));
    }

    @GetMapping("/{name}/grants")
    GrantList grants(@PathVariable("name") String name) {
        return new GrantList(keys.grants(name).stream().map(GrantView::of).toList());
    }

    @PostMapping("/{name}/grants")
    ResponseEntity<GrantView> grant(
            @PathVariable("name") String name, @JsonBody GrantTo body, @AuthenticationPrincipal SignetPrincipal me) {
        if (body.to() == null) {
            throw RequestRefused.invalid("field 'to' is required: user:USERNAME, token:TOKEN_ID or client:CLIENT_ID");
        }
        Grant grant = keys.grant(name, body.to(), me.username());
        return ResponseEntity.created(
                        URI.create("/api/v1/keys/" + keys.get(name).name() + "/grants/"
                                + UriUtils.encodePathSegment(grant.to(), java.nio.charset.StandardCharsets.UTF_8)))
                .body(GrantView.of(grant));
    }

    @DeleteMapping("/{name}/grants/{to}")
    ResponseEntity<Void> removeGrant(
            @PathVariable("name") String name,
            @PathVariable("to") String to,
            @AuthenticationPrincipal SignetPrincipal me) {
        keys.removeGrant(name, to, me.username());
        return ResponseEntity.noContent().build();
    }

    /** An exportable key as PKCS#12 under {@code password} (at least 15 characters); audited. */
    @PostMapping("/{name}/export")
    ResponseEntity<Exported> export(
            @PathVariable("name") String name, @JsonBody Export body, @AuthenticationPrincipal SignetPrincipal me) {
        char[] password =
                body.password() == null ? new char[0] : body.password().toCharArray();
        byte[] pkcs12 = keys.export(name, password, me.username());
        return ResponseEntity.status(HttpStatus.OK)
                .cacheControl(CacheControl.noStore())
                .body(new Exported(Base64.getEncoder().encodeToString(pkcs12)));
    }

    static SigningCaller caller(SignetPrincipal me) {
        return new SigningCaller.Token(me.userId(), me.username(), me.tokenId(), Set.copyOf(CallerScopes.current()));
    }

    static List<String> chain(SigningKey k) {
        return k.chain().stream().map(Pem::certificate).toList();
    }
}

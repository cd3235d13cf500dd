package dev.signet.server.web;

import dev.signet.server.config.SignetSettings;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.signing.SigningCaller;
import dev.signet.server.signing.SigningException;
import dev.signet.server.signing.SigningKey;
import dev.signet.server.signing.SigningKeyService;
import dev.signet.server.signing.SigningService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The "Sign files" page ({@code /sign}): a signed-in user drops files, picks a key they are granted
 * on, and gets the detached CMS signatures back — one {@code .p7s}, or a zip of them for several
 * files. The files are hashed in the browser ({@code static/js/sign.js}, Web Crypto), so only their
 * digests reach the server, with the session's CSRF token.
 *
 * <p>The policy is {@link SigningService}'s with the user as a console caller: a grant on the key,
 * and for a key with step-up a second factor (not the password) used within the step-up window
 * ({@code SIGNET_STEP_UP_MINUTES}); the step-up page ({@code /account/step-up}) gives one and comes
 * back here. Refusals are problem+json with their code, shown by the script.
 */
@Controller
class SignController {
    static final String P7S = "application/pkcs7-signature";
    static final String ZIP = "application/zip";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    record ItemBody(String name, String digest) {}

    record SignBody(String key, Boolean timestamp, List<ItemBody> items) {}

    /** A key as the page offers it. */
    public record KeyChoice(String name, String digestAlgorithm, String algorithm, boolean stepUp) {}

    private final SigningKeyService keys;
    private final SigningService signing;
    private final FactorPolicy factors;
    private final Clock clock;
    private final Duration stepUpWindow;

    SignController(
            SigningKeyService keys,
            SigningService signing,
            FactorPolicy factors,
            Clock clock,
            SignetSettings settings) {
        this.keys = keys;
        this.signing = signing;
        this.factors = factors;
        this.clock = clock;
        this.stepUpWindow = settings.mfa().stepUp();
    }

    @GetMapping("/sign")
    String page(@AuthenticationPrincipal SignetPrincipal me, Model model) {
        SigningCaller.Session caller = caller(me);
        List<KeyChoice> choices = keys.usableBy(caller).stream()
                .filter(k -> k.status() == SigningKey.Status.VALID)
                .map(k -> new KeyChoice(
                        k.name(), k.digestAlgorithm().id(), k.algorithm().id(), k.stepUp()))
                .toList();
        model.addAttribute("keys", choices);
        model.addAttribute("anyStepUp", choices.stream().anyMatch(KeyChoice::stepUp));
        model.addAttribute("fresh", caller.secondFactorFresh());
        model.addAttribute("hasSecondFactor", factors.enrolled(me.userId()).any());
        model.addAttribute("maxBatch", SigningService.MAX_BATCH);
        return "sign";
    }

    /**
     * Signs the digests the page posts ({@code {"key", "timestamp", "items": [{"name", "digest"}]}})
     * and answers the signature file: {@code NAME.p7s} for one item, a zip of them for several.
     */
    @PostMapping("/sign")
    void sign(@AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        SignBody body = read(request);
        List<SigningService.Item> items = null;
        if (body.items() != null) {
            items = new ArrayList<>(body.items().size());
            for (ItemBody item : body.items()) {
                items.add(item == null ? null : new SigningService.Item(item.name(), item.digest()));
            }
        }
        SigningService.Result result = signing.sign(
                caller(me),
                new SigningService.Request(
                        body.key(), "cms", null, body.timestamp() == null || body.timestamp(), items),
                ClientInfo.of(request));
        byte[] answer;
        String filename;
        String type;
        if (result.items().size() == 1) {
            SigningService.Signed only = result.items().getFirst();
            answer = only.signature();
            filename = fileName(only.name()) + ".p7s";
            type = P7S;
        } else {
            answer = zip(result.items(), clock.instant());
            filename = "signatures-" + result.key().name() + "-" + STAMP.format(clock.instant()) + ".zip";
            type = ZIP;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(type);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader(
                HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment()
                        .filename(filename, StandardCharsets.UTF_8)
                        .build()
                        .toString());
        response.setHeader("X-Signet-Signed", Integer.toString(result.items().size()));
        response.setHeader("X-Signet-Timestamped", Boolean.toString(result.timestamped()));
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
        response.flushBuffer();
    }

    /** A zip with one {@code NAME.p7s} per item, names made unique ({@code a.txt (2).p7s}). */
    static byte[] zip(List<SigningService.Signed> items, Instant at) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Set<String> used = new HashSet<>();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            for (SigningService.Signed item : items) {
                String base = fileName(item.name());
                String entry = base + ".p7s";
                for (int n = 2; !used.add(entry.toLowerCase(java.util.Locale.ROOT)); n++) {
                    entry = base + " (" + n + ").p7s";
                }
                ZipEntry e = new ZipEntry(entry);
                e.setTime(at.toEpochMilli());
                zip.putNextEntry(e);
                zip.write(item.signature());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * A file name safe to write anywhere: the last path segment, control characters and separators
     * replaced, never empty, {@code .} or {@code ..}.
     */
    static String fileName(String name) {
        String last = name.replace('\\', '/');
        last = last.substring(last.lastIndexOf('/') + 1);
        StringBuilder b = new StringBuilder();
        last.codePoints().limit(200).forEach(c -> b.appendCodePoint(Character.isISOControl(c) || c == ':' ? '_' : c));
        String clean = b.toString().strip();
        return clean.isEmpty() || clean.equals(".") || clean.equals("..") ? "file" : clean;
    }

    private SigningCaller.Session caller(SignetPrincipal me) {
        Instant since = clock.instant().minus(stepUpWindow);
        boolean fresh = SignInFlow.current()
                .filter(a -> a.stage() == SignetAuthentication.Stage.COMPLETE)
                .map(a -> a.factors().stream().anyMatch(f -> f.factor() != Factor.PWD && !f.at().isBefore(since)))
                .orElse(false);
        return new SigningCaller.Session(me.userId(), me.username(), fresh);
    }

    private static SignBody read(HttpServletRequest request) throws IOException {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new SigningException(
                    "request.unsupported_media_type", "this request needs a body of type application/json");
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(SigningService.MAX_REQUEST_BYTES + 1);
        }
        if (body.length > SigningService.MAX_REQUEST_BYTES) {
            throw new SigningException("request.too_large", "the request body is too large");
        }
        try {
            SignBody parsed = JSON.readValue(body, SignBody.class);
            if (parsed == null) {
                throw new SigningException("request.invalid", "the body must be a JSON object");
            }
            return parsed;
        } catch (JacksonException e) {
            throw new SigningException(
                    "request.malformed", "the body is not the JSON this page sends: {key, timestamp, items}");
        }
    }
}

package dev.signet.server.api;

import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Resolves {@link JsonBody} parameters: checks the content type (415 {@code
 * request.unsupported_media_type}), reads at most {@link JsonBody#maxBytes()} bytes whatever the
 * declared length (413 {@code request.too_large}, which also covers chunked bodies), and reads them
 * with {@link StrictJson}.
 */
final class JsonBodyResolver implements HandlerMethodArgumentResolver {
    static final String UNSUPPORTED_MEDIA_TYPE = "request.unsupported_media_type";

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.hasParameterAnnotation(JsonBody.class);
    }

    @Override
    public Object resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer container,
            NativeWebRequest webRequest,
            WebDataBinderFactory binderFactory)
            throws Exception {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        if (request == null) {
            throw new IllegalStateException("@JsonBody needs a servlet request");
        }
        requireJson(request.getContentType());
        JsonBody annotation = parameter.getParameterAnnotation(JsonBody.class);
        int max = annotation == null ? StrictJson.MAX_BODY : annotation.maxBytes();
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(max + 1);
        }
        if (body.length > max) {
            throw new RequestRefused(
                    HttpStatus.CONTENT_TOO_LARGE, RequestRefused.TOO_LARGE, "the request body is too large");
        }
        return StrictJson.read(body, parameter.getParameterType());
    }

    private static void requireJson(String contentType) {
        MediaType type;
        try {
            type = contentType == null ? null : MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            type = null;
        }
        boolean json = type != null
                && (MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)
                        || ("application".equals(type.getType())
                                && type.getSubtype().endsWith("+json")));
        if (!json) {
            throw new RequestRefused(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    UNSUPPORTED_MEDIA_TYPE,
                    "this request needs a body of type application/json");
        }
    }
}

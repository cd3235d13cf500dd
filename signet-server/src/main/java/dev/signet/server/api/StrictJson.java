package dev.signet.server.api;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.cfg.MutableCoercionConfig;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The API's JSON reader, stricter than the application-wide one on purpose: a typo in a field name
 * or a number where a string belongs is refused with a message naming the field, instead of being
 * ignored or coerced. Refusals are {@link RequestRefused}: {@code request.malformed} when the body is
 * not JSON at all, {@code request.invalid} when it is JSON of the wrong shape. Messages never echo
 * a submitted value, only field names (cut short).
 */
final class StrictJson {
    /** The most a JSON body may have; {@code web.InputLimitFilter} refuses larger declared lengths earlier. */
    static final int MAX_BODY = 64 * 1024;

    private static final List<CoercionInputShape> SCALARS = List.of(
            CoercionInputShape.Integer,
            CoercionInputShape.Float,
            CoercionInputShape.Boolean,
            CoercionInputShape.String,
            CoercionInputShape.EmptyString);

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
            .disable(DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT)
            .disable(DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .withCoercionConfig(
                    LogicalType.Textual, c -> refuse(c, CoercionInputShape.String, CoercionInputShape.EmptyString))
            .withCoercionConfig(LogicalType.Integer, c -> refuse(c, CoercionInputShape.Integer))
            .withCoercionConfig(LogicalType.Float, c -> refuse(c, CoercionInputShape.Float))
            .withCoercionConfig(LogicalType.Boolean, c -> refuse(c, CoercionInputShape.Boolean))
            .withCoercionConfig(LogicalType.Enum, c -> refuse(c, CoercionInputShape.String))
            .build();

    private StrictJson() {}

    /** Every scalar shape other than the target's own is a refusal, not a conversion. */
    private static void refuse(MutableCoercionConfig config, CoercionInputShape... own) {
        for (CoercionInputShape shape : SCALARS) {
            if (!Arrays.asList(own).contains(shape)) {
                config.setCoercion(shape, CoercionAction.Fail);
            }
        }
    }

    /**
     * Reads one JSON object as {@code type}.
     *
     * @throws RequestRefused {@code request.malformed} or {@code request.invalid}
     */
    static <T> T read(byte[] body, Class<T> type) {
        if (isBlank(body)) {
            throw RequestRefused.malformed("this request needs a JSON object as its body");
        }
        T value;
        try {
            value = MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw translate(e);
        }
        if (value == null) {
            throw RequestRefused.invalid("the body must be a JSON object, not null");
        }
        return value;
    }

    /** The refusal for a failed read, naming the field but never quoting the input. */
    static RequestRefused translate(JacksonException e) {
        String field = path(e);
        return switch (e) {
            case UnrecognizedPropertyException u ->
                RequestRefused.invalid(
                        "unknown field '" + field + "'; this request accepts: " + known(u.getKnownPropertyIds()));
            case InvalidFormatException f
            when f.getTargetType() != null && f.getTargetType().isEnum() ->
                RequestRefused.invalid("field '" + field + "' must be " + expected(f.getTargetType()));
            case MismatchedInputException m
            when field.isEmpty() -> RequestRefused.invalid("the body must be " + expected(m.getTargetType()));
            case MismatchedInputException m ->
                RequestRefused.invalid("field '" + field + "' must be " + expected(m.getTargetType()));
            case InputCoercionException c
            when !field.isEmpty() -> RequestRefused.invalid("field '" + field + "' is out of range");
            case StreamReadException r -> RequestRefused.malformed("the body is not well-formed JSON" + where(r));
            case StreamConstraintsException c ->
                RequestRefused.malformed("the body exceeds the JSON nesting or size limits");
            default ->
                field.isEmpty()
                        ? RequestRefused.invalid("the body does not fit this request")
                        : RequestRefused.invalid("field '" + field + "' is not valid");
        };
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static String where(StreamReadException e) {
        TokenStreamLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 1) {
            return "";
        }
        return " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** A JSON path like {@code scopes[2]} or {@code user.email}, built from names the client sent, cut short. */
    private static String path(JacksonException e) {
        StringBuilder b = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return printable(b.toString());
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(60).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return s.codePointCount(0, s.length()) > 60 ? b + "…" : b.toString();
    }

    private static String known(Collection<Object> ids) {
        return ids == null || ids.isEmpty()
                ? "no fields"
                : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> '"' + ((Enum<?>) c).name().toLowerCase(Locale.ROOT) + '"')
                            .collect(Collectors.joining(", "));
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a JSON object";
        }
        return "of another type";
    }
}

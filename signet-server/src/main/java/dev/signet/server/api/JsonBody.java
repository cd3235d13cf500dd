package dev.signet.server.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller parameter read from the request's JSON body by {@link StrictJson}, not by
 * Spring's lenient, application-wide reader: the body must be {@code application/json}, at most
 * {@link StrictJson#MAX_BODY} bytes, one JSON object with only known fields of the right types.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@interface JsonBody {
    /** The most bytes this body may have; {@link StrictJson#MAX_BODY} unless an endpoint needs more. */
    int maxBytes() default StrictJson.MAX_BODY;
}

package dev.signet.server.session;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.DefaultCookieSerializer;

/**
 * Browser sessions through Spring Session, stored by {@link DbSessionRepository}. The cookie is
 * {@code SIGNET_SESSION}: HttpOnly, SameSite=Lax, path {@code /}, and Secure whenever the request
 * arrived over TLS (with {@code SIGNET_TRUST_PROXY}, also when a proxy in front says so with {@code
 * X-Forwarded-Proto}). It has no Max-Age: it ends with the browser or the server-side timeouts.
 */
@Configuration(proxyBeanMethods = false)
@EnableSpringHttpSession
class SessionConfig {
    static final String COOKIE = "SIGNET_SESSION";

    @Bean
    CookieSerializer cookieSerializer() {
        DefaultCookieSerializer cookie = new DefaultCookieSerializer();
        cookie.setCookieName(COOKIE);
        cookie.setCookiePath("/");
        cookie.setUseHttpOnlyCookie(true);
        cookie.setSameSite("Lax");
        cookie.setUseBase64Encoding(false);
        return cookie;
    }
}

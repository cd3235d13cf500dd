package dev.signet.server.ca;

import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the certificate authority: the service, its schedule, and what OCSP over GET needs. */
@Configuration(proxyBeanMethods = false)
class CaConfig {
    @Bean
    PublicBase caPublicBase(SignetSettings settings) {
        return new PublicBase(settings);
    }

    @Bean
    CaService caService(Store store, KeyRing keyRing, AuditLog audit, Clock clock, PublicBase base) {
        return new CaService(store, keyRing, audit, clock, base, CaService.Settings.defaults());
    }

    @Bean(destroyMethod = "close")
    CaMaintenance caMaintenance(CaService service) {
        return new CaMaintenance(service, Duration.ofMinutes(1), Duration.ofMinutes(15));
    }

    /** Once the server listens, the publication base is known and the schedule may start. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> caListening(PublicBase base, CaMaintenance maintenance) {
        return event -> {
            base.listening(event.getWebServer().getPort());
            maintenance.start();
        };
    }

    /**
     * RFC 6960 A.1 puts a URL-encoded base64 request in the path of an OCSP GET, so "/" arrives as
     * "%2F". Tomcat refuses that by default; pass it through undecoded instead. Elsewhere nothing
     * changes: Spring Security's firewall still refuses an encoded slash, and only {@link OcspGetFilter},
     * ahead of it, accepts one, in an OCSP GET.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> ocspEncodedSlash() {
        return factory -> factory.addConnectorCustomizers(
                connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue()));
    }

    @Bean
    FilterRegistrationBean<OcspGetFilter> ocspGetFilter(CaService service) {
        FilterRegistrationBean<OcspGetFilter> registration = new FilterRegistrationBean<>(new OcspGetFilter(service));
        registration.addUrlPatterns("/ca/*");
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }
}

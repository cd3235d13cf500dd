package dev.signet.server.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Protocol part of the operator documentation names every acr value, endpoint, grant and
 * setting of the provider, as the code has them.
 */
class ProtocolDocsTest {
    @Test
    void docsWhenReadThenTheProtocolIsDescribedAsBuilt() throws Exception {
        String text =
                Files.readString(Path.of(System.getProperty("basedir", ".")).resolve("../docs/oidc.md"));
        String protocol = text.substring(text.indexOf("## Protocol"));
        assertThat(Arrays.stream(Assurance.values()).map(Assurance::uri))
                .allSatisfy(uri -> assertThat(protocol).contains("`" + uri + "`"));
        assertThat(OidcConfig.GRANT_TYPES).allSatisfy(g -> assertThat(protocol).contains("`" + g + "`"));
        assertThat(OidcConfig.CLIENT_AUTH_METHODS)
                .allSatisfy(m -> assertThat(protocol).contains("`" + m + "`"));
        assertThat(List.of(
                        "/.well-known/openid-configuration",
                        "/oauth2/jwks",
                        "/oauth2/authorize",
                        "/oauth2/token",
                        "/oauth2/revoke",
                        "/oauth2/introspect",
                        "/oauth2/device_authorization",
                        "/userinfo",
                        "/connect/logout",
                        "/api/v1/oidc/keys/rotate",
                        "SIGNET_OIDC_KEY_ROTATION_DAYS",
                        "SIGNET_PUBLIC_URL"))
                .allSatisfy(s -> assertThat(protocol).contains(s));
    }
}

package dev.signet.server.oidc;

import dev.signet.server.token.Scopes;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Signet's own command-line tool as an OAuth client: {@code signet login --device} signs a person in
 * with the device authorization grant (RFC 8628) under the client id {@value #ID}. It is public (it
 * runs on people's machines and keeps no secret), has the device grant only, and may ask for every
 * API scope; what it gets is an ordinary API token limited to the scopes the person's role allows
 * (see {@code CliTokens}). It is registered when the server starts, unless a client with that id
 * exists; an administrator may change or disable it like any other client.
 */
public final class CliClient {
    /** The client id the CLI sends. */
    public static final String ID = "signet-cli";
    /** Its name on the consent and account pages. */
    public static final String NAME = "Signet CLI";

    private CliClient() {}

    /** What the built-in client is when Signet registers it. */
    static ClientService.NewClient definition() {
        Set<String> scopes = new LinkedHashSet<>();
        Scopes.all().forEach(s -> scopes.add(s.name()));
        return new ClientService.NewClient(
                NAME,
                ClientType.PUBLIC,
                ClientAuth.NONE,
                null,
                null,
                null,
                Set.of(OidcClient.DEVICE_CODE),
                scopes,
                null,
                null,
                null,
                false,
                false,
                null);
    }
}

package dev.signet.server.signin;

import dev.signet.server.account.User;
import java.io.Serializable;
import org.springframework.security.core.AuthenticatedPrincipal;

/** Who is signed in (a session) or calling (an API token): the account's id, name and role. */
public record SignetPrincipal(String userId, String username, User.Role role, String tokenId)
        implements AuthenticatedPrincipal, Serializable {

    public static SignetPrincipal of(User user) {
        return new SignetPrincipal(user.id(), user.username(), user.role(), null);
    }

    @Override
    public String getName() {
        return username;
    }

    public boolean admin() {
        return role == User.Role.ADMIN;
    }

    @Override
    public String toString() {
        return username;
    }
}

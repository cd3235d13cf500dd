package dev.signet.core.pki;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** JCA providers by name; Bouncy Castle is one private instance, never registered globally. */
public final class Providers {
    /** Signet's Bouncy Castle provider instance, for JCA calls and BC's {@code Jca*Builder.setProvider}. */
    public static final Provider BC = new BouncyCastleProvider();

    private Providers() {}

    static Provider named(String name) {
        if (name.equals(BC.getName())) {
            return BC;
        }
        Provider provider = Security.getProvider(name);
        if (provider == null) {
            throw new IllegalStateException(
                    "JCA provider " + name + " is required by Signet and missing from this JDK");
        }
        return provider;
    }
}

package dev.signet.server.config;

import dev.signet.core.SignetException;

/** A setting has a value Signet cannot use. The message names the setting and what it accepts. */
public final class SettingsException extends SignetException {
    public SettingsException(String setting, String accepted, String given) {
        super("settings.invalid", setting + " = '" + given + "' is not valid: " + accepted);
    }

    public SettingsException(String message) {
        super("settings.invalid", message);
    }
}

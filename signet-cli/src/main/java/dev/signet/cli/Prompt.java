package dev.signet.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/** Reads secrets from the terminal without echo, or one line from standard input when piped. Never from argv. */
final class Prompt {
    private Prompt() {}

    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+: System.console() exists even when redirected; isTerminal() tells.
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Asks twice on a terminal; reads one line from stdin otherwise. */
    static String newSecret(String label) {
        if (interactive()) {
            Console console = System.console();
            char[] first = console.readPassword("%s: ", label);
            char[] second = console.readPassword("Repeat %s: ", label.toLowerCase(java.util.Locale.ROOT));
            if (first == null || second == null || !java.util.Arrays.equals(first, second)) {
                throw new dev.signet.core.SignetException("password.mismatch", "the two entries differ");
            }
            return new String(first);
        }
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new dev.signet.core.SignetException(
                        "password.missing",
                        "expected the " + label.toLowerCase(java.util.Locale.ROOT) + " on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new dev.signet.core.SignetException(
                    "password.missing", "cannot read standard input: " + e.getMessage());
        }
    }

    /**
     * Reads an existing secret (a password that opens a file) once: from the terminal without echo,
     * or the first line of standard input when piped or when {@code fromStdin}.
     */
    static String secret(String label, boolean fromStdin) {
        if (!fromStdin && interactive()) {
            char[] typed = System.console().readPassword("%s: ", label);
            if (typed == null) {
                throw new dev.signet.core.SignetException(
                        "password.missing", "no " + label.toLowerCase(java.util.Locale.ROOT) + " given");
            }
            return new String(typed);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new dev.signet.core.SignetException(
                        "password.missing",
                        "expected the " + label.toLowerCase(java.util.Locale.ROOT) + " on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new dev.signet.core.SignetException(
                    "password.missing", "cannot read standard input: " + e.getMessage());
        }
    }
}

package dev.signet.server.web;

import java.util.Locale;

/**
 * A short, human label for a User-Agent header ("Chrome on Linux", "Safari on iPhone"), for the
 * session and sign-in lists. It is a hint for people recognising their own devices, not an
 * identification: user agents are chosen by the client and may lie.
 */
final class Devices {
    static final String UNKNOWN = "Unknown device";
    private static final int MAX_FALLBACK = 40;

    private Devices() {}

    /** The label for {@code userAgent}; {@value #UNKNOWN} when there is none. */
    static String label(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return UNKNOWN;
        }
        String ua = userAgent.strip();
        String browser = browser(ua);
        String os = os(ua);
        if (browser != null && os != null) {
            return browser + " on " + os;
        }
        if (browser != null) {
            return browser;
        }
        if (os != null) {
            return "Browser on " + os;
        }
        return fallback(ua);
    }

    /** The browser, tested in an order that respects how browsers claim to be each other. */
    private static String browser(String ua) {
        if (ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/")) {
            return "Edge";
        }
        if (ua.contains("OPR/") || ua.contains("Opera")) {
            return "Opera";
        }
        if (ua.contains("SamsungBrowser/")) {
            return "Samsung Internet";
        }
        if (ua.contains("Firefox/") || ua.contains("FxiOS/")) {
            return "Firefox";
        }
        if (ua.contains("HeadlessChrome/")) {
            return "Headless Chrome";
        }
        if (ua.contains("CriOS/")) {
            return "Chrome";
        }
        if (ua.contains("Chromium/")) {
            return "Chromium";
        }
        if (ua.contains("Chrome/")) {
            return "Chrome";
        }
        if (ua.contains("Safari/") && ua.contains("Version/")) {
            return "Safari";
        }
        String lower = ua.toLowerCase(Locale.ROOT);
        if (lower.startsWith("curl/")) {
            return "curl";
        }
        if (lower.startsWith("wget/")) {
            return "Wget";
        }
        if (lower.startsWith("java-http-client/") || lower.startsWith("java/")) {
            return "Java HTTP client";
        }
        if (lower.startsWith("python-requests/") || lower.startsWith("python-urllib/")) {
            return "Python script";
        }
        if (lower.startsWith("signet/") || lower.startsWith("signet-cli/")) {
            return "Signet CLI";
        }
        return null;
    }

    private static String os(String ua) {
        if (ua.contains("iPhone")) {
            return "iPhone";
        }
        if (ua.contains("iPad")) {
            return "iPad";
        }
        if (ua.contains("Android")) {
            return "Android";
        }
        if (ua.contains("CrOS")) {
            return "ChromeOS";
        }
        if (ua.contains("Windows")) {
            return "Windows";
        }
        if (ua.contains("Mac OS X") || ua.contains("Macintosh")) {
            return "macOS";
        }
        if (ua.contains("Linux") || ua.contains("X11")) {
            return "Linux";
        }
        return null;
    }

    /** The first product token ("signet-tests", "Go-http-client"), cut short. */
    private static String fallback(String ua) {
        int cut = ua.length();
        for (int i = 0; i < ua.length(); i++) {
            char c = ua.charAt(i);
            if (c == '/' || c == ' ' || c == '(' || c == ';') {
                cut = i;
                break;
            }
        }
        String product = ua.substring(0, cut).strip();
        if (product.isEmpty() || product.codePoints().anyMatch(Character::isISOControl)) {
            return UNKNOWN;
        }
        if (product.length() <= MAX_FALLBACK) {
            return product;
        }
        int end = Character.isHighSurrogate(product.charAt(MAX_FALLBACK - 1)) ? MAX_FALLBACK - 1 : MAX_FALLBACK;
        return product.substring(0, end) + "…";
    }
}

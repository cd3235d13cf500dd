package dev.signet.server.mail;

import dev.signet.server.config.SignetSettings;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.springframework.mail.MailException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Outgoing mail over SMTP, configured by {@link SignetSettings.Mail}: STARTTLS that must succeed
 * ({@code STARTTLS}), TLS from the first byte ({@code TLS}, SMTPS), or plain SMTP ({@code NONE}, for
 * a relay on the same host and for tests). The server's certificate and host name are checked in
 * both TLS modes; connect, read and write each time out after 10 seconds.
 *
 * <p>Messages are plain UTF-8 text. Their bodies hold one-time links, so they are never logged,
 * here or by callers.
 */
public final class Mailer {
    static final int TIMEOUT_MILLIS = 10_000;

    private final SignetSettings.Mail settings;
    private final JavaMailSenderImpl sender;

    public Mailer(SignetSettings.Mail settings) {
        this.settings = settings;
        this.sender = settings.host().map(host -> sender(settings, host)).orElse(null);
    }

    /** True when an SMTP host is configured; without one nothing is sent and password reset is off. */
    public boolean enabled() {
        return sender != null;
    }

    /**
     * Sends a plain-text message, synchronously.
     *
     * @throws MailException when the server refuses or cannot be reached (the message says why,
     *     never what the body was)
     * @throws IllegalStateException when mail is not configured
     */
    public void send(String to, String subject, String text) {
        if (sender == null) {
            throw new IllegalStateException("mail is not configured (SIGNET_SMTP_HOST)");
        }
        MimeMessage message = sender.createMimeMessage();
        try {
            MimeMessageHelper helper = new MimeMessageHelper(message, false, StandardCharsets.UTF_8.name());
            helper.setFrom(settings.from());
            helper.setTo(to);
            helper.setSubject(subject);
            helper.setText(text, false);
        } catch (MessagingException e) {
            throw new MailPreparationException("cannot build the message: " + e.getMessage(), e);
        }
        sender.send(message);
    }

    static JavaMailSenderImpl sender(SignetSettings.Mail settings, String host) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost(host);
        sender.setPort(settings.port());
        sender.setDefaultEncoding(StandardCharsets.UTF_8.name());
        settings.username().ifPresent(sender::setUsername);
        settings.password().ifPresent(sender::setPassword);
        String protocol = settings.security() == SignetSettings.MailSecurity.TLS ? "smtps" : "smtp";
        sender.setProtocol(protocol);
        Properties p = new Properties();
        p.setProperty("mail.transport.protocol", protocol);
        String prefix = "mail." + protocol + ".";
        p.setProperty(prefix + "connectiontimeout", Integer.toString(TIMEOUT_MILLIS));
        p.setProperty(prefix + "timeout", Integer.toString(TIMEOUT_MILLIS));
        p.setProperty(prefix + "writetimeout", Integer.toString(TIMEOUT_MILLIS));
        p.setProperty(prefix + "auth", Boolean.toString(settings.username().isPresent()));
        switch (settings.security()) {
            case STARTTLS -> {
                p.setProperty(prefix + "starttls.enable", "true");
                p.setProperty(prefix + "starttls.required", "true");
                p.setProperty(prefix + "ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.setProperty(prefix + "ssl.enable", "true");
                p.setProperty(prefix + "ssl.checkserveridentity", "true");
            }
            case NONE -> p.setProperty(prefix + "starttls.enable", "false");
        }
        sender.setJavaMailProperties(p);
        return sender;
    }

    @Override
    public String toString() {
        return "Mailer[" + settings + "]";
    }
}

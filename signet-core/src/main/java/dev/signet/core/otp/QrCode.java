package dev.signet.core.otp;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Renders text, such as an {@link OtpAuthUri#uri() otpauth URI}, as a QR code (ISO/IEC 18004) in a
 * PNG image, with ZXing: error correction level M (about 15% of the symbol recoverable) and a quiet
 * zone of 2 modules, which every authenticator app's scanner reads on a screen.
 *
 * <p>The image is drawn in memory with {@code java.awt.image}, which works headless. The PNG holds
 * the secret of the URI in it: send it with {@code Cache-Control: no-store} and do not log it.
 */
public final class QrCode {
    /** Error correction M: the usual choice for codes shown on a screen. */
    private static final ErrorCorrectionLevel ERROR_CORRECTION = ErrorCorrectionLevel.M;

    /** Quiet zone around the symbol, in modules. */
    public static final int MARGIN = 2;

    /** Smallest image side in pixels. */
    public static final int MIN_SIZE = 64;

    /** Largest image side in pixels. */
    public static final int MAX_SIZE = 2048;

    private QrCode() {}

    /**
     * A square black-on-white PNG of {@code size} pixels encoding {@code text}. ASCII text is encoded
     * in byte mode without an ECI header (what scanners assume); other text as UTF-8 with one.
     *
     * @param size image side in pixels, {@value #MIN_SIZE} to {@value #MAX_SIZE}; the symbol is
     *     scaled by a whole number of pixels per module and centred, so a code too large for the
     *     size comes out larger than asked
     * @throws IllegalArgumentException if {@code text} is empty or too long for a QR code
     */
    public static byte[] png(String text, int size) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("no text to put in a QR code");
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "a QR image is " + MIN_SIZE + " to " + MAX_SIZE + " pixels, not " + size);
        }
        Map<EncodeHintType, Object> hints = new EnumMap<>(EncodeHintType.class);
        hints.put(EncodeHintType.ERROR_CORRECTION, ERROR_CORRECTION);
        hints.put(EncodeHintType.MARGIN, MARGIN);
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
            hints.put(EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name());
        }
        BitMatrix matrix;
        try {
            matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, hints);
        } catch (WriterException e) {
            throw new IllegalArgumentException(
                    "the text does not fit in a QR code (" + text.length() + " characters)", e);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            MatrixToImageWriter.writeToStream(matrix, "PNG", png);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG in memory failed", e);
        }
        return png.toByteArray();
    }
}

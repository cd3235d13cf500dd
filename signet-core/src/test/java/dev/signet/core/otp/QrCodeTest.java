package dev.signet.core.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.Result;
import com.google.zxing.ResultMetadataType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** QR codes read back with ZXing's own decoder, as a phone's scanner would. */
class QrCodeTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static Result decode(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG that ImageIO reads").isNotNull();
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE));
    }

    @Test
    void pngWhenOtpauthUriThenDecodesToSameText() throws Exception {
        String uri = OtpAuthUri.totp(
                        "ACME Co",
                        "john.doe@example.com",
                        OtpParams.totp(OtpAlgorithm.SHA512, 8, 30),
                        OtpSeed.generate(OtpAlgorithm.SHA512))
                .uri();

        byte[] png = QrCode.png(uri, 300);
        Result result = decode(png);

        assertThat(png).startsWith(PNG_SIGNATURE);
        assertThat(result.getText()).isEqualTo(uri);
        assertThat(result.getResultMetadata()).containsEntry(ResultMetadataType.ERROR_CORRECTION_LEVEL, "M");
    }

    @ParameterizedTest
    @ValueSource(ints = {QrCode.MIN_SIZE, 200, 333, 1024})
    void pngWhenSizeGivenThenSquareImageOfThatSize(int size) throws Exception {
        byte[] png = QrCode.png("otpauth://totp/Signet:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", size);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));

        assertThat(image.getWidth()).isEqualTo(size);
        assertThat(image.getHeight()).isEqualTo(size);
    }

    @Test
    void pngWhenNonAsciiTextThenDecodesToSameText() throws Exception {
        String text = "otpauth://totp/Zürich:jörg€?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assertThat(decode(QrCode.png(text, 256)).getText()).isEqualTo(text);
    }

    @Test
    void pngWhenTextTooLongThenIllegalArgument() {
        assertThatThrownBy(() -> QrCode.png("a".repeat(3000), 512))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, QrCode.MIN_SIZE - 1, QrCode.MAX_SIZE + 1})
    void pngWhenSizeOutOfRangeThenIllegalArgument(int size) {
        assertThatThrownBy(() -> QrCode.png("x", size)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pngWhenEmptyTextThenIllegalArgument() {
        assertThatThrownBy(() -> QrCode.png("", 256)).isInstanceOf(IllegalArgumentException.class);
    }
}

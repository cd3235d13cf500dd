package dev.signet.server.passkey;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The operator documentation names every refusal code the passkey service can answer. */
class PasskeyDocsTest {
    @Test
    void docsWhenReadThenEveryCodeIsExplained() throws Exception {
        Path docs = Path.of(System.getProperty("basedir", ".")).resolve("../docs/passkeys.md");
        String text = Files.readString(docs);
        assertThat(PasskeyService.codes())
                .isNotEmpty()
                .allSatisfy(code -> assertThat(text)
                        .as("docs/passkeys.md explains %s", code)
                        .contains("| `" + code + "` |"));
    }
}

package dev.signet.server.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator documentation names every refusal code of the client registry. */
class ClientDocsTest {
    @Test
    void docsWhenReadThenEveryClientCodeIsNamed() throws Exception {
        Path docs = Path.of(System.getProperty("basedir", ".")).resolve("../docs/oidc.md");
        String text = Files.readString(docs);
        List<String> codes = new ArrayList<>();
        for (Field f : ClientException.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                codes.add((String) f.get(null));
            }
        }
        assertThat(codes)
                .hasSizeGreaterThan(10)
                .allSatisfy(code ->
                        assertThat(text).as("docs/oidc.md names %s", code).contains("`" + code + "`"));
    }
}

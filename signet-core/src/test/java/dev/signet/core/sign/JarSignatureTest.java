package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.pki.Credential;
import dev.signet.core.pki.KeyAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Signed JARs checked by {@code jarsigner -verify -strict} and {@link JarFile} verification. */
class JarSignatureTest {
    static final String LONG_NAME = "com/example/" + "a-very-long-directory-name-that-needs-wrapping/".repeat(2)
            + "R\u00e9sum\u00e9 \u65e5\u672c.txt";

    @TempDir
    Path dir;

    /**
     * A JAR like a build makes: a manifest with main attributes and a sealed package, classes,
     * resources, a stored entry, an empty one, names with spaces, Unicode and over 72 bytes, META-INF
     * files that are not signature files.
     */
    static Path sampleJar(Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "com.example.Main");
        manifest.getMainAttributes().putValue("Implementation-Title", "Sample");
        Attributes sealed = new Attributes();
        sealed.put(Attributes.Name.SEALED, "true");
        manifest.getEntries().put("com/example/sealed/", sealed);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            directory(out, "META-INF/");
            directory(out, "com/");
            directory(out, "com/example/");
            file(out, "com/example/Main.class", "class bytes ".repeat(500), ZipEntry.DEFLATED);
            file(out, "com/example/sealed/Secret.class", "sealed", ZipEntry.DEFLATED);
            file(out, "META-INF/services/java.sql.Driver", "com.example.Driver\n", ZipEntry.DEFLATED);
            file(out, "META-INF/LICENSE", "Apache-2.0\n", ZipEntry.DEFLATED);
            file(out, "stored data.bin", "stored, not deflated", ZipEntry.STORED);
            file(out, "empty.txt", "", ZipEntry.DEFLATED);
            file(out, LONG_NAME, "unicode", ZipEntry.DEFLATED);
            file(out, "z/last.txt", "last", ZipEntry.DEFLATED);
        }
        return jar;
    }

    private static void directory(JarOutputStream out, String name) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.closeEntry();
    }

    private static void file(JarOutputStream out, String name, String content, int method) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        JarEntry entry = new JarEntry(name);
        entry.setMethod(method);
        if (method == ZipEntry.STORED) {
            CRC32 crc = new CRC32();
            crc.update(data);
            entry.setSize(data.length);
            entry.setCrc(crc.getValue());
        }
        out.putNextEntry(entry);
        out.write(data);
        out.closeEntry();
    }

    /** A PKCS#12 trust store with the test root as a trusted certificate, for {@code jarsigner -keystore}. */
    static Path trustStore(Path dir) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("signet-root", SignPki.ROOT.certificate());
        Path file = dir.resolve("truststore.p12");
        try (var out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        return file;
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "EC_P384", "ED25519", "RSA_3072"})
    void jarsignerAndJarFileAcceptTheSignedJar(KeyAlgorithm algorithm) throws Exception {
        Credential credential = SignPki.codeSigning(algorithm);
        Path jar = sampleJar(dir);
        Path signed = dir.resolve("signed.jar");

        JarSignature.sign(
                jar,
                signed,
                SignPki.cmsSigner(credential),
                "release",
                SignPki.tsa(Clock.fixed(SignPki.ISSUED.plusSeconds(60), ZoneOffset.UTC)));

        String extension = algorithm == KeyAlgorithm.RSA_3072 ? "RSA" : "EC";
        List<String> names = names(signed);
        assertThat(names.subList(0, 4))
                .containsExactly(
                        "META-INF/", "META-INF/MANIFEST.MF", "META-INF/RELEASE.SF", "META-INF/RELEASE." + extension);
        List<String> original = names(jar);
        assertThat(original.subList(0, 2)).containsExactly("META-INF/MANIFEST.MF", "META-INF/");
        assertThat(names.subList(4, names.size())).containsExactlyElementsOf(original.subList(2, original.size()));

        assertEverySignedEntryVerifies(signed, credential.certificate());
        try (JarFile file = new JarFile(signed.toFile(), true)) {
            Manifest manifest = file.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo("com.example.Main");
            assertThat(manifest.getMainAttributes().getValue("Implementation-Title"))
                    .isEqualTo("Sample");
            assertThat(manifest.getAttributes("com/example/sealed/").getValue("Sealed"))
                    .isEqualTo("true");
            assertThat(manifest.getAttributes(LONG_NAME)).isNotNull();
        }

        String out = Tools.ok(
                dir,
                Tools.jdkTool("jarsigner"),
                "-verify",
                "-strict",
                "-verbose",
                "-keystore",
                trustStore(dir).toString(),
                "-storepass",
                "changeit",
                signed.toString());
        assertThat(out).contains("jar verified.").contains("Timestamped by").doesNotContain("nonexistent");
    }

    @Test
    void signsInPlaceAndReplacesAnEarlierSignature() throws Exception {
        Path jar = sampleJar(dir);
        CmsSigner first = SignPki.cmsSigner(SignPki.codeSigning(KeyAlgorithm.RSA_3072));
        JarSignature.sign(jar, jar, first, "OLD", null);
        assertThat(names(jar)).contains("META-INF/OLD.SF", "META-INF/OLD.RSA");

        Credential credential = SignPki.codeSigning(KeyAlgorithm.EC_P256);
        JarSignature.sign(jar, jar, SignPki.cmsSigner(credential), "new_1", null);

        assertThat(names(jar))
                .doesNotContain("META-INF/OLD.SF", "META-INF/OLD.RSA")
                .contains("META-INF/NEW_1.SF", "META-INF/NEW_1.EC");
        assertEverySignedEntryVerifies(jar, credential.certificate());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void prepareAndWriteSplitAroundARemoteSignature() throws Exception {
        Path jar = sampleJar(dir);
        CmsSigner signer = SignPki.cmsSigner(SignPki.codeSigning(KeyAlgorithm.EC_P384));
        JarSignature.Prepared prepared = JarSignature.prepare(jar, "ci", DigestAlgorithm.SHA384);
        assertThat(prepared.signerName()).isEqualTo("CI");
        String sf = new String(prepared.signatureFile(), StandardCharsets.UTF_8);
        assertThat(sf)
                .startsWith("Signature-Version: 1.0\r\n")
                .contains("SHA-384-Digest-Manifest: ")
                .contains("SHA-384-Digest-Manifest-Main-Attributes: ");
        String manifest = new String(prepared.manifest(), StandardCharsets.UTF_8);
        assertThat(manifest).startsWith("Manifest-Version: 1.0\r\n").contains("Name: empty.txt\r\nSHA-384-Digest: ");
        assertThat(manifest.lines()).allMatch(line -> line.getBytes(StandardCharsets.UTF_8).length <= 72);

        // "Remote": only the .SF digest goes to the signer.
        byte[] block = signer.signDetached(
                DigestAlgorithm.SHA384, prepared.signatureFileDigest(), SignPki.ISSUED.plusSeconds(5), null);
        Path out = dir.resolve("out.jar");
        JarSignature.write(jar, prepared, block, out);
        assertEverySignedEntryVerifies(out, signer.certificate());
    }

    @Test
    void writeRefusesAJarWhoseEntriesChangedSincePrepare() throws Exception {
        Path jar = sampleJar(dir);
        JarSignature.Prepared prepared = JarSignature.prepare(jar, "ci", DigestAlgorithm.SHA256);
        CmsSigner signer = SignPki.cmsSigner(SignPki.codeSigning(KeyAlgorithm.EC_P256));
        byte[] block =
                signer.signDetached(DigestAlgorithm.SHA256, prepared.signatureFileDigest(), SignPki.ISSUED, null);
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("x.txt"), "x");
        Path changed = dir.resolve("changed.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(changed))) {
            file(out, "x.txt", "x", ZipEntry.DEFLATED);
        }
        assertThatThrownBy(() -> JarSignature.write(changed, prepared, block, dir.resolve("out.jar")))
                .isInstanceOfSatisfying(
                        SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.JAR_MALFORMED));
        assertThat(dir.resolve("out.jar")).doesNotExist();
    }

    @Test
    void refusesBadSignerNamesDuplicateOrLineBreakingEntryNamesAndFilesThatAreNotZips() throws Exception {
        Path jar = sampleJar(dir);
        for (String bad : new String[] {"", "toolongname", "a.b", "a/b", "\u00e9"}) {
            assertThatThrownBy(() -> JarSignature.prepare(jar, bad, DigestAlgorithm.SHA256))
                    .isInstanceOfSatisfying(
                            SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.JAR_SIGNER_NAME));
        }
        for (String[] names : new String[][] {{"a.txt", "a.txt"}, {"evil\r\nSHA-256-Digest: AAAA", "b.txt"}}) {
            Path bad = dir.resolve("bad.jar");
            try (var zos = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(bad)) {
                for (String name : names) {
                    zos.putArchiveEntry(new org.apache.commons.compress.archivers.zip.ZipArchiveEntry(name));
                    zos.write(1);
                    zos.closeArchiveEntry();
                }
            }
            assertThatThrownBy(() -> JarSignature.prepare(bad, "ci", DigestAlgorithm.SHA256))
                    .isInstanceOfSatisfying(
                            SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.JAR_MALFORMED));
        }
        Path text = Files.writeString(dir.resolve("not.jar"), "plain text, not a zip");
        assertThatThrownBy(() -> JarSignature.prepare(text, "ci", DigestAlgorithm.SHA256))
                .isInstanceOfSatisfying(
                        SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.JAR_MALFORMED));
    }

    @Test
    void signingRelatedNamesFollowTheJdk() {
        assertThat(JarSignature.isSigningRelated("META-INF/MANIFEST.MF")).isTrue();
        assertThat(JarSignature.isSigningRelated("meta-inf/x.sf")).isTrue();
        assertThat(JarSignature.isSigningRelated("META-INF/X.EC")).isTrue();
        assertThat(JarSignature.isSigningRelated("META-INF/SIG-X.AB1")).isTrue();
        assertThat(JarSignature.isSigningRelated("META-INF/SIG-X.ABCD")).isFalse();
        assertThat(JarSignature.isSigningRelated("META-INF/sub/X.SF")).isFalse();
        assertThat(JarSignature.isSigningRelated("META-INF/LICENSE")).isFalse();
        assertThat(JarSignature.isSigningRelated("X.SF")).isFalse();
    }

    /** Every entry is read in full, and every file entry outside the signature files has our signer. */
    static void assertEverySignedEntryVerifies(Path jar, X509Certificate signer) throws IOException {
        int files = 0;
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            for (JarEntry entry : Collections.list(file.entries())) {
                try (InputStream in = file.getInputStream(entry)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                if (entry.isDirectory() || JarSignature.isSigningRelated(entry.getName())) {
                    continue;
                }
                CodeSigner[] signers = entry.getCodeSigners();
                assertThat(signers).as(entry.getName()).hasSize(1);
                assertThat(signers[0].getSignerCertPath().getCertificates().get(0))
                        .isEqualTo(signer);
                files++;
            }
        }
        assertThat(files).isGreaterThan(0);
    }

    static List<String> names(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().forEach(e -> names.add(e.getName()));
        }
        return names;
    }
}

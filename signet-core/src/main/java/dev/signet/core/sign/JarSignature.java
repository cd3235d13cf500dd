package dev.signet.core.sign;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;

/**
 * Signs JAR files as the <a href="https://docs.oracle.com/en/java/javase/25/docs/specs/jar/jar.html#signed-jar-file">JAR
 * File Specification, "Signed JAR File"</a> describes, so that {@code jarsigner -verify} and {@link
 * java.util.jar.JarFile} verification accept them. In three steps, so that the key may be elsewhere:
 *
 * <ol>
 *   <li>{@link #prepare}: one streaming pass over the JAR digests every entry that is not a directory
 *       or signature-related (the manifest, {@code META-INF/*.SF|.RSA|.DSA|.EC|SIG-*}), and builds
 *       {@code META-INF/MANIFEST.MF} — the existing manifest's main attributes and per-entry attributes
 *       are kept, earlier {@code *-Digest} attributes replaced by one {@code <ALG>-Digest} per entry —
 *       and the signature file {@code SIGNER.SF}: {@code <ALG>-Digest-Manifest}, {@code
 *       <ALG>-Digest-Manifest-Main-Attributes} and one digest per manifest section.
 *   <li>The signature block is a detached CMS SignedData over the {@code .SF} bytes ({@link
 *       CmsSigner#signDetached} over {@link Prepared#signatureFileDigest()}), made where the key is.
 *   <li>{@link #write}: the signed JAR is {@code META-INF/} (if the JAR had it), the manifest, the
 *       {@code .SF}, the block {@code SIGNER.EC} or {@code SIGNER.RSA} (by the signer certificate's key:
 *       EC and EdDSA → EC, RSA → RSA, anything else → DSA, as the JDK does), then every other entry in
 *       the original order, its compressed bytes copied unchanged. Earlier signatures are dropped:
 *       the JAR carries this one signer's signature.
 * </ol>
 *
 * <p>Manifest lines are UTF-8, at most 72 bytes, continued with a leading space, ended by CRLF (JAR
 * spec, "Manifest Specification"). The entries' contents must not change between {@link #prepare} and
 * {@link #write}; {@link #write} checks that the entry names still match.
 */
public final class JarSignature {
    private static final String META_INF = "META-INF/";
    private static final String MANIFEST_NAME = "META-INF/MANIFEST.MF";
    private static final Pattern SIGNER_NAME = Pattern.compile("[A-Z0-9_-]{1,8}");
    private static final byte[] CRLF = {'\r', '\n'};
    private static final int BUFFER = 1 << 16;
    private static final String CREATED_BY = "Signet";

    /**
     * The files {@link #prepare} built.
     *
     * @param manifest the bytes of {@code META-INF/MANIFEST.MF}
     * @param signatureFile the bytes of {@code META-INF/SIGNER.SF}
     * @param signerName the base name of the signature files, upper case
     * @param algorithm the digest of the manifest, its sections and the entries
     */
    public record Prepared(byte[] manifest, byte[] signatureFile, String signerName, DigestAlgorithm algorithm) {
        public Prepared {
            Objects.requireNonNull(manifest, "manifest");
            Objects.requireNonNull(signatureFile, "signatureFile");
            Objects.requireNonNull(signerName, "signerName");
            Objects.requireNonNull(algorithm, "algorithm");
        }

        /** The digest of the {@code .SF} bytes: what the signature block's messageDigest must be. */
        public byte[] signatureFileDigest() {
            return algorithm.digest(signatureFile);
        }
    }

    private JarSignature() {}

    /**
     * Streams {@code jar} once: digests each entry and builds the manifest and signature file.
     *
     * @param signerName the signature files' base name: 1-8 of A-Z, 0-9, '_' and '-' (lower case is
     *     upper-cased)
     * @param algorithm the digest; for a key's signature, {@link DigestAlgorithm#forKey}
     * @throws SignException {@code sign.jar_signer_name}, or {@code sign.jar_malformed} when the file
     *     is not a ZIP archive, an entry's data cannot be read, or a name appears twice
     * @throws IOException when the file cannot be read
     */
    public static Prepared prepare(Path jar, String signerName, DigestAlgorithm algorithm) throws IOException {
        String name = signerName(signerName);
        Objects.requireNonNull(algorithm, "algorithm");
        try (ZipFile zip = open(jar)) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            checkNames(entries);
            Manifest existing = existingManifest(zip);
            MessageDigest digest = algorithm.newDigest();
            byte[] buffer = new byte[BUFFER];
            String digestName = algorithm.manifestName() + "-Digest";
            Base64.Encoder base64 = Base64.getEncoder();

            ByteArrayOutputStream manifest = new ByteArrayOutputStream(64 + entries.size() * 96);
            writeMainSection(manifest, existing);
            int mainEnd = manifest.size();
            List<String> names = new ArrayList<>(entries.size());
            List<int[]> sections = new ArrayList<>(entries.size());
            for (ZipArchiveEntry entry : entries) {
                if (entry.isDirectory() || isSigningRelated(entry.getName())) {
                    continue;
                }
                if (!zip.canReadEntryData(entry)) {
                    throw new SignException(
                            SignException.JAR_MALFORMED,
                            "entry " + entry.getName()
                                    + " uses a compression method or encryption that cannot be read");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
                int start = manifest.size();
                line(manifest, "Name: " + entry.getName());
                for (String kept : keptAttributes(existing, entry.getName())) {
                    line(manifest, kept);
                }
                line(manifest, digestName + ": " + base64.encodeToString(digest.digest()));
                manifest.writeBytes(CRLF);
                names.add(entry.getName());
                sections.add(new int[] {start, manifest.size()});
            }
            // Sections of the old manifest for no file entry (a package's "Sealed", for one) stay; they
            // have no section digest in the .SF (jarsigner would warn of a signed entry that does not
            // exist) and are covered by the digest of the whole manifest.
            if (existing != null) {
                Set<String> digested = new HashSet<>(names);
                for (String section :
                        new java.util.TreeSet<>(existing.getEntries().keySet())) {
                    if (digested.contains(section)) {
                        continue;
                    }
                    List<String> kept = keptAttributes(existing, section);
                    if (kept.isEmpty()) {
                        continue;
                    }
                    line(manifest, "Name: " + section);
                    for (String attribute : kept) {
                        line(manifest, attribute);
                    }
                    manifest.writeBytes(CRLF);
                }
            }
            byte[] manifestBytes = manifest.toByteArray();

            ByteArrayOutputStream sf = new ByteArrayOutputStream(64 + names.size() * 96);
            line(sf, "Signature-Version: 1.0");
            line(sf, "Created-By: " + CREATED_BY);
            line(sf, digestName + "-Manifest: " + base64.encodeToString(digest.digest(manifestBytes)));
            digest.update(manifestBytes, 0, mainEnd);
            line(sf, digestName + "-Manifest-Main-Attributes: " + base64.encodeToString(digest.digest()));
            sf.writeBytes(CRLF);
            for (int i = 0; i < names.size(); i++) {
                int[] section = sections.get(i);
                digest.update(manifestBytes, section[0], section[1] - section[0]);
                line(sf, "Name: " + names.get(i));
                line(sf, digestName + ": " + base64.encodeToString(digest.digest()));
                sf.writeBytes(CRLF);
            }
            return new Prepared(manifestBytes, sf.toByteArray(), name, algorithm);
        }
    }

    /**
     * Writes the signed JAR to {@code out}: signature files first, then the other entries in their
     * order, compressed bytes copied as they are. {@code out} may be {@code jar}: the JAR is written to
     * a temporary file beside {@code out} and moved over it atomically, so a failure leaves {@code out}
     * as it was.
     *
     * @param signatureBlock the DER CMS SignedData over {@link Prepared#signatureFileDigest()}
     * @throws SignException {@code sign.jar_malformed} when the JAR's entries no longer match the
     *     manifest, or the block is not CMS SignedData with its signer's certificate
     */
    public static void write(Path jar, Prepared prepared, byte[] signatureBlock, Path out) throws IOException {
        Objects.requireNonNull(prepared, "prepared");
        String blockName = META_INF + prepared.signerName() + "." + blockExtension(signatureBlock);
        Set<String> signed = digestedNames(prepared);
        Path target = out.toAbsolutePath();
        Path temp = Files.createTempFile(target.getParent(), ".signet-", ".jar.tmp");
        boolean done = false;
        try (ZipFile zip = open(jar)) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            checkNames(entries);
            List<ZipArchiveEntry> copied = new ArrayList<>(entries.size());
            ZipArchiveEntry metaInfDirectory = null;
            FileTime time = null;
            Set<String> seen = new HashSet<>();
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName();
                if (name.equalsIgnoreCase(META_INF)) {
                    metaInfDirectory = entry;
                } else if (isSigningRelated(name)) {
                    if (name.equalsIgnoreCase(MANIFEST_NAME)) {
                        time = entry.getLastModifiedTime();
                    }
                } else {
                    copied.add(entry);
                    if (!entry.isDirectory()) {
                        seen.add(name);
                    }
                }
            }
            if (!seen.equals(signed)) {
                throw new SignException(
                        SignException.JAR_MALFORMED, "the JAR's entries changed since its manifest was prepared");
            }
            if (time == null) {
                time = Files.getLastModifiedTime(jar);
            }
            try (ZipArchiveOutputStream zos = new ZipArchiveOutputStream(temp)) {
                zos.setUseZip64(Zip64Mode.AsNeeded);
                zos.setEncoding(StandardCharsets.UTF_8.name());
                if (metaInfDirectory != null) {
                    try (InputStream raw = zip.getRawInputStream(metaInfDirectory)) {
                        zos.addRawArchiveEntry(metaInfDirectory, raw);
                    }
                }
                addFile(zos, MANIFEST_NAME, prepared.manifest(), time);
                addFile(zos, META_INF + prepared.signerName() + ".SF", prepared.signatureFile(), time);
                addFile(zos, blockName, signatureBlock, time);
                for (ZipArchiveEntry entry : copied) {
                    try (InputStream raw = zip.getRawInputStream(entry)) {
                        zos.addRawArchiveEntry(entry, raw);
                    }
                }
                zos.finish();
            }
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Offline signing in one call: {@link #prepare} with the key's digest, {@link
     * CmsSigner#signDetached} over the {@code .SF} at the current time, {@link #write}.
     *
     * @param timestamper a time-stamp authority, or null for none
     */
    public static void sign(Path jar, Path out, CmsSigner signer, String signerName, Timestamper timestamper)
            throws IOException {
        Prepared prepared = prepare(jar, signerName, signer.digestAlgorithm());
        byte[] block =
                signer.signDetached(prepared.algorithm(), prepared.signatureFileDigest(), Instant.now(), timestamper);
        write(jar, prepared, block, out);
    }

    /**
     * The JDK's rule (sun.security.util.SignatureFileVerifier#isSigningRelated): directly in
     * META-INF, the manifest, {@code *.SF}, {@code *.DSA}, {@code *.RSA}, {@code *.EC} and {@code
     * SIG-*} with an extension of 0-3 letters or digits.
     */
    static boolean isSigningRelated(String name) {
        if (!name.regionMatches(true, 0, META_INF, 0, META_INF.length())
                || name.lastIndexOf('/') >= META_INF.length()) {
            return false;
        }
        String upper = name.toUpperCase(Locale.ENGLISH);
        if (upper.equals(MANIFEST_NAME)
                || upper.endsWith(".SF")
                || upper.endsWith(".DSA")
                || upper.endsWith(".RSA")
                || upper.endsWith(".EC")) {
            return true;
        }
        if (upper.startsWith("SIG-", META_INF.length())) {
            int dot = upper.lastIndexOf('.');
            if (dot == -1) {
                return true;
            }
            String extension = upper.substring(dot + 1);
            return extension.matches("[A-Z0-9]{1,3}");
        }
        return false;
    }

    private static String signerName(String signerName) {
        String upper = signerName == null ? "" : signerName.toUpperCase(Locale.ENGLISH);
        if (!SIGNER_NAME.matcher(upper).matches()) {
            throw new SignException(
                    SignException.JAR_SIGNER_NAME, "a JAR signer name is 1 to 8 of A-Z, 0-9, '_' and '-'");
        }
        return upper;
    }

    private static ZipFile open(Path jar) throws IOException {
        try {
            return ZipFile.builder().setPath(jar).setUseUnicodeExtraFields(true).get();
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SignException(SignException.JAR_MALFORMED, jar.getFileName() + " is not a ZIP archive", e);
        }
    }

    /** Names are unique, and hold no CR, LF or NUL: a manifest line cannot carry them. */
    private static void checkNames(List<ZipArchiveEntry> entries) {
        Set<String> names = new HashSet<>();
        for (ZipArchiveEntry entry : entries) {
            String name = entry.getName();
            if (name.isEmpty() || name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\0') >= 0) {
                throw new SignException(SignException.JAR_MALFORMED, "an entry name is empty or holds a line break");
            }
            if (!names.add(entry.getName())) {
                throw new SignException(
                        SignException.JAR_MALFORMED, "entry " + entry.getName() + " appears twice in the JAR");
            }
        }
    }

    private static Manifest existingManifest(ZipFile zip) throws IOException {
        for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
            if (entry.getName().equalsIgnoreCase(MANIFEST_NAME)) {
                try (InputStream in = zip.getInputStream(entry)) {
                    return new Manifest(in);
                } catch (IOException | RuntimeException e) {
                    throw new SignException(SignException.JAR_MALFORMED, "the JAR's manifest cannot be read", e);
                }
            }
        }
        return null;
    }

    /** The old manifest's attributes of section {@code name} other than digests, as header lines. */
    private static List<String> keptAttributes(Manifest existing, String name) {
        Attributes attributes = existing == null ? null : existing.getAttributes(name);
        if (attributes == null) {
            return List.of();
        }
        List<String> kept = new ArrayList<>();
        for (Map.Entry<Object, Object> attribute : attributes.entrySet()) {
            String key = attribute.getKey().toString();
            if (!key.toLowerCase(Locale.ROOT).endsWith("-digest")) {
                kept.add(key + ": " + attribute.getValue());
            }
        }
        return kept;
    }

    /** The main section: Manifest-Version first, the existing main attributes, a blank line. */
    private static void writeMainSection(ByteArrayOutputStream out, Manifest existing) {
        Attributes main = existing == null ? new Attributes() : existing.getMainAttributes();
        Object version = main.get(Attributes.Name.MANIFEST_VERSION);
        line(out, "Manifest-Version: " + (version == null ? "1.0" : version));
        if (existing == null) {
            line(out, "Created-By: " + CREATED_BY);
        }
        for (Map.Entry<Object, Object> attribute : main.entrySet()) {
            if (!attribute.getKey().equals(Attributes.Name.MANIFEST_VERSION)) {
                line(out, attribute.getKey() + ": " + attribute.getValue());
            }
        }
        out.writeBytes(CRLF);
    }

    /**
     * One header line: UTF-8, broken into lines of at most 72 bytes, each continuation starting with a
     * space, as the JDK's Manifest writes it.
     */
    private static void line(ByteArrayOutputStream out, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        int position = Math.min(length, 72);
        out.write(bytes, 0, position);
        while (position < length) {
            out.writeBytes(CRLF);
            out.write(' ');
            int n = Math.min(71, length - position);
            out.write(bytes, position, n);
            position += n;
        }
        out.writeBytes(CRLF);
    }

    /** The names of the prepared manifest's sections that carry an entry digest. */
    private static Set<String> digestedNames(Prepared prepared) {
        Attributes.Name digest = new Attributes.Name(prepared.algorithm().manifestName() + "-Digest");
        try {
            Set<String> names = new HashSet<>();
            Manifest manifest = new Manifest(new ByteArrayInputStream(prepared.manifest()));
            for (Map.Entry<String, Attributes> section : manifest.getEntries().entrySet()) {
                if (section.getValue().containsKey(digest)) {
                    names.add(section.getKey());
                }
            }
            return names;
        } catch (IOException e) {
            throw new SignException(SignException.JAR_MALFORMED, "the prepared manifest cannot be read", e);
        }
    }

    /** EC for EC and EdDSA keys, RSA for RSA, DSA for anything else (JDK SignatureFileVerifier#getBlockExtension). */
    static String blockExtension(byte[] signatureBlock) {
        try {
            CMSSignedData cms = new CMSSignedData(signatureBlock);
            SignerInformation signer =
                    cms.getSignerInfos().getSigners().iterator().next();
            @SuppressWarnings("unchecked")
            var matches = cms.getCertificates().getMatches(signer.getSID());
            if (matches.isEmpty()) {
                throw new SignException(
                        SignException.JAR_MALFORMED, "the signature block lacks its signer's certificate");
            }
            X509CertificateHolder certificate =
                    (X509CertificateHolder) matches.iterator().next();
            X509Certificate x509 =
                    new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(certificate);
            return switch (x509.getPublicKey().getAlgorithm().toUpperCase(Locale.ENGLISH)) {
                case "RSA", "RSASSA-PSS" -> "RSA";
                case "EC", "EDDSA", "ED25519", "ED448" -> "EC";
                default -> "DSA";
            };
        } catch (CMSException | java.security.cert.CertificateException | RuntimeException e) {
            if (e instanceof SignException signException) {
                throw signException;
            }
            throw new SignException(SignException.JAR_MALFORMED, "the signature block is not CMS SignedData", e);
        }
    }

    private static void addFile(ZipArchiveOutputStream zos, String name, byte[] data, FileTime time)
            throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setMethod(ZipEntry.DEFLATED);
        entry.setLastModifiedTime(time);
        zos.putArchiveEntry(entry);
        zos.write(data);
        zos.closeArchiveEntry();
    }
}

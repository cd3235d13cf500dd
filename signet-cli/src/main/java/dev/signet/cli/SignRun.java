package dev.signet.cli;

import dev.signet.cli.SignFiles.Target;
import dev.signet.core.SignetException;
import dev.signet.core.sign.DigestAlgorithm;
import dev.signet.core.sign.JarSignature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One run of {@code signet sign}: a pipeline from files to signatures on disk.
 *
 * <ol>
 *   <li>A bounded pool of threads hashes the files ({@link Hashing}: streaming, one pass, the key's
 *       {@link DigestAlgorithm}); a JAR is prepared instead ({@link JarSignature#prepare}: its
 *       manifest and signature file are built locally, and the signature file's digest is what gets
 *       signed).
 *   <li>This thread gathers the digests into batches of at most {@link #MAX_BATCH} (the server's
 *       limit) and hands them to the backend, with up to {@code inflight} batches under way at once;
 *       a batch leaves when it is full, when hashing is over, or when its first digest has waited
 *       {@code linger} and a slot is free. Hashing goes on meanwhile.
 *   <li>As a batch's answer comes back, each signature is written beside its file (or under {@code
 *       --out-dir}), after checking the file is still the one that was hashed.
 * </ol>
 *
 * <p>A file that cannot be signed (unreadable, vanished, changed, a directory...) fails alone and
 * the others are signed. A refusal of the whole run (authentication, permission, unknown key) or a
 * server that cannot be reached stops it: the files not yet signed fail with that reason.
 */
final class SignRun {
    /** The most digests in one request ({@code POST /api/v1/sign} takes 1 to 1000). */
    static final int MAX_BATCH = 1000;

    /** What to make of a file. */
    enum Format {
        CMS("cms", ".p7s", SignBackend.CMS),
        PEM("pem", ".p7s", SignBackend.CMS),
        JAR("jar", "", SignBackend.CMS),
        BUNDLE("bundle", ".sig.json", SignBackend.RAW);

        final String id;
        final String suffix;
        final String kind;

        Format(String id, String suffix, String kind) {
            this.id = id;
            this.suffix = suffix;
            this.kind = kind;
        }

        static Format byId(String id) {
            for (Format f : values()) {
                if (f.id.equals(id.strip().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new SignetException(
                    "usage.format_invalid", "--format must be cms, pem, jar or bundle, not '" + id + "'");
        }

        /** By extension: a JAR (and its web and enterprise cousins) is signed as a JAR, the rest get a .p7s. */
        static Format forFile(Path file) {
            String name = file.getFileName() == null
                    ? ""
                    : file.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".jar") || name.endsWith(".war") || name.endsWith(".ear") ? JAR : CMS;
        }
    }

    /**
     * How to run.
     *
     * @param format every file in this format, or null for {@link Format#forFile}
     * @param outDir signatures (and signed JARs) under this directory, mirroring relative paths
     * @param out the signed JAR, when one JAR is signed
     * @param signerName the base name of the .SF and block files in JARs
     * @param threads hashing threads
     * @param inflight batches under way at once
     * @param batchSize digests per batch, at most {@link #MAX_BATCH}
     * @param lingerMillis how long a digest may wait for its batch to fill
     * @param digestSignedJars whether to hash a signed JAR again for the manifest
     */
    record Options(
            Format format,
            Path outDir,
            Path out,
            String signerName,
            int threads,
            int inflight,
            int batchSize,
            long lingerMillis,
            boolean digestSignedJars) {}

    /**
     * What became of one file.
     *
     * @param digest the file's digest (a JAR's: of the signed JAR, when asked), or null
     * @param output the signature written (or the signed JAR), or null
     * @param code null when signed, else why not ({@code file.missing}, {@code sign.not_allowed}...)
     */
    record Outcome(
            Target target,
            Format format,
            long size,
            DigestAlgorithm algorithm,
            byte[] digest,
            Path output,
            String code,
            String reason) {
        boolean ok() {
            return code == null;
        }
    }

    /** Told of every step: for the progress display and the manifest. Called from several threads. */
    interface Listener {
        void started(int files, long bytes);

        void read(long bytes);

        void finished(Outcome outcome);
    }

    /**
     * The end of a run.
     *
     * @param fatal what stopped the run early, or null
     */
    record Summary(int files, int signed, int failed, long bytes, SignetException fatal) {}

    /** Test hook: runs once the files are collected, before any is read. */
    static volatile Consumer<List<Target>> afterCollect = targets -> {};

    private final SignBackend backend;
    private final Options options;
    private final Listener listener;
    private final DigestAlgorithm algorithm;
    private final AtomicReference<SignetException> fatal = new AtomicReference<>();
    private final AtomicInteger signed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final LinkedBlockingQueue<Job> ready = new LinkedBlockingQueue<>();
    /** Files handed to the hashers and not finished yet, at most four full batches per request in flight. */
    private final Semaphore window;

    private final AtomicInteger hashed = new AtomicInteger();
    /** Directories made under --out-dir, so that each is made (and looked at) once. */
    private final Set<Path> made = ConcurrentHashMap.newKeySet();

    /** A file read and ready to be signed. */
    private record Job(
            Target target,
            Format format,
            Path output,
            long size,
            Hashing.Stamp stamp,
            byte[] digest,
            JarSignature.Prepared prepared,
            long queuedAt) {
        byte[] itemDigest() {
            return prepared != null ? prepared.signatureFileDigest() : digest;
        }
    }

    SignRun(SignBackend backend, Options options, Listener listener) {
        this.backend = backend;
        this.options = options;
        this.listener = listener;
        this.algorithm = backend.digestAlgorithm();
        this.window = new Semaphore(4 * options.batchSize() * options.inflight());
    }

    Summary run(List<Target> targets) {
        afterCollect.accept(targets);
        long bytes = 0;
        for (Target t : targets) {
            try {
                BasicFileAttributes a = Files.readAttributes(t.file(), BasicFileAttributes.class);
                bytes += a.isRegularFile() ? a.size() : 0;
            } catch (IOException e) {
                // It fails with its reason when it is read.
            }
        }
        listener.started(targets.size(), bytes);

        ExecutorService hashers = Executors.newFixedThreadPool(options.threads(), daemons("signet-hash-"));
        ExecutorService senders = Executors.newFixedThreadPool(options.inflight(), daemons("signet-sign-"));
        Semaphore slots = new Semaphore(options.inflight());
        Set<Path> inputs = new HashSet<>();
        for (Target t : targets) {
            inputs.add(t.file().toAbsolutePath().normalize());
        }
        Map<Path, Target> outputs = new HashMap<>();
        List<Runnable> reads = new ArrayList<>();
        for (Target t : targets) {
            Format format = options.format() != null ? options.format() : Format.forFile(t.file());
            Path output = output(t, format);
            Path key = output.toAbsolutePath().normalize();
            Target other = outputs.putIfAbsent(key, t);
            if (other != null) {
                reject(t, format, "its output " + output + " is also " + other.name() + "'s");
                continue;
            }
            if (inputs.contains(key)
                    && !(format == Format.JAR
                            && key.equals(t.file().toAbsolutePath().normalize()))) {
                reject(t, format, "its output " + output + " is a file being signed");
                continue;
            }
            reads.add(() -> read(t, format, output));
        }
        int submitted = reads.size();
        // The feeder hands files to the hashers no faster than they are signed and written: at most
        // `window` files are read and not yet finished, however many there are.
        Thread feeder = new Thread(
                () -> {
                    for (Runnable r : reads) {
                        window.acquireUninterruptibly();
                        hashers.execute(r);
                    }
                },
                "signet-feed");
        feeder.setDaemon(true);
        feeder.start();
        try {
            batch(submitted, senders, slots);
            slots.acquireUninterruptibly(options.inflight());
            // After a stop, files still arrive from the feeder and the hashers: each fails as it comes.
            while (feeder.isAlive() || hashed.get() < submitted || !ready.isEmpty()) {
                failLeft();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } finally {
            hashers.shutdown();
            senders.shutdown();
            awaitQuietly(hashers);
        }
        failLeft();
        SignetException stop = fatal.get();
        return new Summary(targets.size(), signed.get(), failed.get(), bytes, stop);
    }

    /** Whatever was read but will not be signed now that the run has stopped. */
    private void failLeft() {
        SignetException stop = fatal.get();
        List<Job> left = new ArrayList<>();
        ready.drainTo(left);
        for (Job job : left) {
            fail(job, stop == null ? "cli.interrupted" : stop.code(), reason(stop));
        }
    }

    /** Where a target's signature (or signed JAR) goes. */
    Path output(Target t, Format format) {
        if (format == Format.JAR) {
            if (options.out() != null) {
                return options.out();
            }
            return options.outDir() == null ? t.file() : options.outDir().resolve(t.relative());
        }
        if (options.outDir() != null) {
            return options.outDir().resolve(t.relative().toString() + format.suffix);
        }
        return t.file().resolveSibling(t.file().getFileName() + format.suffix);
    }

    // --- step 1: read ----------------------------------------------------------------------------

    private void read(Target t, Format format, Path output) {
        try {
            SignetException stop = fatal.get();
            if (stop != null) {
                fail(t, format, 0, null, stop.code(), reason(stop));
                return;
            }
            if (format == Format.JAR) {
                Hashing.Stamp before = Hashing.check(t.file());
                JarSignature.Prepared prepared = JarSignature.prepare(t.file(), options.signerName(), algorithm);
                if (!before.same(t.file())) {
                    throw new Hashing.FileProblem("file.changed", "changed while it was being read");
                }
                listener.read(before.size());
                ready.add(new Job(t, format, output, before.size(), before, null, prepared, System.nanoTime()));
            } else {
                Hashing.Digested d = Hashing.digest(t.file(), algorithm, listener::read);
                ready.add(new Job(t, format, output, d.stamp().size(), d.stamp(), d.digest(), null, System.nanoTime()));
            }
        } catch (Hashing.FileProblem p) {
            fail(t, format, 0, null, p.code(), p.getMessage());
        } catch (IOException e) {
            Hashing.FileProblem p = Hashing.unreadable(e);
            fail(t, format, 0, null, p.code(), p.getMessage());
        } catch (SignetException e) {
            fail(t, format, 0, null, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            fail(t, format, 0, null, "file.unreadable", "cannot be read: " + e);
        } finally {
            hashed.incrementAndGet();
        }
    }

    // --- step 2: batch ---------------------------------------------------------------------------

    private void batch(int submitted, ExecutorService senders, Semaphore slots) {
        Map<String, List<Job>> pending = new LinkedHashMap<>();
        long linger = TimeUnit.MILLISECONDS.toNanos(options.lingerMillis());
        List<Job> arrived = new ArrayList<>();
        while (fatal.get() == null) {
            try {
                Job first = ready.poll(5, TimeUnit.MILLISECONDS);
                if (first != null) {
                    arrived.add(first);
                    ready.drainTo(arrived);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fatal.compareAndSet(null, new SignetException("cli.interrupted", "interrupted"));
                break;
            }
            for (Job job : arrived) {
                pending.computeIfAbsent(job.format().kind, k -> new ArrayList<>())
                        .add(job);
            }
            arrived.clear();
            boolean allRead = hashed.get() == submitted && ready.isEmpty();
            boolean empty = true;
            for (Map.Entry<String, List<Job>> e : pending.entrySet()) {
                List<Job> list = e.getValue();
                while (list.size() >= options.batchSize() && fatal.get() == null) {
                    slots.acquireUninterruptibly();
                    List<Job> batch = new ArrayList<>(list.subList(0, options.batchSize()));
                    list.subList(0, options.batchSize()).clear();
                    senders.execute(() -> send(e.getKey(), batch, slots));
                }
                if (!list.isEmpty() && fatal.get() == null) {
                    boolean due = System.nanoTime() - list.get(0).queuedAt() >= linger;
                    if (allRead) {
                        slots.acquireUninterruptibly();
                    }
                    if (allRead || (due && slots.tryAcquire())) {
                        List<Job> batch = new ArrayList<>(list);
                        list.clear();
                        senders.execute(() -> send(e.getKey(), batch, slots));
                    }
                }
                empty &= list.isEmpty();
            }
            if (allRead && empty) {
                return;
            }
        }
        SignetException stop = fatal.get();
        for (List<Job> list : pending.values()) {
            for (Job job : list) {
                fail(job, stop.code(), reason(stop));
            }
        }
    }

    // --- step 3: sign and write ------------------------------------------------------------------

    private void send(String kind, List<Job> batch, Semaphore slots) {
        try {
            List<SignBackend.Signed> answers = sign(kind, batch, true);
            for (int i = 0; i < batch.size(); i++) {
                write(batch.get(i), answers.get(i));
            }
        } catch (SignetException e) {
            if (stops(e)) {
                fatal.compareAndSet(null, e);
            }
            for (Job job : batch) {
                fail(job, e.code(), reason(e));
            }
        } catch (RuntimeException e) {
            for (Job job : batch) {
                fail(job, "cli.failed", e.toString());
            }
        } finally {
            slots.release();
        }
    }

    /** Signs a batch; halves it when the server says it is too large, and tries once more when the server is away. */
    private List<SignBackend.Signed> sign(String kind, List<Job> batch, boolean retry) {
        if (fatal.get() != null) {
            throw fatal.get();
        }
        List<SignBackend.Request> requests = new ArrayList<>(batch.size());
        for (Job job : batch) {
            requests.add(new SignBackend.Request(job.target().name(), job.itemDigest()));
        }
        try {
            List<SignBackend.Signed> answers = backend.sign(kind, requests);
            if (answers.size() != batch.size()) {
                throw new SignetException(
                        "cli.bad_answer",
                        "the server answered " + answers.size() + " signatures for " + batch.size() + " digests");
            }
            return answers;
        } catch (ApiClient.ApiException e) {
            if (batch.size() > 1 && (e.status() == 413 || e.code().equals("sign.batch_too_large"))) {
                int half = batch.size() / 2;
                List<SignBackend.Signed> answers = new ArrayList<>(sign(kind, batch.subList(0, half), retry));
                answers.addAll(sign(kind, batch.subList(half, batch.size()), retry));
                return answers;
            }
            if (retry && (e.status() == 502 || e.status() == 503 || e.status() == 504)) {
                pause();
                return sign(kind, batch, false);
            }
            throw e;
        } catch (SignetException e) {
            if (retry && e.code().equals("cli.unreachable")) {
                pause();
                return sign(kind, batch, false);
            }
            throw e;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(Job job, SignBackend.Signed answer) {
        Path file = job.target().file();
        if (!job.stamp().same(file)) {
            boolean gone = !Files.exists(file);
            fail(
                    job,
                    gone ? "file.missing" : "file.changed",
                    gone
                            ? "was removed while it was being signed"
                            : "changed while it was being signed; sign it again once it is complete");
            return;
        }
        try {
            byte[] digest = job.digest();
            switch (job.format()) {
                case CMS -> atomically(job.output(), answer.signature());
                case PEM -> atomically(job.output(), pem(answer.signature()));
                case BUNDLE ->
                    atomically(
                            job.output(),
                            Bundles.write(
                                    backend.signatureAlgorithm(),
                                    algorithm,
                                    job.digest(),
                                    answer.signature(),
                                    backend.chain(),
                                    answer.timestamp()));
                case JAR -> {
                    directory(job.output().toAbsolutePath().getParent());
                    JarSignature.write(file, job.prepared(), answer.signature(), job.output());
                    if (options.digestSignedJars()) {
                        digest =
                                Hashing.digest(job.output(), algorithm, n -> {}).digest();
                    }
                }
            }
            signed.incrementAndGet();
            window.release();
            listener.finished(
                    new Outcome(job.target(), job.format(), job.size(), algorithm, digest, job.output(), null, null));
        } catch (IOException e) {
            fail(job, "file.write_failed", "cannot write " + job.output() + ": " + message(e));
        } catch (Hashing.FileProblem p) {
            fail(job, "file.write_failed", "the signed JAR " + job.output() + " " + p.getMessage());
        } catch (SignetException e) {
            fail(job, e.code(), e.getMessage());
        }
    }

    /** Writes {@code content} to a temporary file beside {@code target} and renames it over the target. */
    private void atomically(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        directory(dir);
        Path temporary = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (OutputStream out =
                    Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(content);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /** Under --out-dir, makes the directories of an output, once. */
    private void directory(Path dir) throws IOException {
        if (options.outDir() != null && !made.contains(dir)) {
            Files.createDirectories(dir);
            made.add(dir);
        }
    }

    /** A detached CMS signature in PEM, as {@code openssl cms -inform PEM} and {@code openssl pkcs7} read it. */
    static byte[] pem(byte[] der) {
        return ("-----BEGIN PKCS7-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                        + "\n-----END PKCS7-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    // --- bookkeeping -----------------------------------------------------------------------------

    private void fail(Job job, String code, String reason) {
        fail(job.target(), job.format(), job.size(), job.digest(), code, reason);
    }

    /** A file handed to the hashers failed: its place in the window is free again. */
    private void fail(Target t, Format format, long size, byte[] digest, String code, String reason) {
        failed.incrementAndGet();
        listener.finished(new Outcome(t, format, size, algorithm, digest, null, code, reason));
        window.release();
    }

    /** A file refused before it was handed to the hashers: its output would clash with another. */
    private void reject(Target t, Format format, String reason) {
        failed.incrementAndGet();
        listener.finished(new Outcome(t, format, 0, algorithm, null, null, "file.output_clash", reason));
    }

    /**
     * Refusals and outages that concern every file, not one batch: the run stops. Authentication
     * (401), permission (403: the scope, the grant, a step-up), an unknown key (404), a key that
     * signs no more (409: revoked, expired), the server's own failures (5xx) and no server at all.
     */
    static boolean stops(SignetException e) {
        if (e instanceof ApiClient.ApiException api) {
            int s = api.status();
            return s == 401
                    || s == 403
                    || s == 404
                    || s == 409
                    || s >= 500
                    || api.code().startsWith("cli.");
        }
        return e.code().startsWith("cli.");
    }

    /**
     * The exit code of a run that {@link #stops}: refused by the server (4) for a refusal in the
     * server's words, unreachable (5) when there is no server, or not one that answers as Signet does.
     */
    static int exitCode(SignetException e) {
        if (e.code().startsWith("settings.") || e.code().startsWith("usage.")) {
            return Main.EXIT_USAGE;
        }
        if (e instanceof ApiClient.ApiException api
                && api.status() < 500
                && !api.code().startsWith("cli.")) {
            return Main.EXIT_REFUSED;
        }
        if (e.code().startsWith("cli.") || e instanceof ApiClient.ApiException) {
            return Main.EXIT_UNREACHABLE;
        }
        return Main.EXIT_FAILED;
    }

    private static String reason(SignetException e) {
        return e == null ? "the run was interrupted" : e.getMessage();
    }

    private static String message(Exception e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " " + e.getMessage();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.DAYS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

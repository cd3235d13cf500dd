package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code signet sign} shows and records while it runs. On a terminal: a progress bar on
 * standard error (files, bytes, rate, time left), redrawn five times a second, with failures
 * printed above it. Elsewhere (CI logs): one line per file signed on standard output, one per
 * failure on standard error. And, with {@code --manifest}, one JSON line per file (JSON Lines),
 * signed or not: name, size, digest, result and the signature written or the reason.
 */
final class SignReport implements SignRun.Listener, AutoCloseable {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean bar;
    private final boolean quiet;
    private final BufferedWriter manifest;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong read = new AtomicLong();
    private volatile int files;
    private volatile long bytes;
    private ScheduledExecutorService ticker;
    private int drawnWidth;
    /** How many failures had each reason: the same one is shown a few times, then counted. */
    private final java.util.Map<String, Integer> repeats = new java.util.HashMap<>();

    private static final int SAME_REASON_SHOWN = 5;

    /**
     * @param bar draw a progress bar (on a terminal) instead of a line per file
     * @param quiet no line per signed file (failures and the summary still show)
     * @param manifest where the JSON lines go, or null
     */
    SignReport(PrintStream out, PrintStream err, boolean bar, boolean quiet, Path manifest) {
        this.out = out;
        this.err = err;
        this.bar = bar;
        this.quiet = quiet;
        try {
            this.manifest = manifest == null ? null : Files.newBufferedWriter(manifest, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SignetException(
                    "usage.output_unwritable", "cannot write the manifest " + manifest + ": " + e.getMessage());
        }
    }

    @Override
    public void started(int files, long bytes) {
        this.files = files;
        this.bytes = bytes;
        if (bar) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "signet-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, 0, 200, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void read(long n) {
        read.addAndGet(n);
    }

    @Override
    public synchronized void finished(SignRun.Outcome o) {
        done.incrementAndGet();
        if (o.ok()) {
            if (!quiet && !bar) {
                out.println("signed " + clean(o.target().name()) + " -> "
                        + clean(o.output().toString()));
            }
        } else {
            String tag = "[" + o.code() + "]";
            String reason = o.reason() == null ? "" : o.reason();
            if (repeats.merge(reason + (reason.contains(tag) ? "" : " " + tag), 1, Integer::sum) <= SAME_REASON_SHOWN) {
                clearBar();
                err.println("signet: not signed: " + clean(o.target().name()) + ": " + clean(reason)
                        + (reason.contains(tag) ? "" : " " + tag));
            }
        }
        record(o);
    }

    /** Writes the outcome's line in the manifest, if there is one. */
    synchronized void record(SignRun.Outcome o) {
        if (manifest != null) {
            ObjectNode line = ApiClient.JSON.createObjectNode();
            line.put("file", o.target().name());
            line.put("size", o.size());
            line.put("format", o.format().id);
            if (o.algorithm() == null) {
                line.putNull("digestAlgorithm");
            } else {
                line.put("digestAlgorithm", o.algorithm().id());
            }
            if (o.digest() == null) {
                line.putNull("digest");
            } else {
                line.put("digest", HexFormat.of().formatHex(o.digest()));
            }
            line.put("result", o.ok() ? "signed" : "failed");
            if (o.ok()) {
                line.put("signature", o.output().toString());
            } else {
                line.put("error", o.code());
                line.put("reason", o.reason());
            }
            try {
                manifest.write(line.toString());
                manifest.write('\n');
            } catch (IOException e) {
                throw new SignetException("cli.write_failed", "cannot write the manifest: " + e.getMessage());
            }
        }
    }

    /** Stops the bar and prints the summary; answers the manifest's problems, if any. */
    void summary(SignRun.Summary s, String what) {
        stopBar();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String line = String.format(
                Locale.ROOT,
                "Signed %d of %d files (%s) with %s in %.1f s%s",
                s.signed(),
                s.files(),
                size(s.bytes()),
                what,
                seconds,
                s.failed() == 0 ? "." : "; " + s.failed() + " failed.");
        synchronized (this) {
            repeats.forEach((reason, n) -> {
                if (n > SAME_REASON_SHOWN) {
                    err.println("signet: ... and " + (n - SAME_REASON_SHOWN) + " more not signed for the same reason: "
                            + clean(reason));
                }
            });
        }
        (s.failed() == 0 ? out : err).println(line);
    }

    @Override
    public void close() {
        stopBar();
        if (manifest != null) {
            try {
                manifest.close();
            } catch (IOException e) {
                throw new SignetException("cli.write_failed", "cannot write the manifest: " + e.getMessage());
            }
        }
    }

    private synchronized void stopBar() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
            draw();
            err.println();
            drawnWidth = 0;
        }
    }

    private synchronized void clearBar() {
        if (bar && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
    }

    private synchronized void draw() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        long r = read.get();
        long total = Math.max(bytes, 1);
        // Half for reading, half for files done (signed and written, or failed): signing follows reading.
        double finished = files == 0 ? 1.0 : (double) done.get() / files;
        double fraction =
                Math.min(1.0, bytes == 0 ? finished : 0.5 * Math.min(1.0, (double) r / total) + 0.5 * finished);
        int width = 24;
        int filled = (int) Math.round(fraction * width);
        double rate = r / seconds;
        String eta = fraction <= 0 || fraction >= 1 ? "" : "  ETA " + duration(seconds / fraction - seconds);
        String text = "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done.get() + "/" + files
                + " files  " + size(r) + "/" + size(bytes) + "  " + size((long) rate) + "/s" + eta;
        err.print("\r" + text + (text.length() < drawnWidth ? " ".repeat(drawnWidth - text.length()) : ""));
        err.flush();
        drawnWidth = text.length();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + "s" : s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }

    /** File names come from the disk: no terminal control characters in what is printed. */
    static String clean(String s) {
        return s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
    }
}

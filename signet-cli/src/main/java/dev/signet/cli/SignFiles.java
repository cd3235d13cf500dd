package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code signet sign} is to sign: the files named on the command line and those found under
 * {@code --recursive} directories, filtered by {@code --include}/{@code --exclude} globs, each once.
 *
 * <p>A glob with a {@code /} is matched against the file's path relative to where it was found
 * ({@code dist/lib/*.jar}, {@code **}{@code /*.txt}); one without is matched against the file name
 * alone ({@code *.jar}). Directory walks do not follow symbolic links to directories (no cycles, no
 * escaping the tree), but a link to a file is signed like the file, and a dangling one is reported.
 * A walk skips signatures ({@code *.p7s}, {@code *.sig.json}) so that signing a directory again does
 * not sign the previous run's signatures, and skips the {@code --out-dir} when it lies inside.
 *
 * <p>Nothing here opens a file: what cannot be read (a directory named as a file, a vanished file,
 * a dangling link) is a {@link Target} like the others, and fails on its own when it is hashed.
 */
final class SignFiles {
    /**
     * One file to sign.
     *
     * @param file where it is
     * @param name how it is shown, recorded in the manifest and sent to the server (for the audit
     *     log): its path relative to the directory walked, or as given on the command line
     * @param relative where its signature goes under {@code --out-dir}
     */
    record Target(Path file, String name, Path relative) {}

    private SignFiles() {}

    /** A glob as the user wrote it, and the matcher for it. */
    record Glob(String text, PathMatcher matcher, boolean wholePath) {
        static Glob of(String text, String option) {
            if (text.isBlank()) {
                throw new SignetException("usage.glob_invalid", option + " needs a pattern such as '*.jar'");
            }
            try {
                return new Glob(text, FileSystems.getDefault().getPathMatcher("glob:" + text), text.contains("/"));
            } catch (IllegalArgumentException e) {
                throw new SignetException("usage.glob_invalid", option + " '" + text + "' is not a valid glob");
            }
        }

        boolean matches(Path relative) {
            Path p = wholePath ? relative : relative.getFileName();
            return p != null && matcher.matches(p);
        }
    }

    /**
     * The targets, in a stable order: named files first, as given, then each directory's files in
     * sorted order.
     *
     * @throws SignetException {@code usage.input_missing} for a {@code --recursive} argument that is
     *     not a directory
     */
    static List<Target> collect(
            List<Path> files, List<Path> directories, List<String> includes, List<String> excludes, Path outDir) {
        List<Glob> in = includes.stream().map(g -> Glob.of(g, "--include")).toList();
        List<Glob> ex = excludes.stream().map(g -> Glob.of(g, "--exclude")).toList();
        Set<Path> seen = new HashSet<>();
        List<Target> targets = new ArrayList<>();
        for (Path file : files) {
            Path relative = relativeForNamed(file);
            if (selected(relative, in, ex) && seen.add(identity(file))) {
                targets.add(new Target(file, file.toString(), relative));
            }
        }
        Path skip = outDir == null ? null : outDir.toAbsolutePath().normalize();
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) {
                throw new SignetException(
                        "usage.input_missing", "--recursive " + dir + " is not a directory (or cannot be read)");
            }
            List<Target> found = new ArrayList<>();
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                        return skip != null
                                        && !d.equals(dir)
                                        && d.toAbsolutePath().normalize().equals(skip)
                                ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                        if (attrs.isSymbolicLink() && Files.isDirectory(f)) {
                            return FileVisitResult.CONTINUE;
                        }
                        Path relative = dir.relativize(f);
                        if (!isSignature(f) && selected(relative, in, ex)) {
                            found.add(new Target(f, display(dir, relative), relative));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path f, IOException e) {
                        // An unreadable sub-directory or entry: a target that fails, with its reason, when hashed.
                        Path relative = dir.relativize(f);
                        if (selected(relative, in, ex)) {
                            found.add(new Target(f, display(dir, relative), relative));
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new SignetException("usage.input_missing", "cannot walk " + dir + ": " + e.getMessage());
            }
            found.sort((a, b) -> a.relative().toString().compareTo(b.relative().toString()));
            for (Target t : found) {
                if (seen.add(identity(t.file()))) {
                    targets.add(t);
                }
            }
        }
        return targets;
    }

    /** Under {@code --out-dir}, a named file keeps its path when it is below the working directory, else its name. */
    private static Path relativeForNamed(Path file) {
        Path normal = file.normalize();
        if (!normal.isAbsolute()
                && !normal.startsWith("..")
                && !normal.toString().isEmpty()) {
            return normal;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.startsWith(cwd) && !absolute.equals(cwd)) {
            return cwd.relativize(absolute);
        }
        Path name = absolute.getFileName();
        return name == null ? Path.of("root") : name;
    }

    private static String display(Path dir, Path relative) {
        return dir.resolve(relative).toString();
    }

    private static boolean selected(Path relative, List<Glob> in, List<Glob> ex) {
        if (!in.isEmpty() && in.stream().noneMatch(g -> g.matches(relative))) {
            return false;
        }
        return ex.stream().noneMatch(g -> g.matches(relative));
    }

    static boolean isSignature(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".p7s") || name.endsWith(".sig.json");
    }

    /**
     * The same file named twice (or through another spelling of its path) is signed once. (Through
     * a link it is another name, and signed under that name too: resolving every path would cost a
     * readlink per path component and file.)
     */
    private static Path identity(Path file) {
        return file.toAbsolutePath().normalize();
    }
}

package dev.claimsledger.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;

/**
 * The embedded database's directory ({@code claims.data-dir}), checked before anything opens it: it must exist or be
 * creatable, be a writable directory, and not be in use by another running ledger. This process holds a lock on
 * {@value #LOCK_FILE} in it until its context closes. When a check fails the service stops with one line naming the
 * directory and what is wrong, before a single file of the database is written.
 *
 * <p>Registered in {@code META-INF/spring.factories}, so it runs for every application of this jar (the server and its
 * commands) as soon as their settings are known.
 */
public final class DataDirectory implements ApplicationListener<ApplicationEvent> {

    static final String LOCK_FILE = "claims-ledger.lock";
    private static final String EMBEDDED_URL = "jdbc:h2:file:";
    /** The locks this JVM holds, by directory: contexts of one JVM (tests, commands) share them. */
    private static final Map<Path, FileLock> LOCKS = new ConcurrentHashMap<>();

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            Path directory = embeddedDirectory(prepared.getEnvironment());
            if (directory != null) {
                prepare(directory);
            }
        } else if (event instanceof ContextClosedEvent closed) {
            release(embeddedDirectory(closed.getApplicationContext().getEnvironment()));
        } else if (event instanceof ApplicationFailedEvent failed && failed.getApplicationContext() != null) {
            release(embeddedDirectory(failed.getApplicationContext().getEnvironment()));
        }
    }

    /**
     * The directory of the embedded database's files when the ledger runs on one, else null: the directory of the
     * file the JDBC URL names, which is {@code claims.data-dir} unless the URL was set by hand.
     */
    static Path embeddedDirectory(Environment environment) {
        String url = environment.getProperty("spring.datasource.url", "");
        if (!url.startsWith(EMBEDDED_URL)) {
            return null;
        }
        String file = url.substring(EMBEDDED_URL.length()).split(";", 2)[0];
        if (file.startsWith("~")) {
            file = System.getProperty("user.home") + file.substring(1);
        }
        Path parent = Path.of(file).toAbsolutePath().normalize().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /** Creates the directory if needed, checks it can be written, and locks it for this process. */
    static void prepare(Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new UnusableException(directory, "it is a file, not a directory");
        }
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new UnusableException(directory, "a file is in the way at " + e.getFile());
        } catch (IOException | SecurityException e) {
            throw new UnusableException(directory, "it does not exist and cannot be created (" + reason(e) + ")");
        }
        Path probe = directory.resolve(".write-check-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(Files.createFile(probe));
        } catch (IOException | SecurityException e) {
            throw new UnusableException(directory, "it is not writable (" + reason(e) + ")");
        }
        lock(directory);
    }

    private static void lock(Path directory) {
        LOCKS.compute(directory, (key, held) -> {
            if (held != null && held.isValid()) {
                throw inUse(directory);
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    throw inUse(directory);
                }
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                        .getBytes(StandardCharsets.UTF_8)));
                return lock;
            } catch (OverlappingFileLockException e) {
                closeQuietly(channel);
                throw inUse(directory);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UnusableException(directory, "its lock file cannot be written (" + reason(e) + ")");
            }
        });
    }

    /**
     * Whether another running ledger (another process, or another context of this JVM) holds the embedded database's
     * directory, found without taking its lock: for a command that then says how to reach that ledger instead.
     */
    public static boolean heldByAnotherLedger(Environment environment) {
        Path directory = embeddedDirectory(environment);
        if (directory == null || !Files.exists(directory.resolve(LOCK_FILE))) {
            return false;
        }
        FileLock ours = LOCKS.get(directory);
        if (ours != null) {
            return ours.isValid();
        }
        // only when this JVM holds no lock on it: closing a channel may release every lock of the JVM on the file
        try (FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void release(Path directory) {
        if (directory == null) {
            return;
        }
        FileLock lock = LOCKS.remove(directory);
        if (lock != null) {
            closeQuietly(lock.channel());
        }
    }

    private static UnusableException inUse(Path directory) {
        return new UnusableException(directory, "another running claims-ledger uses it (it holds "
                + directory.resolve(LOCK_FILE) + "); stop that one or choose another claims.data-dir");
    }

    private static String reason(Exception e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException missing) {
            return "no such directory: " + missing.getFile();
        }
        if (e instanceof FileSystemException fileSystem) {
            return (fileSystem.getReason() != null ? fileSystem.getReason() : e.getClass().getSimpleName())
                    + " at " + fileSystem.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock goes with the channel; nothing else to undo
            }
        }
    }

    /** The data directory cannot be used; the message names it and says why. */
    public static final class UnusableException extends RuntimeException {

        UnusableException(Path directory, String why) {
            super("claims-ledger cannot use its data directory " + directory + " (claims.data-dir): " + why);
        }
    }

    /** Reports an unusable data directory as its one line, instead of Spring's failure report and stack trace. */
    public static final class Reporter implements SpringBootExceptionReporter {

        @Override
        public boolean reportException(Throwable failure) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                if (cause instanceof UnusableException unusable) {
                    System.err.println(unusable.getMessage());
                    return true;
                }
            }
            return false;
        }
    }
}

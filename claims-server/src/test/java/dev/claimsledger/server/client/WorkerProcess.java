package dev.claimsledger.server.client;

import dev.claimsledger.client.ClaimLostException;
import dev.claimsledger.client.ClaimRejectedException;
import dev.claimsledger.client.ClaimRequest;
import dev.claimsledger.client.ClaimsClient;
import dev.claimsledger.client.HeldClaim;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A worker in a JVM of its own that holds one claim through a {@link ClaimsClient}, so that a test can stop the whole
 * process with SIGSTOP, as a long GC pause or a frozen VM would, and let it go on with SIGCONT. The worker checks its
 * claim every 10 ms and reports on its standard output, one line per event, each starting with {@code worker}:
 * {@code held <epoch> <lease end>}, {@code lost <reason> <heartbeats sent>} (from its {@code lost()} listener), {@code checked <reason>}
 * (from its own {@code checkHeld()}), and a second after the loss {@code sent <heartbeats sent>}.
 */
final class WorkerProcess implements AutoCloseable {

    private static final Path LOG_DIR = Path.of("target", "client");
    private static final String PREFIX = "worker ";

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private WorkerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "worker-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The worker: claims, then checks the claim until it is lost. A claim that gets no answer in time (the first
     * request of a fresh JVM on a busy machine can take long) is made again with the next epoch, as a worker would.
     */
    public static void main(String[] args) throws Exception {
        String tenant = args[1];
        String consumer = args[2];
        try (ClaimsClient client = ClaimsClient.builder(URI.create(args[0])).build()) {
            HeldClaim claim = null;
            for (long epoch = 1; claim == null; epoch++) {
                try {
                    claim = client.claim(tenant, ClaimRequest.builder(consumer, epoch,
                            "https://example.test/entities/" + consumer, "/streams/" + consumer)
                            .leaseTtl(Duration.ofMillis(Long.parseLong(args[3]))).build());
                } catch (ClaimRejectedException e) {
                    if (epoch == 5) {
                        throw e;
                    }
                }
            }
            HeldClaim held = claim;
            report("held " + held.epoch() + " " + held.leaseExpiresAt());
            held.lost().thenAccept(loss -> report("lost " + loss.reason() + " " + client.health().heartbeatsSent()));
            while (true) {
                try {
                    held.checkHeld();
                } catch (ClaimLostException e) {
                    report("checked " + e.loss().reason());
                    break;
                }
                Thread.sleep(10);
            }
            held.lost().get();
            Thread.sleep(1_000);
            report("sent " + client.health().heartbeatsSent());
        }
    }

    private static void report(String line) {
        System.out.println(PREFIX + line);
        System.out.flush();
    }

    static WorkerProcess start(String baseUrl, String tenant, String consumer, Duration ttl) throws IOException {
        Files.createDirectories(LOG_DIR);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                WorkerProcess.class.getName(), baseUrl, tenant, consumer, String.valueOf(ttl.toMillis()))
                .redirectError(LOG_DIR.resolve(consumer + ".err").toFile())
                .start();
        return new WorkerProcess(process);
    }

    /** The first line the worker reported that starts with {@code event}, without the prefix; fails after a while. */
    String await(String event, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            for (String line : lines) {
                if (line.startsWith(PREFIX + event + " ")) {
                    return line.substring(PREFIX.length());
                }
            }
            if (!process.isAlive() && process.exitValue() != 0) {
                throw new AssertionError("the worker exited with " + process.exitValue() + "; it said " + lines);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the worker did not report " + event + " within " + within + "; it said " + lines);
    }

    /** SIGSTOP: every thread of the worker stops at once, as in a stop-the-world pause. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void read() {
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}

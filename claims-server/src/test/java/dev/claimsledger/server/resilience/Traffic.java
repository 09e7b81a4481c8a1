package dev.claimsledger.server.resilience;

import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Every command the clients sent and what came back, from any number of threads: what the tests hold the ledger to.
 * A 2xx is a promise that the command is stored; no answer (the node died) promises nothing.
 */
final class Traffic {

    enum Op { CLAIM, HEARTBEAT, RELEASE, READ }

    /** One command sent to one node, with its answer. */
    record Sent(Op op, String node, String consumer, long epoch, Answer answer) {

        EpochKey key() {
            return new EpochKey(consumer, epoch);
        }

        @Override
        public String toString() {
            String said = answer.toString();
            return op + " " + consumer + "/" + epoch + " via " + node + ": "
                    + (said.length() > 240 ? said.substring(0, 240) + "..." : said);
        }
    }

    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private volatile Consumer<Sent> listener = recorded -> {
    };

    Answer record(Op op, String node, String consumer, long epoch, Answer answer) {
        Sent recorded = new Sent(op, node, consumer, epoch, answer);
        sent.add(recorded);
        listener.accept(recorded);
        return answer;
    }

    /** Calls {@code listener} with every command as soon as it is recorded, on the thread that recorded it. */
    void onEachRecorded(Consumer<Sent> listener) {
        this.listener = listener;
    }

    List<Sent> where(Predicate<Sent> condition) {
        return sent.stream().filter(condition).toList();
    }

    /** The commands answered with a 2xx: each a promise that it is stored. */
    List<Sent> acknowledged() {
        return where(s -> s.answer().success() && s.op() != Op.READ);
    }

    List<Sent> unanswered() {
        return where(s -> !s.answer().answered());
    }

    List<Sent> serverErrors() {
        return where(s -> s.answer().status() >= 500);
    }

    /** Writes every command and its full answer to {@code file}, one a line, in the order they were sent. */
    void writeTo(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, sent.stream().sorted(Comparator.comparing(s -> s.answer().sent()))
                    .map(s -> s.answer().sent() + " .. " + s.answer().received() + " " + s.op() + " " + s.consumer()
                            + "/" + s.epoch() + " via " + s.node() + ": " + s.answer())
                    .toList(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("[resilience] cannot write " + file + ": " + e);
        }
    }

    /** Answers counted by operation and status (and problem code), for the test's log. */
    String summary() {
        Map<String, Long> counts = sent.stream().collect(Collectors.groupingBy(s -> s.op() + " "
                + (s.answer().answered() ? s.answer().status() + (s.answer().success() ? "" : " " + s.answer().code())
                : "no-answer"), TreeMap::new, Collectors.counting()));
        return counts.toString();
    }
}

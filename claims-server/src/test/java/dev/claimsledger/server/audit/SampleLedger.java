package dev.claimsledger.server.audit;

import static org.awaitility.Awaitility.await;

import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.server.support.LedgerHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fills a running ledger over HTTP with claims of every kind, the way workers would: some still active, some
 * released, some left to expire, some superseded by a later epoch. Consumers are worked on in parallel.
 */
final class SampleLedger {

    static final long LONG_TTL_MS = 600_000;
    /** Long enough for the heartbeats made right after the claim to arrive before it ends on a busy machine. */
    static final long SHORT_TTL_MS = 3_000;

    /** How a consumer's claims end. */
    enum Ending {
        /** epoch 1 with heartbeats, still active */
        ACTIVE,
        /** epoch 1 with heartbeats, then released */
        RELEASED,
        /** epoch 1 with a short lease and heartbeats, then left to expire */
        EXPIRED,
        /** epoch 1 with heartbeats, superseded by epoch 2, which gets heartbeats and is released */
        SUPERSEDED
    }

    /** One consumer that was filled, and how. */
    record Filled(String tenant, String consumer, Ending ending, String leasePolicy) {

        String streamId() {
            return ConsumerRef.streamId(tenant, consumer);
        }
    }

    /** What was filled, and what the ledger holds once it settled. */
    record Sample(List<Filled> consumers, int heartbeats) {

        long epochs() {
            return consumers.stream().mapToLong(filled -> filled.ending() == Ending.SUPERSEDED ? 2 : 1).sum();
        }

        long expiries() {
            return consumers.stream().filter(filled -> filled.ending() == Ending.EXPIRED).count();
        }

        long events() {
            return consumers.stream().mapToLong(filled -> switch (filled.ending()) {
                case ACTIVE -> 1 + heartbeats;
                case RELEASED, EXPIRED -> 2 + heartbeats;
                case SUPERSEDED -> 4 + 2L * heartbeats;
            }).sum();
        }

        Filled first(Ending ending) {
            return consumers.stream().filter(filled -> filled.ending() == ending).findFirst().orElseThrow();
        }
    }

    private SampleLedger() {
    }

    /**
     * {@code consumers} consumers of {@code tenant}, their endings taken in turn, each epoch with {@code heartbeats}
     * heartbeats. Returns at once; see {@link #awaitSettled} for the expiries and the read model.
     */
    static Sample fill(LedgerHttp http, String tenant, int consumers, int heartbeats) {
        List<Filled> filled = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Ending ending = Ending.values()[i % Ending.values().length];
            // the short leases renew on heartbeat, so their heartbeats never race their end
            String policy = ending != Ending.EXPIRED && (i / Ending.values().length) % 2 == 1
                    ? "fixed" : "renew_on_heartbeat";
            filled.add(new Filled(tenant, "consumer-" + i + "-" + ending.name().toLowerCase(), ending, policy));
        }
        ExecutorService workers = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Filled consumer : filled) {
                done.add(workers.submit(() -> work(http, consumer, heartbeats)));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("filling the ledger failed", e.getCause());
        } finally {
            workers.shutdownNow();
        }
        return new Sample(List.copyOf(filled), heartbeats);
    }

    /** Waits until every short lease has expired and the read model has applied every event. */
    static void awaitSettled(StoredRows rows, Sample sample) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                rows.count("SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%.ClaimLeaseExpired'")
                        >= sample.expiries()
                        && rows.projectionCaughtUp());
    }

    private static void work(LedgerHttp http, Filled filled, int heartbeats) {
        String tenant = filled.tenant();
        String consumer = filled.consumer();
        long ttl = filled.ending() == Ending.EXPIRED ? SHORT_TTL_MS : LONG_TTL_MS;
        http.postExpecting(201, LedgerHttp.claims(tenant), claimRequest(filled, 1, ttl));
        beat(http, filled, 1, heartbeats);
        switch (filled.ending()) {
            case ACTIVE, EXPIRED -> {
            }
            case RELEASED -> release(http, filled, 1);
            case SUPERSEDED -> {
                http.postExpecting(201, LedgerHttp.claims(tenant), claimRequest(filled, 2, ttl));
                beat(http, filled, 2, heartbeats);
                release(http, filled, 2);
            }
        }
    }

    private static void beat(LedgerHttp http, Filled filled, long epoch, int heartbeats) {
        for (int beat = 0; beat < heartbeats; beat++) {
            http.postExpecting(200, LedgerHttp.heartbeats(filled.tenant(), filled.consumer(), epoch), null);
        }
    }

    private static void release(LedgerHttp http, Filled filled, long epoch) {
        http.postExpecting(200, LedgerHttp.release(filled.tenant(), filled.consumer(), epoch),
                Map.of("acked_streams", List.of(Map.of("path", "/streams/" + filled.consumer(), "offset", "42"))));
    }

    static Map<String, Object> claimRequest(Filled filled, long epoch, long ttlMs) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("consumer_id", filled.consumer());
        request.put("epoch", epoch);
        request.put("entity_url", "https://example.test/entities/" + filled.consumer());
        request.put("stream_path", "/streams/" + filled.consumer());
        request.put("wake_id", "wake-" + epoch);
        request.put("runner_id", "runner-" + (filled.consumer().hashCode() & 3));
        request.put("lease_ttl_ms", ttlMs);
        request.put("lease_policy", filled.leasePolicy());
        return request;
    }
}

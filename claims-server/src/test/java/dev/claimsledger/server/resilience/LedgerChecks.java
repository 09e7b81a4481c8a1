package dev.claimsledger.server.resilience;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.StoredLedger.Epoch;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import dev.claimsledger.server.resilience.StoredLedger.Event;
import dev.claimsledger.server.resilience.Traffic.Sent;
import dev.claimsledger.server.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The promises the resilience tests hold the ledger to, each checked against what is stored. Every check returns all
 * the breaches it finds (empty when the promise holds), so that a test can collect them softly and one run shows the
 * whole picture.
 */
final class LedgerChecks {

    private LedgerChecks() {
    }

    /**
     * A 2xx means stored: each acknowledged claim is a stored {@code ClaimMaterialized} (the one the answer described,
     * for a 201), each acknowledged heartbeat the stored {@code HeartbeatReceived} its answer counted (its
     * {@code heartbeat_count}-th of the epoch, with the answer's lease end), each acknowledged release a stored
     * {@code ClaimReleased}. Two acknowledged heartbeats never share a count: that would be an update lost.
     */
    static List<String> acknowledgedButNotStored(List<Sent> acknowledged, Map<EpochKey, Epoch> epochs) {
        List<String> breaches = new ArrayList<>();
        Map<String, Sent> heartbeatsByCount = new HashMap<>();
        for (Sent sent : acknowledged) {
            Answer answer = sent.answer();
            Epoch epoch = epochs.get(sent.key());
            if (answer.instant("lease_expires_at") == null || answer.instant("updated_at") == null) {
                breaches.add("acknowledged without the claim it decided: " + sent);
                continue;
            }
            if (epoch == null || epoch.materializations().isEmpty()) {
                breaches.add("no ClaimMaterialized stored for acknowledged " + sent);
                continue;
            }
            switch (sent.op()) {
                case CLAIM -> {
                    Event materialized = epoch.materializations().get(0);
                    if (epoch.materializations().size() != 1) {
                        breaches.add(epoch.materializations().size() + " ClaimMaterialized for " + sent.key());
                    }
                    if (answer.status() == 201 && !(Objects.equals(materialized.instant("claimedAt"),
                            answer.instant("claimed_at")) && Objects.equals(materialized.instant("leaseExpiresAt"),
                            answer.instant("lease_expires_at")))) {
                        breaches.add("acknowledged " + sent + " but stored " + materialized);
                    }
                }
                case HEARTBEAT -> {
                    long count = answer.number("heartbeat_count");
                    List<Event> heartbeats = epoch.heartbeats();
                    Sent sameCount = heartbeatsByCount.putIfAbsent(sent.key() + "#" + count, sent);
                    if (sameCount != null) {
                        breaches.add("two heartbeats acknowledged with the same heartbeat_count " + count
                                + " (an update lost): " + sameCount + " and " + sent);
                    }
                    if (count < 1 || count > heartbeats.size()) {
                        breaches.add("acknowledged " + sent + " but " + sent.key() + " has only " + heartbeats.size()
                                + " stored heartbeats");
                        continue;
                    }
                    Event stored = heartbeats.get((int) count - 1);
                    if (!Objects.equals(stored.instant("leaseExpiresAt"), answer.instant("lease_expires_at"))
                            || !Objects.equals(stored.instant("receivedAt"), answer.instant("last_heartbeat_at"))) {
                        breaches.add("acknowledged " + sent + " but its heartbeat #" + count + " is stored as "
                                + stored);
                    }
                }
                case RELEASE -> {
                    List<Event> releases = epoch.ofType(StoredLedger.RELEASED);
                    if (releases.size() != 1 || !Objects.equals(releases.get(0).instant("releasedAt"),
                            answer.instant("released_at"))) {
                        breaches.add("acknowledged " + sent + " but stored releases are " + releases);
                    }
                }
                default -> throw new IllegalStateException(sent.op().toString());
            }
        }
        return breaches;
    }

    /**
     * A 409 is a business rejection the stored events justify: {@code stale_epoch} only once a later epoch of the
     * consumer was claimed, {@code claim_not_active} only once the epoch was released or expired, {@code claim_expired}
     * only for an epoch whose lease had ended by the time of the answer and which ends in an expiry. Nothing else
     * ({@code conflict} included: every claim these tests repeat carries the same data) is a genuine answer.
     */
    static List<String> rejectionsNotJustified(List<Sent> rejected, Map<EpochKey, Epoch> epochs) {
        List<String> breaches = new ArrayList<>();
        for (Sent sent : rejected) {
            Epoch epoch = epochs.get(sent.key());
            String code = sent.answer().code();
            boolean genuine = switch (code == null ? "" : code) {
                case "stale_epoch" -> epochs.keySet().stream().anyMatch(key ->
                        key.consumer().equals(sent.consumer()) && key.epoch() > sent.epoch()
                                && !epochs.get(key).materializations().isEmpty());
                case "claim_not_active" -> epoch != null && epoch.ends().stream().anyMatch(end ->
                        end.type().equals(StoredLedger.RELEASED) || end.type().equals(StoredLedger.EXPIRED));
                case "claim_expired" -> epoch != null && !epoch.ofType(StoredLedger.EXPIRED).isEmpty()
                        && !epoch.leaseEnd().isAfter(sent.answer().received());
                default -> false;
            };
            if (sent.answer().status() != 409 || !genuine) {
                breaches.add(sent + " (events of the epoch: " + epoch + ")");
            }
        }
        return breaches;
    }

    /**
     * An epoch ends at most once and nothing follows its end; an expiry is recorded at or after the lease's end and
     * names the lease the events left; a release comes before the lease's end.
     */
    static List<String> epochsEndingWrongly(Map<EpochKey, Epoch> epochs) {
        List<String> breaches = new ArrayList<>();
        for (Epoch epoch : epochs.values()) {
            List<Event> ends = epoch.ends();
            if (ends.size() > 1) {
                breaches.add("epoch " + epoch.key() + " ended " + ends.size() + " times: " + ends);
            }
            if (!ends.isEmpty() && epoch.events().get(epoch.events().size() - 1) != ends.get(0)) {
                breaches.add("events after the end of " + epoch);
            }
            Instant leaseEnd = epoch.leaseEnd();
            for (Event end : ends) {
                switch (end.type()) {
                    case StoredLedger.EXPIRED -> {
                        if (end.instant("expiredAt").isBefore(end.instant("leaseExpiresAt"))
                                || !end.instant("leaseExpiresAt").equals(leaseEnd)) {
                            breaches.add("expiry " + end + " does not follow the lease end " + leaseEnd);
                        }
                    }
                    case StoredLedger.RELEASED -> {
                        if (!end.instant("releasedAt").isBefore(leaseEnd)) {
                            breaches.add("release " + end + " after the lease end " + leaseEnd);
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        return breaches;
    }

    /** The epochs still active (no end event) although their lease ran out before {@code instant}. */
    static List<String> lapsedButNotEnded(Map<EpochKey, Epoch> epochs, Instant instant) {
        return epochs.values().stream().filter(epoch -> epoch.ends().isEmpty() && epoch.leaseEnd().isBefore(instant))
                .map(epoch -> "lease ran out but not ended: " + epoch).toList();
    }

    /** The epochs among {@code which} that did not end in exactly one {@code ClaimLeaseExpired}. */
    static List<String> notExpiredExactlyOnce(Map<EpochKey, Epoch> epochs, List<EpochKey> which) {
        return which.stream().filter(key -> epochs.get(key) == null
                        || epochs.get(key).ofType(StoredLedger.EXPIRED).size() != 1 || epochs.get(key).ends().size() != 1)
                .map(key -> "not expired exactly once: " + epochs.get(key)).toList();
    }

    /**
     * The latest of the recorded expiries, measured from {@code notBefore} or from the lease's end if that came later;
     * negative when every expiry was recorded before {@code notBefore}. Null when nothing expired.
     */
    static Duration latestExpiry(Map<EpochKey, Epoch> epochs, Instant notBefore) {
        Duration latest = null;
        for (Epoch epoch : epochs.values()) {
            for (Event expiry : epoch.ofType(StoredLedger.EXPIRED)) {
                Instant due = max(expiry.instant("leaseExpiresAt"), notBefore);
                Duration late = Duration.between(due, expiry.instant("expiredAt"));
                latest = latest == null || late.compareTo(latest) > 0 ? late : latest;
            }
        }
        return latest;
    }

    /** Every row of the tenant's {@code consumer_claims} read model, through the API's listing. */
    static Map<EpochKey, JsonNode> readModel(LedgerClient client, String tenant) {
        Map<EpochKey, JsonNode> rows = new TreeMap<>();
        String cursor = null;
        do {
            Answer page = client.claimsPage(tenant, 500, cursor);
            if (page.status() != 200) {
                throw new IllegalStateException("listing claims via " + client.baseUrl() + ": " + page);
            }
            for (JsonNode claim : page.json().path("claims")) {
                rows.put(new EpochKey(claim.path("consumer_id").asText(), claim.path("epoch").asLong()), claim);
            }
            cursor = page.text("next_cursor");
        } while (cursor != null);
        return rows;
    }

    /**
     * Where the read model differs from the events: a row missing or extra, or a status, heartbeat count or lease end
     * other than the events imply. Empty once the projection has caught up.
     */
    static List<String> readModelDrift(Map<EpochKey, Epoch> epochs, Map<EpochKey, JsonNode> rows) {
        List<String> drift = new ArrayList<>();
        for (Epoch epoch : epochs.values()) {
            JsonNode row = rows.get(epoch.key());
            if (row == null) {
                drift.add(epoch.key() + ": no row (events say " + epoch.status() + ")");
                continue;
            }
            if (!row.path("status").asText().equals(epoch.status())
                    || row.path("heartbeat_count").asLong() != epoch.heartbeats().size()
                    || !Instant.parse(row.path("lease_expires_at").asText()).equals(epoch.leaseEnd())) {
                drift.add(epoch.key() + ": row says " + row.path("status").asText() + ", "
                        + row.path("heartbeat_count").asLong() + " heartbeats, lease end "
                        + row.path("lease_expires_at").asText() + "; events say " + epoch.status() + ", "
                        + epoch.heartbeats().size() + " heartbeats, lease end " + epoch.leaseEnd());
            }
        }
        rows.keySet().stream().filter(key -> !epochs.containsKey(key))
                .forEach(key -> drift.add(key + ": a row without events"));
        return drift;
    }

    /**
     * Polls {@code breaches} until it finds none or {@code within} has passed, and returns what it found last: for
     * promises that hold only once the ledger has settled (an expiry on its way, a read model catching up).
     */
    static List<String> eventually(Duration within, BreachCheck breaches) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            List<String> found;
            try {
                found = breaches.find();
            } catch (Exception | AssertionError e) {
                found = List.of("the check itself failed: " + e);
            }
            if (found.isEmpty() || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(250);
        }
    }

    /** A check that returns what it found wrong. */
    @FunctionalInterface
    interface BreachCheck {
        List<String> find() throws Exception;
    }

    /** What one run of the audit command returned and printed. */
    record AuditRun(int status, String printed) {

        @Override
        public String toString() {
            return printed;
        }
    }

    /** {@code AuditCommand.run} against the schema, as an operator runs {@code claims-server.jar audit}. */
    static AuditRun audit(TestDatabase database) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = AuditCommand.run(new String[] {"--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--spring.datasource.password=" + database.password()}, outStream, errStream);
        }
        AuditRun run = new AuditRun(status, "exit " + status + "\n--- out:\n" + out.toString(StandardCharsets.UTF_8)
                + "--- err:\n" + err.toString(StandardCharsets.UTF_8));
        System.out.println("[resilience] audit: " + run);
        return run;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}

package dev.claimsledger.merkle;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The signed checkpoints, in {@code merkle_checkpoint}: the latest, and as history the first of every hour. Keeping
 * every one would cost a row every few seconds forever, which at a low event rate is more than the events
 * themselves.
 */
public final class Checkpoints {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public Checkpoints(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The signed note of the largest tree signed so far. */
    public Optional<String> latest() {
        List<String> notes = jdbc.queryForList("SELECT note FROM merkle_checkpoint ORDER BY tree_size DESC LIMIT 1",
                String.class);
        return notes.stream().findFirst();
    }

    /** Keeps a signed checkpoint of {@code head}, unless one of that size is kept already (another node's). */
    void save(TreeHead head, String note) {
        Instant now = clock.instant();
        try {
            jdbc.update("INSERT INTO merkle_checkpoint (tree_size, root_hash, note, signed_at) SELECT ?, ?, ?, ?"
                            + " WHERE NOT EXISTS (SELECT 1 FROM merkle_checkpoint WHERE tree_size = ?)",
                    head.size(), head.root(), note, now.atOffset(ZoneOffset.UTC), head.size());
        } catch (DuplicateKeyException e) {
            return;
        }
        var hour = now.truncatedTo(ChronoUnit.HOURS).atOffset(ZoneOffset.UTC);
        jdbc.update("DELETE FROM merkle_checkpoint WHERE signed_at >= ? AND tree_size < ? AND tree_size >"
                + " (SELECT min(tree_size) FROM merkle_checkpoint WHERE signed_at >= ?)", hour, head.size(), hour);
    }
}

package dev.claimsledger.merkle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongConsumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The events as Axon's JDBC event store keeps them, in {@code domain_event_entry}.
 */
public final class JdbcLeafSource implements LeafSource {

    private static final int CHUNK = Tiles.WIDTH;

    private final JdbcTemplate jdbc;

    public JdbcLeafSource(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<EventRow> events(long[] positions) {
        List<EventRow> rows = new ArrayList<>(positions.length);
        for (int from = 0; from < positions.length; from += CHUNK) {
            int to = Math.min(positions.length, from + CHUNK);
            Object[] arguments = new Object[to - from];
            for (int i = from; i < to; i++) {
                arguments[i - from] = positions[i];
            }
            rows.addAll(jdbc.query("SELECT global_index, aggregate_identifier, sequence_number, payload_type, payload,"
                    + " meta_data FROM domain_event_entry WHERE global_index IN ("
                    + String.join(", ", Collections.nCopies(arguments.length, "?")) + ")",
                    JdbcLeafSource::row, arguments));
        }
        return rows;
    }

    @Override
    public void forEachPosition(LongConsumer action) {
        jdbc.query(connection -> {
            // PostgreSQL streams rows with a fetch size only inside a transaction
            connection.setAutoCommit(false);
            var statement = connection.prepareStatement("SELECT global_index FROM domain_event_entry"
                    + " ORDER BY global_index");
            statement.setFetchSize(10_000);
            return statement;
        }, (RowCallbackHandler) row -> action.accept(row.getLong(1)));
    }

    private static EventRow row(ResultSet row, int rowNumber) throws SQLException {
        return new EventRow(row.getLong("global_index"), row.getString("aggregate_identifier"),
                row.getLong("sequence_number"), row.getString("payload_type"), row.getBytes("payload"),
                row.getBytes("meta_data"));
    }
}

package dev.claimsledger.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.statements.ReadEventDataWithGapsStatementBuilder;

/**
 * The event processors' read of the events after a position with gaps below it, on H2. Axon reads them with
 * {@code WHERE (global_index > ? AND global_index <= ?) OR global_index IN (gaps)}, which H2 answers by scanning the
 * whole event table, on every read while a transaction that took lower positions is still committing (heartbeats
 * and claims commit side by side all the time). The same rows, read as a range and a lookup of the gaps joined by
 * {@code UNION ALL}, are two reads of the primary key; the gaps all lie at or below the position, so no row is in
 * both.
 */
final class GapReadOnH2 implements ReadEventDataWithGapsStatementBuilder {

    @Override
    public PreparedStatement build(Connection connection, EventSchema schema, long globalIndex, int batchSize,
                                   List<Long> gaps) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql(schema, gaps.size()));
        statement.setLong(1, globalIndex);
        statement.setLong(2, globalIndex + batchSize);
        for (int i = 0; i < gaps.size(); i++) {
            statement.setLong(i + 3, gaps.get(i));
        }
        return statement;
    }

    /** The statement, with the range's two parameters first and then one for each of {@code gaps} gaps. */
    static String sql(EventSchema schema, int gaps) {
        String select = "SELECT " + schema.trackedEventFields() + " FROM " + schema.domainEventTable() + " WHERE ";
        String index = schema.globalIndexColumn();
        return select + index + " > ? AND " + index + " <= ?"
                + (gaps == 0 ? "" : " UNION ALL " + select + index + " IN ("
                        + String.join(",", Collections.nCopies(gaps, "?")) + ")")
                + " ORDER BY " + index + " ASC";
    }
}

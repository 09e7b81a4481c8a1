package dev.claimsledger.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A PostgreSQL data source that answers every query as usual and also records how PostgreSQL ran it: before a
 * prepared query executes, {@code EXPLAIN (ANALYZE, FORMAT JSON)} of the same statement with the same parameters runs
 * on the same connection. So a test can check the plans of the very statements a query handler sends, not copies.
 */
public final class PlanRecordingDataSource extends DelegatingDataSource {

    /** One query and the plan PostgreSQL executed it with. */
    public record Plan(String sql, JsonNode plan) {

        /** Rows the plan's scans read: the rows they returned and the rows their filters dropped, over all loops. */
        public long rowsRead() {
            return rowsRead(plan.get(0).get("Plan"));
        }

        public boolean scansSequentially() {
            return plan.toString().contains("\"Seq Scan\"");
        }

        private static long rowsRead(JsonNode node) {
            long rows = 0;
            if (node.get("Node Type").asText().contains("Scan")) {
                long loops = Math.max(1, node.path("Actual Loops").asLong());
                rows += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()) * loops;
            }
            for (JsonNode child : node.path("Plans")) {
                rows += rowsRead(child);
            }
            return rows;
        }

        @Override
        public String toString() {
            return sql + "\n" + plan.toPrettyString();
        }
    }

    private final List<Plan> plans = new ArrayList<>();

    public PlanRecordingDataSource(DataSource postgres) {
        super(postgres);
    }

    /** The plans recorded since the last call. */
    public synchronized List<Plan> takePlans() {
        List<Plan> taken = List.copyOf(plans);
        plans.clear();
        return taken;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        return proxy(Connection.class, (self, method, arguments) -> {
            Object result = invoke(connection, method, arguments);
            if (method.getName().equals("prepareStatement") && arguments[0] instanceof String sql) {
                return recording(connection, sql, (PreparedStatement) result);
            }
            return result;
        });
    }

    private PreparedStatement recording(Connection connection, String sql, PreparedStatement statement) {
        List<Object[]> parameters = new ArrayList<>();
        List<Method> setters = new ArrayList<>();
        return proxy(PreparedStatement.class, (self, method, arguments) -> {
            if (method.getName().startsWith("set") && arguments != null && arguments.length >= 2
                    && arguments[0] instanceof Integer) {
                setters.add(method);
                parameters.add(arguments);
            }
            if (method.getName().equals("executeQuery") && (arguments == null || arguments.length == 0)) {
                record(connection, sql, setters, parameters);
            }
            return invoke(statement, method, arguments);
        });
    }

    private synchronized void record(Connection connection, String sql, List<Method> setters,
                                     List<Object[]> parameters) throws Throwable {
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
            for (int i = 0; i < setters.size(); i++) {
                invoke(explain, setters.get(i), parameters.get(i));
            }
            try (ResultSet result = explain.executeQuery()) {
                result.next();
                plans.add(new Plan(sql, LedgerHttp.JSON.readTree(result.getString(1))));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(PlanRecordingDataSource.class.getClassLoader(), new Class<?>[]{type},
                handler);
    }

    private static Object invoke(Object target, Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

package dev.claimsledger.server.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, made with {@code initdb} in a temporary directory and run on a free port of
 * 127.0.0.1, so that the test can stop, restart and cut it without disturbing the shared test database. It uses the
 * binaries of the local PostgreSQL 15 installation; as root (as CI runs) they run as the {@code postgres} user, which
 * PostgreSQL requires. The role {@code claims} owns the database {@code claims}.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final Path BINARIES = Path.of("/usr/lib/postgresql/15/bin");
    private static final String USER = "claims";
    private static final String DATABASE = "claims";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path home;
    private final int port;

    private PrivatePostgres(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /** A new cluster, initialised and started, with an empty database {@code claims}. */
    public static PrivatePostgres start() {
        try {
            Path home = Files.createTempDirectory("claims-private-pg-");
            if (ROOT) {
                run(List.of("chown", "postgres:postgres", home.toString()), false);
            }
            PrivatePostgres postgres = new PrivatePostgres(home, freePort());
            postgres.asOwner("initdb", "-D", postgres.data(), "-U", USER, "--auth=trust", "--no-sync",
                    "--encoding=UTF8", "--locale=C");
            postgres.startServer();
            try (Connection connection = DriverManager.getConnection(postgres.url("postgres"), USER, "");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database", e);
        }
    }

    /** The ledger's settings and a JDBC view of the database {@code claims}. */
    public TestDatabase database() {
        String url = url(DATABASE);
        return new TestDatabase("private PostgreSQL on port " + port, Map.of("spring.datasource.url", url,
                "spring.datasource.username", USER, "spring.datasource.password", ""), url, USER, "");
    }

    /** Stops the server as an operator's restart would ({@code pg_ctl stop -m fast}: sessions are ended). */
    public void stop() {
        asOwner("pg_ctl", "-D", data(), "-m", "fast", "-w", "-t", "30", "stop");
    }

    /** Starts the stopped server again on the same port and data. */
    public void startServer() {
        asOwner("pg_ctl", "-D", data(), "-l", home.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + home + " -c listen_addresses=127.0.0.1", "start");
    }

    /** Ends every session of the database {@code claims} but the caller's, as {@code pg_terminate_backend} does. */
    public int terminateSessions() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                     + " FROM pg_stat_activity WHERE datname = '" + DATABASE + "' AND pid <> pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Override
    public void close() {
        try {
            asOwner("pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
        } catch (RuntimeException ignored) {
            // already stopped
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private String data() {
        return home.resolve("data").toString();
    }

    private void asOwner(String program, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(BINARIES.resolve(program).toString());
        command.addAll(List.of(arguments));
        run(command, ROOT);
    }

    private static void run(List<String> command, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + full, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

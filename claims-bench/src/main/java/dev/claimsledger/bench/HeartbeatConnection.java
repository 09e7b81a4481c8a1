package dev.claimsledger.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One kept-alive HTTP/1.1 connection that sends single heartbeats and reads their answers, as wrk does: a request
 * written in one piece, the answer read by its length and dropped. The JDK's {@code HttpClient} took about a quarter
 * of the machine at half the peak, passing every exchange through its one selector thread, and its clients fell
 * behind their schedule; this costs a few microseconds per call. Used from one thread.
 */
final class HeartbeatConnection implements AutoCloseable {

    private final String host;
    private final int port;
    /** What follows the request line, the same for every heartbeat. */
    private final String headers;
    private final byte[] line = new byte[8192];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HeartbeatConnection(String host, int port, String apiKey) {
        this.host = host;
        this.port = port;
        this.headers = "Host: " + host + ":" + port + "\r\nAuthorization: Bearer " + apiKey
                + "\r\nContent-Length: 0\r\n\r\n";
    }

    /** The answer's status, or -1 when the connection failed (it is opened again for the next call). */
    int heartbeat(String tenant, String consumer) {
        byte[] request = ("POST /v1/tenants/" + tenant + "/claims/" + LedgerClient.encode(consumer)
                + "/epochs/1/heartbeats HTTP/1.1\r\n" + headers).getBytes(StandardCharsets.US_ASCII);
        while (true) {
            boolean reused = socket != null;
            try {
                return exchange(request);
            } catch (IOException e) {
                close();
                // a kept-alive connection the server had closed while idle: sent once more on a new one, as HTTP
                // clients do; a new connection is never reused, so this happens at most once
                if (!(e instanceof NoAnswer) || !reused) {
                    return -1;
                }
            }
        }
    }

    private int exchange(byte[] request) throws IOException {
        if (socket == null) {
            open();
        }
        try {
            out.write(request);
            out.flush();
            in.mark(1);
            if (in.read() < 0) {
                throw new NoAnswer();
            }
            in.reset();
        } catch (NoAnswer | SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new NoAnswer(e);
        }
        return readAnswer();
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
    }

    /** Reads the status line, the headers and the body; closes the connection when the server said it would. */
    private int readAnswer() throws IOException {
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 answer: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closing = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                throw new IOException("malformed header: " + header);
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closing = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        if (chunked) {
            for (long size = chunkSize(); size > 0; size = chunkSize()) {
                skip(size);
                readLine();
            }
            while (!readLine().isEmpty()) {
                // trailer fields, none expected
            }
        } else if (length > 0) {
            skip(length);
        }
        if (closing) {
            close();
        }
        return status;
    }

    /** A chunk's size line, without its extensions. */
    private long chunkSize() throws IOException {
        return Long.parseLong(readLine().split(";", 2)[0].trim(), 16);
    }

    private String readLine() throws IOException {
        int size = 0;
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed inside an answer");
            }
            if (size == line.length) {
                throw new IOException("a line of the answer is longer than " + line.length + " bytes");
            }
            line[size++] = (byte) b;
        }
        if (size > 0 && line[size - 1] == '\r') {
            size--;
        }
        return new String(line, 0, size, StandardCharsets.US_ASCII);
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("the connection closed inside an answer's body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do: the next call opens a new connection
            }
            socket = null;
        }
    }

    /** The connection failed before the answer's first byte: the request can be sent again on a new one. */
    private static final class NoAnswer extends IOException {

        NoAnswer() {
        }

        NoAnswer(IOException cause) {
            super(cause);
        }
    }
}

package dev.claimsledger.client;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;

/** The ledger's answer to one request: a status and body, or the failure that left it without one (status 0). */
record Reply(int status, byte[] body, IOException failure) {

    /**
     * Sends {@code request} and waits for the answer, at most the request's time-out. Blocking on the caller's
     * thread on purpose: {@code sendAsync} completes its futures through the JDK's default async pool, which on a
     * machine with two cores starts a new thread for each answer.
     */
    static Reply exchange(HttpClient http, HttpRequest request) throws InterruptedException {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.body(), null);
        } catch (IOException e) {
            return new Reply(0, new byte[0], e);
        }
    }

    boolean answered() {
        return failure == null;
    }

    /**
     * Worth trying again: no answer (refused, reset, timed out), 429, or a 5xx other than the "never works" ones. The
     * ledger's 503 means it did not decide in time; every request this client makes is idempotent.
     */
    boolean retryable() {
        return failure != null || status == 429 || status >= 500 && status != 501 && status != 505;
    }

    /** For logs and exception messages. */
    String describe() {
        if (failure != null) {
            return (failure instanceof HttpTimeoutException ? "no answer in time: " : "no answer: ") + failure;
        }
        LedgerWire.Problem problem = LedgerWire.problem(status, body);
        return "HTTP " + status + " " + problem.code() + ": " + problem.detail();
    }
}

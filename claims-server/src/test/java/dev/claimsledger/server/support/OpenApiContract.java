package dev.claimsledger.server.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The OpenAPI document a running ledger serves, as the judge of every exchange a {@link LedgerHttp} makes with it
 * (see {@link LedgerHttp#heldToTheServedDocument}). It is read from the ledger itself, so what is judged is what
 * clients get, and it is checked by Atlassian's validator:
 *
 * <ul>
 *   <li>every answer, errors included, must be one the document declares for its operation: status, media type,
 *       headers and body;</li>
 *   <li>a request the document calls invalid must not be accepted: the ledger may refuse more than the document
 *       can express (a blank id, a byte length), but never take what the document refuses;</li>
 *   <li>a call outside the document must be answered as the document's description says: 404 or 405
 *       {@code unsupported_request}.</li>
 * </ul>
 *
 * Whether a call needs an API key is not judged here: the ledgers of these tests run open (no keys file), which
 * README allows on a loopback address; {@code ApiKeySecurityTest} and {@code OpenApiScopesTest} hold the keys to
 * their rules.
 */
public final class OpenApiContract {

    /** Paths the document leaves out on purpose: operations (README, Operations) and the document itself. */
    private static final List<String> OUTSIDE_THE_API = List.of("/actuator/", "/v3/api-docs", "/swagger-ui");
    private static final Set<String> UNDOCUMENTED_CALL = Set.of("validation.request.path.missing",
            "validation.request.operation.notAllowed");

    private final OpenApiInteractionValidator validator;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    private OpenApiContract(String document) {
        this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                        .build())
                .build();
    }

    /** A contract of the given document (JSON or YAML). */
    static OpenApiContract of(String document) {
        return new OpenApiContract(document);
    }

    /** The document served at {@code /v3/api-docs} by the ledger at {@code baseUrl}. */
    public static OpenApiContract servedBy(String baseUrl) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v3/api-docs"))
                .timeout(Duration.ofSeconds(60)).GET().build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/v3/api-docs answered " + response.statusCode() + ": "
                        + response.body());
            }
            return new OpenApiContract(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the OpenAPI document", e);
        }
    }

    /** The violations found since the last call, for a check after a test whose polling may have swallowed one. */
    List<String> takeViolations() {
        synchronized (violations) {
            List<String> taken = List.copyOf(violations);
            violations.clear();
            return taken;
        }
    }

    /** Fails, and remembers, an exchange that breaks the document. */
    public void check(HttpRequest request, LedgerHttp.Reply reply) {
        String path = request.uri().getRawPath();
        if (OUTSIDE_THE_API.stream().anyMatch(path::startsWith)) {
            return;
        }
        List<String> found = new ArrayList<>();
        ValidationReport report = validator.validate(request(request), response(reply));
        boolean undocumented = report.getMessages().stream().anyMatch(m -> UNDOCUMENTED_CALL.contains(m.getKey()));
        if (undocumented) {
            if (!(reply.status() == 404 || reply.status() == 405) || !"unsupported_request".equals(reply.code())) {
                found.add("a call outside the document must be answered 404 or 405 unsupported_request");
            }
        } else {
            boolean accepted = reply.status() >= 200 && reply.status() < 300;
            for (ValidationReport.Message message : report.getMessages()) {
                boolean aboutTheRequest = message.getKey().startsWith("validation.request.");
                if (message.getLevel() == ValidationReport.Level.ERROR && (accepted || !aboutTheRequest)) {
                    found.add((aboutTheRequest ? "accepted a request the document refuses: " : "")
                            + message.getKey() + ": " + message.getMessage());
                }
            }
        }
        if (!found.isEmpty()) {
            String violation = request.method() + " " + request.uri().getRawPath()
                    + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery())
                    + " answered " + reply + "\n  " + String.join("\n  ", found);
            violations.add(violation);
            throw new AssertionError("The exchange breaks the OpenAPI document the ledger serves: " + violation);
        }
    }

    private static Request request(HttpRequest sent) {
        URI uri = sent.uri();
        SimpleRequest.Builder request = new SimpleRequest.Builder(sent.method(), uri.getRawPath());
        sent.headers().map().forEach(request::withHeader);
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int equals = pair.indexOf('=');
                request.withQueryParam(decode(equals < 0 ? pair : pair.substring(0, equals)),
                        equals < 0 ? "" : decode(pair.substring(equals + 1)));
            }
        }
        byte[] body = body(sent);
        if (body.length > 0) {
            request.withBody(body);
        }
        return request.build();
    }

    private static SimpleResponse response(LedgerHttp.Reply reply) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(reply.status());
        reply.headers().map().forEach(response::withHeader);
        if (!reply.body().isEmpty()) {
            response.withBody(reply.body());
        }
        return response.build();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** The bytes a request's body publisher sends. */
    private static byte[] body(HttpRequest request) {
        if (request.bodyPublisher().isEmpty() || request.bodyPublisher().get().contentLength() == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        request.bodyPublisher().get().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.writeBytes(chunk);
            }

            @Override
            public void onError(Throwable failure) {
                done.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                done.complete(bytes.toByteArray());
            }
        });
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a request body", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the request body", e);
        }
    }
}

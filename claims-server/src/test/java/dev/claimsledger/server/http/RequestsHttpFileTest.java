package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The committed {@code requests.http} works as a newcomer runs it: every request, in order, against a fresh ledger,
 * answers what its comment says (2xx unless the comment names an error status).
 */
class RequestsHttpFileTest {

    private static final Path REQUESTS = Path.of("..", "requests.http");
    private static final Pattern VARIABLE = Pattern.compile("^@(\\w+)\\s*=\\s*(.*)$");
    private static final Pattern NAMED_STATUS = Pattern.compile("\\b([45]\\d\\d)\\b");

    @TempDir
    Path dataDir;

    @Test
    void everyRequestOfRequestsHttpAnswersAsItsCommentSays() throws Exception {
        List<String> lines = Files.readAllLines(REQUESTS);
        try (ConfigurableApplicationContext ledger = Ledger.startWithHttp(TestDatabase.freshH2(dataDir), Map.of())) {
            Map<String, String> variables = new HashMap<>();
            variables.put("base", Ledger.baseUrl(ledger));
            List<Request> requests = parse(lines, variables);
            assertThat(requests).as("requests in requests.http").hasSizeGreaterThanOrEqualTo(10);

            HttpClient client = HttpClient.newHttpClient();
            List<String> wrong = new ArrayList<>();
            for (Request request : requests) {
                if (request.method().equals("GET")) {
                    // a person runs them one by one; the read model follows the events a moment behind
                    Thread.sleep(1_000);
                }
                HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(request.url()));
                request.headers().forEach(http::header);
                http.method(request.method(), request.body().isBlank() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
                int status = client.send(http.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                boolean expected = request.expectedStatus()
                        .map(named -> named == status)
                        .orElse(status >= 200 && status < 300);
                if (!expected) {
                    wrong.add(request.title() + " -> " + status);
                }
            }
            assertThat(wrong).as("requests that did not answer as their comment says").isEmpty();
        }
    }

    private static List<Request> parse(List<String> lines, Map<String, String> variables) {
        List<Request> requests = new ArrayList<>();
        String title = null;
        List<String> block = new ArrayList<>();
        for (String line : lines) {
            Matcher variable = VARIABLE.matcher(line);
            if (variable.matches()) {
                variables.putIfAbsent(variable.group(1), variable.group(2).trim());
            } else if (line.startsWith("###")) {
                request(title, block, variables).ifPresent(requests::add);
                title = line.substring(3).trim();
                block = new ArrayList<>();
            } else if (title != null) {
                block.add(line);
            }
        }
        request(title, block, variables).ifPresent(requests::add);
        return requests;
    }

    private static Optional<Request> request(String title, List<String> block, Map<String, String> variables) {
        List<String> content = block.stream().map(line -> substitute(line, variables)).toList();
        int first = 0;
        while (first < content.size() && content.get(first).isBlank()) {
            first++;
        }
        if (title == null || first == content.size()) {
            return Optional.empty();
        }
        String[] requestLine = content.get(first).trim().split(" ", 2);
        Map<String, String> headers = new HashMap<>();
        int line = first + 1;
        for (; line < content.size() && !content.get(line).isBlank(); line++) {
            String header = content.get(line);
            headers.put(header.substring(0, header.indexOf(':')).trim(), header.substring(header.indexOf(':') + 1).trim());
        }
        String body = String.join("\n", content.subList(Math.min(line, content.size()), content.size())).trim();
        Matcher status = NAMED_STATUS.matcher(title);
        Optional<Integer> expected = status.find() ? Optional.of(Integer.parseInt(status.group(1))) : Optional.empty();
        return Optional.of(new Request(title, requestLine[0], requestLine[1].trim(), headers, body, expected));
    }

    private static String substitute(String line, Map<String, String> variables) {
        String result = line;
        for (int pass = 0; pass < 3; pass++) {
            for (Map.Entry<String, String> variable : variables.entrySet()) {
                result = result.replace("{{" + variable.getKey() + "}}", variable.getValue());
            }
        }
        return result;
    }

    record Request(String title, String method, String url, Map<String, String> headers, String body,
                   Optional<Integer> expectedStatus) {
    }
}

package dev.claimsledger.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The OpenAPI document tells a client the key each operation needs, as {@link ApiKeyFilter} enforces it, on a ledger
 * that has keys: every operation needs the bearer key and names the scope the filter asks for, and the 401 and 403
 * answers are the ones the document declares.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiScopesTest {

    private static final String READER = "reader-" + System.nanoTime();
    /** A path parameter's value for a path of the document: any id or number does. */
    private static final Map<String, String> SAMPLE_PARAMETERS = Map.of("{tenant}", "acme", "{consumer}", "worker-1",
            "{epoch}", "1", "{runner}", "runner-a", "{id}", "rebuild-1");

    @TempDir
    static Path directory;

    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;
    private JsonNode document;

    @BeforeAll
    void startLedgerWithKeys() throws IOException {
        Path keysFile = directory.resolve("api-keys.yaml");
        Files.writeString(keysFile, """
                - name: the-reader
                  sha256: %s
                  scopes: [claims:read]
                  tenants: [acme]
                """.formatted(ApiKeys.sha256Hex(READER)), StandardCharsets.UTF_8);
        ledger = Ledger.startWithHttp(TestDatabase.freshH2(directory.resolve("data")),
                Map.of("claims.security.api-keys-file", keysFile.toString()));
        http = LedgerHttp.heldToTheServedDocument(Ledger.baseUrl(ledger));
        document = http.get("/v3/api-docs").json();
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @Test
    void everyOperationNeedsTheBearerApiKey() {
        JsonNode scheme = document.at("/components/securitySchemes/apiKey");
        assertThat(scheme.path("type").asText()).isEqualTo("http");
        assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");

        assertThat(operations()).isNotEmpty().allSatisfy(operation ->
                assertThat(operation.node().path("security").toString()).as(operation.name())
                        .isEqualTo("[{\"apiKey\":[]}]"));
    }

    @Test
    void everyOperationNamesTheScopeTheKeyFilterAsksFor() {
        assertThat(operations()).isNotEmpty().allSatisfy(operation -> {
            ApiKeyFilter.Requirement needed = ApiKeyFilter.Requirement.of(operation.method(), samplePath(operation),
                    null);

            assertThat(operation.node().path("description").asText()).as(operation.name())
                    .contains(needed.scope() == null ? "Needs an API key the ledger knows, of any scope and any tenant."
                            : "Needs an API key with the scope `" + needed.scope() + "`" + (needed.everyTenant()
                                    ? " for every tenant." : needed.tenant() == null ? "." : " for the tenant."));
        });
    }

    @Test
    void anOperationDeclares403ExactlyWhenTheKeyFilterCanRefuseAKnownKey() {
        assertThat(operations()).isNotEmpty().allSatisfy(operation -> {
            ApiKeyFilter.Requirement needed = ApiKeyFilter.Requirement.of(operation.method(), samplePath(operation),
                    null);
            boolean refusable = needed.scope() != null || needed.tenant() != null || needed.everyTenant();

            assertThat(operation.node().path("responses").has("403")).as(operation.name()).isEqualTo(refusable);
        });
    }

    @Test
    void aCallWithoutAKeyIsAnsweredAsTheDocumentDeclares() {
        Reply reply = http.get("/v1/tenants/acme/claims");

        reply.assertProblem(401, "unauthenticated");
        assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void aCallWithAKeyWithoutTheScopeIsAnsweredAsTheDocumentDeclares() {
        Reply reply = http.send("/v1/admin/audit", request -> request.header("Authorization", "Bearer " + READER)
                .GET());

        reply.assertProblem(403, "forbidden");
    }

    private record Operation(String method, String path, JsonNode node) {

        String name() {
            return method + " " + path;
        }
    }

    /** The operation's path with a sample value for each parameter. */
    private static String samplePath(Operation operation) {
        String path = operation.path();
        for (Map.Entry<String, String> parameter : SAMPLE_PARAMETERS.entrySet()) {
            path = path.replace(parameter.getKey(), parameter.getValue());
        }
        return path;
    }

    private List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(method ->
                operations.add(new Operation(method.getKey().toUpperCase(Locale.ROOT), path.getKey(),
                        method.getValue()))));
        return operations;
    }
}

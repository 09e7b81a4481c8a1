package dev.claimsledger.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The judge of the contract tests can fail: a drifted answer, a refused request the ledger took, and a call outside
 * the document are each caught, on a document shaped like the ledger's (OpenAPI 3.0, nullable fields, problems with an
 * enum of codes).
 */
class OpenApiContractTest {

    private static final String DOCUMENT = """
            openapi: 3.0.1
            info: {title: t, version: v1}
            paths:
              /v1/things/{id}:
                parameters:
                  - {name: id, in: path, required: true, schema: {type: integer, format: int64, minimum: 0}}
                get:
                  responses:
                    '200':
                      description: the thing
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [name, note, size]
                            properties:
                              name: {type: string}
                              note: {type: string, nullable: true}
                              size:
                                anyOf:
                                  - {$ref: '#/components/schemas/Size'}
                                  - {type: object, nullable: true, enum: [null]}
                    '404':
                      description: none
                      content:
                        application/problem+json:
                          schema:
                            type: object
                            required: [code]
                            properties:
                              code: {type: string, enum: [thing_not_found]}
            components:
              schemas:
                Size:
                  type: object
                  required: [bytes]
                  properties:
                    bytes: {type: integer}
            """;

    private final OpenApiContract contract = OpenApiContract.of(DOCUMENT);

    @Test
    void anAnswerAsDeclaredPassesWithNullWhereTheDocumentAllowsIt() {
        assertThatCode(() -> contract.check(get("/v1/things/1"),
                json(200, "{\"name\":\"a\",\"note\":null,\"size\":null}"))).doesNotThrowAnyException();
        assertThatCode(() -> contract.check(get("/v1/things/1"),
                problem(404, "{\"code\":\"thing_not_found\"}"))).doesNotThrowAnyException();
    }

    @Test
    void aNullableReferenceTakesNullOrTheReferencedSchemaOnly() {
        assertThatCode(() -> contract.check(get("/v1/things/1"),
                json(200, "{\"name\":\"a\",\"note\":null,\"size\":{\"bytes\":3}}"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> contract.check(get("/v1/things/1"),
                json(200, "{\"name\":\"a\",\"note\":null,\"size\":{}}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("/size");
    }

    @Test
    void aNullWhereTheDocumentSaysStringIsCaught() {
        assertThatThrownBy(() -> contract.check(get("/v1/things/1"), json(200, "{\"name\":null,\"note\":null}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("validation.response.body");
    }

    @Test
    void aMissingRequiredFieldIsCaught() {
        assertThatThrownBy(() -> contract.check(get("/v1/things/1"), json(200, "{\"name\":\"a\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("note");
    }

    @Test
    void aStatusTheDocumentDoesNotDeclareIsCaught() {
        assertThatThrownBy(() -> contract.check(get("/v1/things/1"), problem(409, "{\"code\":\"conflict\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("validation.response.status.unknown");
    }

    @Test
    void anErrorCodeTheOperationDoesNotListIsCaught() {
        assertThatThrownBy(() -> contract.check(get("/v1/things/1"), problem(404, "{\"code\":\"claim_not_found\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("claim_not_found");
    }

    @Test
    void aRequestTheDocumentRefusesMustNotBeAccepted() {
        assertThatThrownBy(() -> contract.check(get("/v1/things/-1"),
                json(200, "{\"name\":\"a\",\"note\":null,\"size\":null}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("accepted a request the document refuses");
    }

    @Test
    void aRequestTheDocumentRefusesMayBeRefused() {
        assertThatCode(() -> contract.check(get("/v1/things/-1"), problem(404, "{\"code\":\"thing_not_found\"}")))
                .doesNotThrowAnyException();
    }

    @Test
    void aCallOutsideTheDocumentMustBeAnsweredUnsupportedRequest() {
        assertThatCode(() -> contract.check(get("/v1/nowhere"), problem(404, "{\"code\":\"unsupported_request\"}")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> contract.check(get("/v1/nowhere"), json(200, "{}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("outside the document");
    }

    @Test
    void aViolationIsRememberedUntilItIsTaken() {
        assertThatThrownBy(() -> contract.check(get("/v1/things/1"), json(200, "{}")));

        assertThat(contract.takeViolations()).hasSize(1);
        assertThat(contract.takeViolations()).isEmpty();
    }

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:1" + path)).GET().build();
    }

    private static LedgerHttp.Reply json(int status, String body) {
        return reply(status, "application/json", body);
    }

    private static LedgerHttp.Reply problem(int status, String body) {
        return reply(status, "application/problem+json", body);
    }

    private static LedgerHttp.Reply reply(int status, String contentType, String body) {
        return new LedgerHttp.Reply(status, HttpHeaders.of(Map.of("Content-Type", List.of(contentType)),
                (name, value) -> true), body);
    }
}

package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimCommandValidation;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Contact;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.GlobalOperationComponentsCustomizer;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.PropertyCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;

/**
 * The OpenAPI document at {@code /v3/api-docs} (browsable at {@code /swagger-ui.html}). Each operation is described by
 * the annotations on its controller method and its records; the pieces all operations share are added here: the
 * bearer API key, the problem+json errors with the codes each operation can give ({@link ProblemCodes}), the path
 * parameters, and which properties of an answer are always there.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    /** The name of the security scheme each operation names in its {@code @SecurityRequirement}. */
    public static final String API_KEY = "apiKey";
    /**
     * What every operation can answer: a malformed request (also one Tomcat refuses before the application sees it), no
     * key or an unknown one, a key without the scope or the tenant, and a failure inside the ledger.
     */
    static final Set<ClaimErrorCode> CODES_OF_EVERY_OPERATION = EnumSet.of(ClaimErrorCode.VALIDATION_FAILED,
            ClaimErrorCode.UNAUTHENTICATED, ClaimErrorCode.FORBIDDEN, ClaimErrorCode.INTERNAL_ERROR);

    private static final Map<String, Supplier<Parameter>> PATH_PARAMETERS = Map.of(
            "tenant", () -> new Parameter().description("The tenant id: 1 to 512 characters and at most 512 bytes in "
                    + "UTF-8, no control characters, percent-encoded as one path segment").schema(id()),
            "consumer", () -> new Parameter().description("The consumer id, as the claim names it; percent-encoded as "
                    + "one path segment (a '/' in it as %2F)").schema(id()),
            "runner", () -> new Parameter().description("The runner id, as claims name it; percent-encoded as one path "
                    + "segment").schema(id()),
            "epoch", () -> new Parameter().description("The epoch: plain decimal digits, 0 to 2^63-1")
                    .schema(type("integer").format("int64").minimum(BigDecimal.ZERO)),
            "id", () -> new Parameter().description("The rebuild's or the compaction's id, from the Location its "
                    + "start answered with").schema(type("string")));

    @Bean
    OpenAPI claimsLedgerOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("claims-ledger")
                        .version("v1")
                        .description("An event-sourced ledger of work claims and their leases. Workers claim work; "
                                + "a claim holds a lease that stays alive while heartbeats arrive, ends when the "
                                + "worker releases it and expires by itself otherwise. Every error is RFC 9457 "
                                + "problem+json with a stable `code`; each operation lists the codes it can answer "
                                + "with. A request outside this document (an unknown path, another method) is "
                                + "answered 404 or 405 with the code `unsupported_request`. JSON names are "
                                + "snake_case and instants ISO-8601 in UTC.")
                        .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0"))
                        .contact(new Contact().name("claims-ledger maintainers")))
                .servers(List.of(new Server().url("/").description("the ledger that serves this document")))
                .components(new Components()
                        .addSecuritySchemes(API_KEY, new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("An API key from the ledger's keys file, sent as "
                                        + "`Authorization: Bearer <key>`. Each operation names the scope its key "
                                        + "needs; a key is also limited to its tenants, and what spans tenants "
                                        + "(everything under /v1/admin) needs a key of every tenant (`*`). Without "
                                        + "a keys file the ledger runs open on a loopback address and takes any "
                                        + "call.")));
    }

    @Bean
    GlobalOperationComponentsCustomizer problemResponsesOfEachOperation() {
        return new ErrorResponses();
    }

    /**
     * The error responses of each operation, from the codes every operation has and its {@link ProblemCodes}: one per
     * status, each a problem whose {@code code} is one of that status's codes. Each set of codes has its schema,
     * named after them ({@code StaleEpochOrConflictProblem}), shared by the operations that give the same codes.
     */
    private static final class ErrorResponses implements GlobalOperationComponentsCustomizer {

        @Override
        public Operation customize(Operation operation, HandlerMethod handler) {
            throw new UnsupportedOperationException("springdoc hands the components to a components customizer");
        }

        @Override
        public Operation customize(Operation operation, Components components, HandlerMethod handler) {
            Set<ClaimErrorCode> codes = EnumSet.copyOf(CODES_OF_EVERY_OPERATION);
            ProblemCodes declared = handler.getMethodAnnotation(ProblemCodes.class);
            if (declared != null) {
                codes.addAll(Arrays.asList(declared.value()));
            }
            Map<Integer, Set<ClaimErrorCode>> byStatus = new TreeMap<>();
            for (ClaimErrorCode code : codes) {
                byStatus.computeIfAbsent(ProblemResponses.statusOf(code).value(), status -> new LinkedHashSet<>())
                        .add(code);
            }
            byStatus.put(406, Set.of(ClaimErrorCode.UNSUPPORTED_REQUEST));
            if (takesABody(handler.getMethodParameters())) {
                byStatus.put(413, Set.of(ClaimErrorCode.PAYLOAD_TOO_LARGE));
                byStatus.put(415, Set.of(ClaimErrorCode.UNSUPPORTED_REQUEST));
            }
            ApiResponses responses = operation.getResponses();
            byStatus.forEach((status, statusCodes) -> responses.addApiResponse(Integer.toString(status),
                    problemResponse(status, problemSchemaFor(components, statusCodes))));
            return operation;
        }
    }

    /**
     * A property marked {@code @Schema(nullable = true)} whose type is another schema becomes {@code anyOf} that schema
     * or null: swagger-core writes such a property as a bare {@code $ref}, OpenAPI 3.0 ignores everything beside a
     * {@code $ref}, and {@code nullable} beside an {@code allOf} lets no null through it.
     */
    @Bean
    PropertyCustomizer nullableReferences() {
        return (property, type) -> {
            if (property == null || property.get$ref() == null || type.getCtxAnnotations() == null) {
                return property;
            }
            return Arrays.stream(type.getCtxAnnotations())
                    .filter(io.swagger.v3.oas.annotations.media.Schema.class::isInstance)
                    .map(io.swagger.v3.oas.annotations.media.Schema.class::cast)
                    .filter(io.swagger.v3.oas.annotations.media.Schema::nullable)
                    .findFirst()
                    .<Schema>map(annotation -> {
                        Schema<Object> onlyNull = type("object");
                        onlyNull.setNullable(true);
                        onlyNull.setEnum(new ArrayList<>(Arrays.asList((Object) null)));
                        Schema<Object> nullable = new Schema<>();
                        nullable.setAnyOf(List.of(new Schema<>().$ref(property.get$ref()), onlyNull));
                        nullable.setDescription(annotation.description().isEmpty() ? null : annotation.description());
                        return nullable;
                    })
                    .orElse(property);
        };
    }

    /** The pieces every operation shares: path parameters, scopes in descriptions, answers whose fields are all there. */
    @Bean
    OpenApiCustomizer piecesEveryOperationShares() {
        return openApi -> {
            openApi.getPaths().forEach((path, item) -> item.readOperations().forEach(operation -> {
                describePathParameters(operation);
                nameTheScope(path, operation);
            }));
            requireEveryWrittenProperty(openApi);
            openApi.getComponents().getSchemas().values().forEach(OpenApiConfiguration::allowNullInNullableEnums);
        };
    }

    /** A nullable property with an enum takes null only when the enum lists it (JSON Schema's enum is exhaustive). */
    @SuppressWarnings("unchecked")
    private static void allowNullInNullableEnums(Schema<?> schema) {
        if (schema.getProperties() == null) {
            return;
        }
        for (Schema<?> property : schema.getProperties().values()) {
            if (Boolean.TRUE.equals(property.getNullable()) && property.getEnum() != null
                    && !property.getEnum().contains(null)) {
                List<Object> values = new ArrayList<>(property.getEnum());
                values.add(null);
                ((Schema<Object>) property).setEnum(values);
            }
        }
    }

    private static void describePathParameters(Operation operation) {
        if (operation.getParameters() == null) {
            return;
        }
        for (Parameter parameter : operation.getParameters()) {
            Supplier<Parameter> shared = PATH_PARAMETERS.get(parameter.getName());
            if ("path".equals(parameter.getIn()) && shared != null) {
                Parameter described = shared.get();
                parameter.description(described.getDescription()).schema(described.getSchema());
            }
        }
    }

    /**
     * Moves the scope each operation's {@code @SecurityRequirement} names into its description: OpenAPI 3.0 lets only
     * OAuth2 and OpenID Connect requirements list scopes. A requirement without a scope takes any known key. What is
     * under {@code /v1/admin} spans tenants and needs a key for every tenant, as {@code ApiKeyFilter} enforces.
     */
    private static void nameTheScope(String path, Operation operation) {
        List<SecurityRequirement> requirements = operation.getSecurity() == null ? List.of()
                : operation.getSecurity().stream().filter(requirement -> requirement.containsKey(API_KEY)).toList();
        if (requirements.isEmpty()) {
            return;
        }
        List<String> scopes = requirements.stream().flatMap(requirement -> requirement.get(API_KEY).stream())
                .toList();
        requirements.forEach(requirement -> requirement.replace(API_KEY, List.of()));
        if (scopes.isEmpty() && !path.contains("{tenant}")) {
            // any known key may call it: no scope or tenant to lack
            operation.getResponses().remove("403");
        }
        String needs = scopes.isEmpty() ? "Needs an API key the ledger knows, of any scope and any tenant."
                : "Needs an API key with the scope " + String.join(" or ", scopes.stream()
                        .map(scope -> "`" + scope + "`").toList()) + forWhichTenants(path);
        operation.description(operation.getDescription() == null ? needs : operation.getDescription() + "\n\n" + needs);
    }

    private static String forWhichTenants(String path) {
        if (path.startsWith("/v1/admin/")) {
            return " for every tenant.";
        }
        return path.startsWith("/v1/tenants/{tenant}") ? " for the tenant." : ".";
    }

    /**
     * The ledger's JSON mapper writes every field of an answer, null or not (the nullable ones say so), so every
     * property of a schema an answer uses is required; a record that leaves fields out names its required ones.
     */
    private static void requireEveryWrittenProperty(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        Set<String> written = new HashSet<>();
        openApi.getPaths().values().stream().flatMap(item -> item.readOperations().stream())
                .flatMap(operation -> operation.getResponses().values().stream())
                .filter(response -> response.getContent() != null)
                .flatMap(response -> response.getContent().values().stream())
                .forEach(media -> collectReferences(media.getSchema(), schemas, written));
        for (String name : written) {
            Schema<?> schema = schemas.get(name);
            if (schema.getProperties() != null
                    && (schema.getRequired() == null || schema.getRequired().isEmpty())) {
                schema.setRequired(new ArrayList<>(schema.getProperties().keySet()));
            }
        }
    }

    private static void collectReferences(Schema<?> schema, Map<String, Schema> schemas, Set<String> found) {
        if (schema == null) {
            return;
        }
        if (schema.get$ref() != null) {
            String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
            if (found.add(name)) {
                collectReferences(schemas.get(name), schemas, found);
            }
            return;
        }
        List<Schema> children = new ArrayList<>();
        if (schema.getProperties() != null) {
            children.addAll(schema.getProperties().values());
        }
        children.add(schema.getItems());
        if (schema.getAllOf() != null) {
            children.addAll(schema.getAllOf());
        }
        if (schema.getAnyOf() != null) {
            children.addAll(schema.getAnyOf());
        }
        if (schema.getAdditionalProperties() instanceof Schema<?> values) {
            children.add(values);
        }
        children.forEach(child -> collectReferences(child, schemas, found));
    }

    private static boolean takesABody(MethodParameter[] parameters) {
        return Arrays.stream(parameters)
                .anyMatch(parameter -> parameter.hasParameterAnnotation(RequestBody.class));
    }

    private static ApiResponse problemResponse(int status, Map.Entry<String, Set<ClaimErrorCode>> schema) {
        ApiResponse response = new ApiResponse()
                .description(describe(status, schema.getValue()))
                .content(new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + schema.getKey()))));
        if (status == 401) {
            response.addHeaderObject("WWW-Authenticate", new Header().description("`Bearer`")
                    .schema(type("string")));
        }
        return response;
    }

    private static String describe(int status, Set<ClaimErrorCode> codes) {
        String what = switch (status) {
            case 400 -> "The request is malformed; nothing was recorded";
            case 401 -> "No API key, or one the ledger does not know";
            case 403 -> "The API key lacks the scope or the tenant this operation needs";
            case 404 -> "Nothing found at this URL";
            case 406 -> "The Accept header allows neither the answer's media type nor application/problem+json";
            case 409 -> "Refused by the ledger's rules or state; nothing was recorded";
            case 413 -> "The body is over claims.http.max-body-size";
            case 415 -> "The body is not application/json";
            case 500 -> "The ledger failed; the failure is logged";
            case 503 -> "The ledger cannot answer now (no answer within claims.http.request-timeout, its database out "
                    + "of reach, or every change stream of the node taken); the request may be retried";
            default -> "Refused";
        };
        return what + " (" + String.join(", ", codes.stream().map(ClaimErrorCode::code).toList()) + ")";
    }

    /** The name of the problem schema whose code is one of {@code codes}, registered in the components. */
    private static Map.Entry<String, Set<ClaimErrorCode>> problemSchemaFor(Components components,
                                                                           Set<ClaimErrorCode> codes) {
        String name = codes.stream().map(code -> Arrays.stream(code.code().split("_"))
                        .map(word -> Character.toUpperCase(word.charAt(0)) + word.substring(1))
                        .collect(Collectors.joining()))
                .collect(Collectors.joining("Or")) + "Problem";
        if (components.getSchemas() == null || !components.getSchemas().containsKey(name)) {
            components.addSchemas(name, problemSchema(codes));
        }
        return Map.entry(name, codes);
    }

    private static Schema<Object> problemSchema(Set<ClaimErrorCode> codes) {
        Schema<Object> problem = type("object")
                .description("An RFC 9457 problem. `code` is stable: match on it, never on `detail` or `title`.")
                .addProperty("type", type("string").format("uri-reference")
                        .description("`urn:claims-ledger:problem:` followed by the code"))
                .addProperty("title", type("string").description("The code in words"))
                .addProperty("status", type("integer").format("int32").description("The HTTP status"))
                .addProperty("detail", type("string").description("What was wrong, for people"))
                .addProperty("instance", type("string").format("uri-reference")
                        .description("The path of the request, where known"))
                .addProperty("code", type("string").description("The stable code of the error")
                        ._enum(codes.stream().<Object>map(ClaimErrorCode::code).toList()));
        problem.setRequired(List.of("type", "title", "status", "detail", "code"));
        return problem;
    }

    private static Schema<?> id() {
        return type("string").minLength(1).maxLength(ClaimCommandValidation.MAX_ID_LENGTH);
    }

    /** A schema of one JSON type, written right by both the OpenAPI 3.0 and the 3.1 serializer. */
    private static Schema<Object> type(String type) {
        Schema<Object> schema = new Schema<>();
        schema.setType(type);
        schema.setTypes(new LinkedHashSet<>(List.of(type)));
        return schema;
    }
}

package dev.claimsledger.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.merkle.Ed25519Keys;
import dev.claimsledger.server.ClaimsLedgerApplication;
import dev.claimsledger.server.ClaimsProperties;
import dev.claimsledger.server.security.ApiKeys;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files agree with the application (README, Operations): {@code docker/compose.yaml} and
 * {@code docker/Dockerfile} name profiles, environment variables, ports, paths and credentials the application
 * really has. No Docker engine is needed: the files are read, and one node is started in this JVM with exactly the
 * environment the compose file gives it.
 *
 * <p>The compose file is read with SnakeYAML, which resolves the {@code <<: *ledger} merge key the nodes are built
 * from; Jackson's YAML reader (2.21) leaves it as the literal text {@code "ledger"}, so the nodes would seem to have
 * no environment at all.
 */
class ComposeFileConsistencyTest {

    /** The test runs in {@code claims-server/}; the deployment files are beside it. */
    private static final Path DOCKER = Path.of("..", "docker");
    private static final Path RESOURCES = Path.of("src", "main", "resources");
    private static final List<String> LEDGER_NODES = List.of("ledger-1", "ledger-2");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode compose;
    private static String composeText;
    private static Dockerfile dockerfile;

    @TempDir
    Path directory;

    @BeforeAll
    static void readTheDeploymentFiles() throws IOException {
        composeText = Files.readString(DOCKER.resolve("compose.yaml"), StandardCharsets.UTF_8);
        Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(composeText);
        compose = JSON.valueToTree(loaded);
        dockerfile = Dockerfile.read(DOCKER.resolve("Dockerfile"));
    }

    // === profiles ====================================================================================================

    @Test
    void everyLedgerNodeActivatesProfilesThatExist() {
        assertThat(ledgerNodes()).as("services built from the ledger image").containsExactlyElementsOf(LEDGER_NODES);
        for (String node : LEDGER_NODES) {
            String profiles = environment(node).get("SPRING_PROFILES_ACTIVE");
            assertThat(profiles).as("SPRING_PROFILES_ACTIVE of %s", node).isNotBlank();
            for (String profile : profiles.split(",")) {
                assertThat(RESOURCES.resolve("application-" + profile.trim() + ".yml"))
                        .as("profile '%s' of %s", profile, node).exists();
            }
        }
    }

    @Test
    void theDocumentedAxonServerProfilesExist() {
        Matcher documented = Pattern.compile("CLAIMS_PROFILES=([a-z,]+)").matcher(composeText);
        assertThat(documented.find()).as("the compose file documents a CLAIMS_PROFILES for Axon Server").isTrue();

        assertThat(documented.group(1)).isEqualTo("postgres,axonserver");
        for (String profile : documented.group(1).split(",")) {
            assertThat(RESOURCES.resolve("application-" + profile + ".yml")).exists();
        }
        assertThat(rawEnvironment("ledger-1").get("SPRING_PROFILES_ACTIVE"))
                .as("the nodes' profiles come from CLAIMS_PROFILES").startsWith("${CLAIMS_PROFILES:-");
    }

    // === environment names ===========================================================================================

    @Test
    void theDatabaseAndAxonServerSettingsOfTheNodesAreOnesTheApplicationReads() throws IOException {
        String postgres = Files.readString(RESOURCES.resolve("application-postgres.yml"));
        String axonserver = Files.readString(RESOURCES.resolve("application-axonserver.yml"));

        for (String name : List.of("CLAIMS_DB_URL", "CLAIMS_DB_USER", "CLAIMS_DB_PASSWORD")) {
            assertThat(postgres).as("application-postgres.yml reads %s", name).contains("${" + name + ":");
            assertThat(environment("ledger-1")).as("the nodes set %s", name).containsKey(name);
        }
        assertThat(axonserver).as("application-axonserver.yml reads AXON_SERVER_ADDRESS")
                .contains("${AXON_SERVER_ADDRESS:");
        assertThat(environment("ledger-1")).containsKey("AXON_SERVER_ADDRESS");
    }

    @Test
    void theKeysFileVariableBindsToTheKeysSettingByRelaxedBinding() {
        Map<String, Object> env = Map.<String, Object>of("CLAIMS_SECURITY_API_KEYS_FILE",
                environment("ledger-1").get("CLAIMS_SECURITY_API_KEYS_FILE"));

        ClaimsProperties bound = bind(env).bindOrCreate("claims", ClaimsProperties.class);

        assertThat(bound.security().apiKeysFile()).isEqualTo(Path.of("/etc/claims-ledger/api-keys.yaml"));
    }

    /**
     * Every variable a node's container gets (from the Dockerfile and the compose file) is read by the application:
     * it is a placeholder in an {@code application*.yml}, binds to a setting by relaxed binding, or is the JVM's.
     * A misspelt name would be ignored in silence; this finds it.
     */
    @Test
    void everyVariableOfANodeIsReadByTheApplication() throws IOException {
        StringBuilder yaml = new StringBuilder();
        try (var files = Files.list(RESOURCES)) {
            for (Path file : files.filter(path -> path.getFileName().toString().matches("application.*\\.yml"))
                    .toList()) {
                yaml.append(Files.readString(file));
            }
        }
        Map<String, String> container = containerEnvironment("ledger-1");
        Binder binder = bind(new HashMap<String, Object>(container));
        ClaimsProperties claims = binder.bindOrCreate("claims", ClaimsProperties.class);
        Map<String, Object> boundSettings = new LinkedHashMap<>();
        boundSettings.put("SPRING_PROFILES_ACTIVE", binder.bind("spring.profiles.active", String.class).orElse(null));
        boundSettings.put("SERVER_ADDRESS", binder.bind("server.address", String.class).orElse(null));
        boundSettings.put("SERVER_PORT", binder.bind("server.port", String.class).orElse(null));
        boundSettings.put("CLAIMS_SECURITY_API_KEYS_FILE", String.valueOf(claims.security().apiKeysFile()));
        boundSettings.put("CLAIMS_CHECKPOINTS_SIGNING_KEY_FILE",
                String.valueOf(claims.checkpoints().signingKeyFile()));
        boundSettings.put("CLAIMS_DATA_DIR", String.valueOf(claims.dataDir()));

        List<String> unread = new ArrayList<>();
        for (Map.Entry<String, String> variable : container.entrySet()) {
            String name = variable.getKey();
            boolean placeholder = yaml.indexOf("${" + name + ":") >= 0 || yaml.indexOf("${" + name + "}") >= 0;
            boolean bound = variable.getValue().equals(boundSettings.get(name));
            boolean jvm = name.equals("JAVA_TOOL_OPTIONS");
            if (!placeholder && !bound && !jvm) {
                unread.add(name + "=" + variable.getValue());
            }
        }
        assertThat(unread).as("variables of a node that the application does not read").isEmpty();
    }

    // === ports and health check ======================================================================================

    @Test
    void theContainerPortIsTheServerPortEverywhere() {
        for (String node : LEDGER_NODES) {
            String serverPort = environment(node).get("SERVER_PORT");
            assertThat(serverPort).as("SERVER_PORT of %s", node).isEqualTo(dockerfile.env().get("SERVER_PORT"));
            assertThat(dockerfile.expose()).as("EXPOSE of the Dockerfile").containsExactly(serverPort);
            for (JsonNode mapping : compose.at("/services/" + node + "/ports")) {
                String[] parts = mapping.asText().split(":");
                assertThat(parts[parts.length - 1]).as("container port of %s in %s", node, mapping).isEqualTo(serverPort);
            }
            assertThat(URI.create(healthCheckUrl(node)).getPort()).as("health check port of %s", node)
                    .isEqualTo(Integer.parseInt(serverPort));
        }
        assertThat(URI.create(dockerfile.healthCheckUrl()).getPort()).as("health check port of the Dockerfile")
                .isEqualTo(Integer.parseInt(dockerfile.env().get("SERVER_PORT")));
    }

    @Test
    void theHealthChecksProbeTheActuatorHealthOfTheNodeItself() throws IOException {
        JsonNode application = JSON.valueToTree(new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(RESOURCES.resolve("application.yml"))));
        for (String url : List.of(healthCheckUrl("ledger-1"), healthCheckUrl("ledger-2"), dockerfile.healthCheckUrl())) {
            URI probe = URI.create(url);
            assertThat(probe.getHost()).as("%s", url).isEqualTo("127.0.0.1");
            assertThat(probe.getPath()).as("%s", url).isIn("/actuator/health", "/actuator/health/liveness",
                    "/actuator/health/readiness");
        }
        assertThat(application.at("/management/endpoint/health/probes/enabled").asBoolean())
                .as("liveness and readiness groups exist only with management.endpoint.health.probes.enabled").isTrue();
        assertThat(application.at("/management/endpoints/web/exposure/include").asText()).contains("health");
        assertThat(compose.at("/services/ledger-1/healthcheck/test/0").asText()).isEqualTo("CMD");
        assertThat(dockerfile.instructions()).anyMatch(line -> line.startsWith("RUN") && line.contains("curl"));
    }

    @Test
    void theNodesListenOnDifferentHostPorts() {
        List<String> hostPorts = new ArrayList<>();
        for (String node : LEDGER_NODES) {
            for (JsonNode mapping : compose.at("/services/" + node + "/ports")) {
                String[] parts = mapping.asText().split(":");
                assertThat(parts).as("%s publishes a host port", node).hasSizeGreaterThan(1);
                hostPorts.add(parts[parts.length - 2]);
            }
        }

        assertThat(hostPorts).hasSize(2).doesNotHaveDuplicates();
    }

    // === keys, database, Axon Server, image ==========================================================================

    @Test
    void theMountedKeysFileExistsLoadsAndIsTheOneTheNodesRead() {
        for (String node : LEDGER_NODES) {
            String keysFile = environment(node).get("CLAIMS_SECURITY_API_KEYS_FILE");
            Path source = mountedSource(node, keysFile);

            assertThat(source).as("the keys file mounted at %s in %s", keysFile, node).exists();
            ApiKeys keys = ApiKeys.load(source);
            assertThat(keys.size()).isEqualTo(3);
            assertThat(keys.authenticate("example-writer-key")).isPresent();
        }
    }

    /** The postgres profile refuses to start without a checkpoint signing key; every node is given the same one. */
    @Test
    void theMountedCheckpointSigningKeyExistsAndIsAnEd25519KeyTheNodesRead() {
        for (String node : LEDGER_NODES) {
            String keyFile = environment(node).get("CLAIMS_CHECKPOINTS_SIGNING_KEY_FILE");
            Path source = mountedSource(node, keyFile);

            assertThat(source).as("the signing key mounted at %s in %s", keyFile, node).exists();
            assertThat(Ed25519Keys.publicKeyOf(Ed25519Keys.readPrivateKey(source))).hasSize(32);
        }
    }

    @Test
    void thePostgresServiceHasTheDatabaseAndCredentialsTheNodesUse() {
        Map<String, String> postgres = environment("postgres");
        for (String node : LEDGER_NODES) {
            Map<String, String> env = environment(node);
            URI url = URI.create(env.get("CLAIMS_DB_URL").substring("jdbc:".length()));

            assertThat(url.getScheme()).isEqualTo("postgresql");
            assertThat(url.getHost()).as("database host of %s", node).isEqualTo("postgres");
            assertThat(url.getPort()).isEqualTo(5432);
            assertThat(url.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
            assertThat(env.get("CLAIMS_DB_USER")).isEqualTo(postgres.get("POSTGRES_USER"));
            assertThat(env.get("CLAIMS_DB_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
            assertThat(rawEnvironment(node).get("CLAIMS_DB_PASSWORD"))
                    .as("one variable sets both passwords").isEqualTo(rawEnvironment("postgres").get("POSTGRES_PASSWORD"));
            assertThat(compose.at("/services/" + node + "/depends_on/postgres/condition").asText())
                    .isEqualTo("service_healthy");
        }
        String probe = compose.at("/services/postgres/healthcheck/test/1").asText();
        assertThat(probe).contains("-U " + postgres.get("POSTGRES_USER")).contains("-d " + postgres.get("POSTGRES_DB"));
    }

    @Test
    void axonServerRunsOnlyInTheAxonserverProfile() {
        JsonNode services = compose.get("services");
        assertThat(services.at("/axonserver/profiles").toString()).isEqualTo("[\"axonserver\"]");
        services.properties().forEach(service -> {
            if (!service.getKey().equals("axonserver")) {
                assertThat(service.getValue().has("profiles")).as("%s runs in every profile", service.getKey())
                        .isFalse();
                assertThat(service.getValue().path("depends_on").has("axonserver"))
                        .as("%s must not need Axon Server", service.getKey()).isFalse();
            }
        });
        URI address = URI.create("tcp://" + environment("ledger-1").get("AXON_SERVER_ADDRESS"));
        assertThat(address.getHost()).isEqualTo("axonserver");
        List<String> containerPorts = new ArrayList<>();
        services.at("/axonserver/ports").forEach(port -> containerPorts.add(port.asText().replaceAll(".*:", "")));
        assertThat(containerPorts).contains(String.valueOf(address.getPort()));
    }

    @Test
    void theImageIsBuiltFromTheJarMavenMakes() throws IOException {
        JsonNode build = compose.at("/services/ledger-1/build");
        Path context = DOCKER.resolve(build.get("context").asText());
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);

        assertThat(context.resolve(build.get("dockerfile").asText())).exists();
        assertThat(finalName.find()).isTrue();
        String[] copy = dockerfile.instruction("COPY").split("\\s+");
        assertThat(copy[0]).isEqualTo("claims-server/target/" + finalName.group(1) + ".jar");
        assertThat(dockerfile.instruction("ENTRYPOINT")).contains("\"" + copy[1] + "\"");
    }

    // === a node started with the compose environment =================================================================

    /**
     * A node of the compose file, started here with exactly its container's environment (the Dockerfile's ENV under
     * the compose file's), as environment variables, so that Spring reads them as it would in the container. Four
     * values are the test's: the database (a fresh schema of the local test PostgreSQL), the port (any free one), the
     * keys file (the compose file's mounted source) and the data directory. It starts, it is ready, and the example
     * writer key makes a claim.
     */
    @Test
    @RequiresPostgres
    void aNodeStartsWithTheComposeEnvironmentAndTakesTheExampleWriterKey() throws Exception {
        TestDatabase database = TestDatabase.freshPostgresSchema();
        Map<String, Object> env = new LinkedHashMap<>(containerEnvironment("ledger-1"));
        env.put("CLAIMS_DB_URL", database.jdbcUrl());
        env.put("CLAIMS_DB_USER", database.user());
        env.put("CLAIMS_DB_PASSWORD", database.password());
        env.put("SERVER_PORT", "0");
        env.put("CLAIMS_SECURITY_API_KEYS_FILE",
                mountedSource("ledger-1", (String) env.get("CLAIMS_SECURITY_API_KEYS_FILE")).toAbsolutePath().toString());
        env.put("CLAIMS_CHECKPOINTS_SIGNING_KEY_FILE", mountedSource("ledger-1",
                (String) env.get("CLAIMS_CHECKPOINTS_SIGNING_KEY_FILE")).toAbsolutePath().toString());
        env.put("CLAIMS_DATA_DIR", directory.resolve("data").toString());
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
        // not the node's: the fresh schema the test database lives in, and a quiet start
        Map<String, Object> harness = Map.of("spring.flyway.schemas", database.properties().get("spring.flyway.schemas"),
                "spring.flyway.create-schemas", true, "spring.main.banner-mode", "off");

        try (ConfigurableApplicationContext node = new SpringApplicationBuilder(ClaimsLedgerApplication.class)
                .web(WebApplicationType.SERVLET).environment(environment).properties(harness).run()) {
            String base = "http://127.0.0.1:" + node.getEnvironment().getProperty("local.server.port");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            assertThat(node.getEnvironment().getActiveProfiles()).containsExactly("postgres");
            assertThat(node.getEnvironment().getProperty("server.address")).isEqualTo("0.0.0.0");

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base
                    + URI.create(healthCheckUrl("ledger-1")).getPath())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("the health check without a key: %s", ready.body()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("UP");

            String claim = "{\"consumer_id\":\"compose-1\",\"epoch\":1,\"entity_url\":\"https://example.test/1\","
                    + "\"stream_path\":\"/1\",\"lease_ttl_ms\":30000}";
            HttpResponse<String> made = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/acme/claims"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer example-writer-key")
                    .POST(HttpRequest.BodyPublishers.ofString(claim)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(made.statusCode()).as("a claim with the example writer key: %s", made.body()).isEqualTo(201);

            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/v1/tenants/acme/claims")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as("a call without a key").isEqualTo(401);
        }
    }

    // === reading the files ===========================================================================================

    private static List<String> ledgerNodes() {
        List<String> nodes = new ArrayList<>();
        compose.get("services").properties().forEach(service -> {
            if (service.getValue().has("build")) {
                nodes.add(service.getKey());
            }
        });
        return nodes;
    }

    /** A service's environment as written, before interpolation. */
    private static Map<String, String> rawEnvironment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode environment = compose.at("/services/" + service + "/environment");
        if (environment.isArray()) {
            environment.forEach(entry -> {
                String[] pair = entry.asText().split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        } else {
            environment.properties().forEach(entry -> env.put(entry.getKey(), entry.getValue().asText()));
        }
        return env;
    }

    /** A service's environment as compose gives it when no variable is set in the shell: defaults interpolated. */
    private static Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        rawEnvironment(service).forEach((name, value) -> env.put(name, interpolate(value)));
        return env;
    }

    /** What a node's container has: the Dockerfile's ENV, under the compose file's environment. */
    private static Map<String, String> containerEnvironment(String service) {
        Map<String, String> env = new LinkedHashMap<>(dockerfile.env());
        env.putAll(environment(service));
        return env;
    }

    private static String interpolate(String value) {
        Matcher variable = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}").matcher(value);
        StringBuilder text = new StringBuilder();
        while (variable.find()) {
            variable.appendReplacement(text, Matcher.quoteReplacement(variable.group(2) == null ? "" : variable.group(2)));
        }
        variable.appendTail(text);
        return text.toString();
    }

    private static String healthCheckUrl(String service) {
        JsonNode test = compose.at("/services/" + service + "/healthcheck/test");
        for (JsonNode part : test) {
            if (part.asText().startsWith("http")) {
                return part.asText();
            }
        }
        throw new AssertionError("no URL in the health check of " + service + ": " + test);
    }

    /** The file on this machine that a service mounts at {@code target}. */
    private static Path mountedSource(String service, String target) {
        for (JsonNode volume : compose.at("/services/" + service + "/volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                assertThat(parts).as("%s is mounted read-only", target).contains("ro");
                return DOCKER.resolve(parts[0]).normalize();
            }
        }
        throw new AssertionError(service + " mounts nothing at " + target);
    }

    /** Binds settings from {@code env} as Spring binds the process environment (the source's name makes it so). */
    private static Binder bind(Map<String, Object> env) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                env));
        return new Binder(ConfigurationPropertySources.from(sources));
    }

    /** The parts of a Dockerfile these tests read: instructions with continuation lines joined. */
    record Dockerfile(List<String> instructions) {

        static Dockerfile read(Path file) throws IOException {
            List<String> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                } else {
                    instructions.add(current.append(trimmed).toString());
                    current.setLength(0);
                }
            }
            return new Dockerfile(instructions);
        }

        String instruction(String keyword) {
            return instructions.stream().filter(line -> line.startsWith(keyword + " ")).findFirst()
                    .map(line -> line.substring(keyword.length() + 1).strip())
                    .orElseThrow(() -> new AssertionError("no " + keyword + " in the Dockerfile"));
        }

        List<String> expose() {
            return Arrays.asList(instruction("EXPOSE").split("\\s+"));
        }

        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            Matcher pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(instruction("ENV"));
            while (pair.find()) {
                env.put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
            }
            return env;
        }

        String healthCheckUrl() {
            Matcher url = Pattern.compile("https?://\\S+").matcher(instruction("HEALTHCHECK"));
            if (!url.find()) {
                throw new AssertionError("no URL in the Dockerfile's HEALTHCHECK");
            }
            return url.group();
        }
    }
}

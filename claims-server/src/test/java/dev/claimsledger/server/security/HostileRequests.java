package dev.claimsledger.server.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Thousands of malformed requests to every endpoint of the ledger, generated from small lists of hostile parts: ids,
 * epochs, bodies, numbers, content types, methods, query parameters, path tricks and raw protocol bytes. Every id
 * that could name a consumer is unique, and no claim exists while they are sent, so no request here can be a valid
 * command: each must be refused. A few are valid reads with hostile content (an SQL fragment as a runner id); those
 * are {@link Expect#TOLERATED}, may answer 2xx, and must change nothing.
 */
final class HostileRequests {

    /** What an answer to a hostile request may be. */
    enum Expect {
        /** Malformed: a 4xx problem. */
        REFUSED,
        /** Valid but hostile (a read with odd content): a 2xx, or a 4xx problem; never a 5xx. */
        TOLERATED,
        /**
         * A protocol the server does not implement (an HTTP version other than 1.0 and 1.1, a transfer coding other
         * than chunked, CONNECT): a 4xx, or the status HTTP defines for it (501, 505), as a problem.
         */
        UNSUPPORTED_PROTOCOL
    }

    /** How a request goes out. */
    sealed interface Send permits Client, Raw {
    }

    /** Through {@link java.net.http.HttpClient}; {@code chunked} sends the body without a declared length. */
    record Client(String method, String path, Map<String, String> headers, byte[] body, boolean chunked)
            implements Send {
    }

    /** As raw bytes on a socket. */
    record Raw(byte[] bytes) implements Send {
    }

    /** One hostile request. */
    record Hostile(String category, String description, Expect expect, Send send) {

        @Override
        public String toString() {
            String text = description.length() > 160 ? description.substring(0, 160) + "..." : description;
            return category + ": " + text.replaceAll("\\p{Cntrl}", "?");
        }
    }

    static final String TENANT = "hostile-tenant";
    private static final String CLAIMS = "/v1/tenants/" + TENANT + "/claims";
    private static final String HEARTBEAT_BATCH = "/v1/tenants/" + TENANT + "/heartbeats";
    private static final String REBUILD = "/v1/admin/projections/consumer-claims/rebuild";
    private static final int LIMIT = 64 * 1024;

    /** Path segments no id may be: control characters, invalid UTF-8, blank, over 512 characters or bytes. */
    static final List<String> INVALID_SEGMENTS = List.of(
            "%00", "a%00b", "%01", "%1B%5B31m", "%7F", "%C2%85", "%0A", "%0D%0A", "a%0Db", "%09", "%20", "%20%20%20",
            "%C0%AF", "%C0%80", "%E0%80%AF", "%FF", "%FE%FF", "%80", "%E2%82", "%ED%A0%80", "%F4%90%80%80", "%F8%88%80%80%80",
            "a".repeat(513), "a".repeat(4000), "%C3%A9".repeat(257), "%F0%9F%94%91".repeat(129), "%25%00",
            "%2e%2e%00", "x%C0%AFy", "%EF%BF%BE%00");

    /** Path segments that are valid ids with hostile content: SQL, traversal, markup, lookalikes. */
    static final List<String> ODD_VALID_SEGMENTS = List.of(
            "%27%20OR%201%3D1%20--", "x%27%3B%20DROP%20TABLE%20domain_event_entry%3B--",
            "%22%3B%20DROP%20TABLE%20consumer_claims%3B%20--", "1%20OR%201%3D1", "%27%29%3B%20DELETE%20FROM%20token_entry%3B--",
            "%25", "%25%25", "%2F", "a%2Fb", "%2F..%2F..%2Fadmin", "%2e%2e", ".", "%5C..%5C", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "%7B%7D", "a;b=c", "%3B", "%E2%80%AE", "%EF%BB%BF", "%F0%9F%94%91", "*", "%24%7Bjndi:ldap:%2F%2Fx%7D", "null",
            "-1", "a".repeat(512), "%C3%A9".repeat(256), "%2A%2A", "%26%3D%3F%23");

    /** Epochs that are not a non-negative 64-bit integer, or are but name no claim. */
    static final List<String> HOSTILE_EPOCHS = List.of(
            "abc", "-1", "1.5", "1e3", "1e400", "99999999999999999999", "9223372036854775808", "-9223372036854775809",
            "0x10", "%20", "%201", "1%00", "%EF%BC%91", "NaN", "Infinity", "+1", "1;x=1", "%27%20OR%201%3D1", "00000000000000000001",
            "9223372036854775807");

    private final AtomicInteger sequence = new AtomicInteger();
    private final List<Hostile> requests = new ArrayList<>();

    /** Every hostile request, in a fixed order. */
    static List<Hostile> all() {
        HostileRequests all = new HostileRequests();
        all.hostileIdsInEveryPath();
        all.hostileEpochs();
        all.claimBodies();
        all.heartbeatBodies();
        all.batchBodies();
        all.releaseBodies();
        all.contentTypes();
        all.wrongMethods();
        all.queries();
        all.oversizedBodies();
        all.pathTricks();
        all.rawRequestLines();
        all.rawHeaders();
        return List.copyOf(all.requests);
    }

    // === ids =========================================================================================================

    private void hostileIdsInEveryPath() {
        for (String id : INVALID_SEGMENTS) {
            idEverywhere(id, Expect.REFUSED);
        }
        for (String id : ODD_VALID_SEGMENTS) {
            idEverywhere(id, Expect.TOLERATED);
        }
    }

    /**
     * {@code id} in each id position of each endpoint. Commands and reads of one claim find nothing (no claim exists),
     * so they are refused even for a valid id; lists and runner health of a valid id are valid reads.
     */
    private void idEverywhere(String id, Expect forLists) {
        String consumer = consumer();
        String claimOf = "/v1/tenants/" + id + "/claims/" + consumer + "/epochs/1";
        String claimFor = CLAIMS + "/" + id + "/epochs/1";
        client("id", "POST /v1/tenants/{id}/claims", Expect.REFUSED, "POST", "/v1/tenants/" + id + "/claims",
                json(claimJson(consumer, Map.of("lease_ttl_ms", "0"))));
        for (String path : List.of(claimOf, claimFor)) {
            client("id", "POST heartbeat " + path, Expect.REFUSED, "POST", path + "/heartbeats", null);
            client("id", "POST release " + path, Expect.REFUSED, "POST", path + "/release", json("{}"));
            client("id", "GET claim " + path, Expect.REFUSED, "GET", path, null);
            client("id", "GET epoch history " + path, Expect.REFUSED, "GET", path + "/history", null);
            client("id", "GET as_of " + path, Expect.REFUSED, "GET", path + "?as_of=2026-01-31T12:00:00Z", null);
        }
        client("id", "GET consumer history tenant " + id, Expect.REFUSED, "GET",
                "/v1/tenants/" + id + "/claims/" + consumer + "/history", null);
        client("id", "GET consumer history consumer " + id, Expect.REFUSED, "GET", CLAIMS + "/" + id + "/history", null);
        client("id", "GET list tenant " + id, forLists, "GET", "/v1/tenants/" + id + "/claims", null);
        client("id", "GET runner health tenant " + id, forLists, "GET", "/v1/tenants/" + id + "/runners/r-1/health", null);
        client("id", "GET runner health runner " + id, forLists, "GET",
                "/v1/tenants/" + TENANT + "/runners/" + id + "/health", null);
        client("id", "GET tenant audit " + id, forLists, "GET", "/v1/tenants/" + id + "/audit", null);
        client("id", "GET rebuild progress " + id, Expect.REFUSED, "GET",
                "/v1/admin/projections/consumer-claims/rebuilds/" + id, null);
    }

    private void hostileEpochs() {
        for (String epoch : HOSTILE_EPOCHS) {
            String path = CLAIMS + "/" + consumer() + "/epochs/" + epoch;
            client("epoch", "POST heartbeat epoch " + epoch, Expect.REFUSED, "POST", path + "/heartbeats", null);
            client("epoch", "POST release epoch " + epoch, Expect.REFUSED, "POST", path + "/release", json("{}"));
            client("epoch", "GET claim epoch " + epoch, Expect.REFUSED, "GET", path, null);
            client("epoch", "GET epoch history epoch " + epoch, Expect.REFUSED, "GET", path + "/history", null);
            client("epoch", "GET as_of epoch " + epoch, Expect.REFUSED, "GET", path + "?as_of=2026-01-31T12:00:00Z",
                    null);
        }
    }

    // === bodies ======================================================================================================

    /** JSON that is not JSON, or not an object, in many ways. */
    private static List<byte[]> brokenJson() {
        List<String> texts = new ArrayList<>(List.of(
                " ", "{", "}", "[", "]", "{\"", "{\"consumer_id\"", "{\"consumer_id\":", "{\"consumer_id\":}", "{,}",
                "{\"a\":1,}", "[1,]", "{'consumer_id':'x'}", "{consumer_id:\"x\"}", "{\"consumer_id\":\"x\"",
                "\"unterminated", "nul", "tru", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\uZZZZ\"}",
                "/* comment */ {}", "// comment\n{}", "{\"a\":01}", "{\"a\":-}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":1e}",
                "{\"a\":+1}", "{\"a\":0x1F}", "{\"a\":Infinity}", "{\"a\":NaN}", "{\"a\":undefined}", "{\"a\":\"\t\"}",
                "{\"a\":\"\n\"}", "{\"a\":\"\u0001\"}", "<claim><epoch>1</epoch></claim>", "consumer_id=x&epoch=1",
                "--boundary\r\nContent-Disposition: form-data\r\n\r\nx", "\u0000", "{\"a\":1}}", "{\"a\" 1}",
                "{\"a\"::1}", "{\"a\":[1,2}", "{\"a\":{\"b\":1]}", "123abc", "\"\\ud800\"", "{1:2}", "{null:1}",
                "[" .repeat(60_000), "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000),
                "{\"consumer_id\":" + "[".repeat(50_000) + "}", "{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"));
        List<byte[]> bodies = texts.stream().map(text -> text.getBytes(StandardCharsets.UTF_8))
                .collect(Collectors.toCollection(ArrayList::new));
        bodies.add(bytes("{\"consumer_id\":\"", new byte[] {(byte) 0xFF}, "\"}"));
        bodies.add(bytes("{\"consumer_id\":\"", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"));
        bodies.add(bytes("{\"consumer_id\":\"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}"));
        bodies.add(bytes("", new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}'}, ""));
        bodies.add(bytes("", new byte[] {(byte) 0x80, (byte) 0x81, (byte) 0x82}, ""));
        bodies.add(bytes("{\"a\":\"", new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, "\"}"));
        return bodies;
    }

    private void claimBodies() {
        for (byte[] body : brokenJson()) {
            bothTransports("claim body", "POST claims, broken JSON " + preview(body), CLAIMS, body);
        }
        for (String field : List.of("consumer_id", "epoch", "entity_url", "stream_path", "lease_ttl_ms")) {
            bothTransports("claim body", "POST claims without " + field, CLAIMS,
                    json(claimJson(consumer(), Map.of(field, "<absent>"))));
            bothTransports("claim body", "POST claims with " + field + " null", CLAIMS,
                    json(claimJson(consumer(), Map.of(field, "null"))));
        }
        List<String> badNumbers = List.of("1e400", "-1e400", "99999999999999999999999", "9223372036854775808",
                "-9223372036854775809", "1.5", "1e2", "1.0", "\"1\"", "true", "false", "[]", "{}", "[1]", "\"\"", "-1",
                "NaN", "Infinity", "-Infinity", "0x10", "01", "1e-400", "- 1", "+1", "\"1e400\"", "1E+400",
                "123456789012345678901234567890123456789012345678901234567890");
        for (String number : badNumbers) {
            bothTransports("claim body", "POST claims epoch " + number, CLAIMS,
                    json(claimJson(consumer(), Map.of("epoch", number))));
            bothTransports("claim body", "POST claims lease_ttl_ms " + number, CLAIMS,
                    json(claimJson(consumer(), Map.of("lease_ttl_ms", number))));
        }
        for (String ttl : List.of("0", "999", "600001", "-60000", "9223372036854775807")) {
            bothTransports("claim body", "POST claims lease_ttl_ms " + ttl, CLAIMS,
                    json(claimJson(consumer(), Map.of("lease_ttl_ms", ttl))));
        }
        List<String> badTexts = List.of("1", "1.5", "true", "[]", "{}", "[\"a\"]", "\"\"", "\"   \"", "\"\\t\"",
                "\"a\\u0000b\"", "\"\\u001b[31m\"", "\"\\u0085\"", "\"\\ud800\"", "\"x\\udc00\"", "\"line\\nbreak\"",
                "\"\\u007f\"");
        for (String field : List.of("consumer_id", "entity_url", "stream_path", "wake_id", "runner_id")) {
            for (String text : badTexts) {
                bothTransports("claim body", "POST claims " + field + " " + text, CLAIMS,
                        json(claimJson(consumer(), Map.of(field, text))));
            }
            boolean locator = field.equals("entity_url") || field.equals("stream_path");
            int max = locator ? 2048 : 512;
            bothTransports("claim body", "POST claims " + field + " over " + max + " characters", CLAIMS,
                    json(claimJson(consumer(), Map.of(field, "\"" + "a".repeat(max + 1) + "\""))));
            bothTransports("claim body", "POST claims " + field + " over " + max + " bytes", CLAIMS,
                    json(claimJson(consumer(), Map.of(field, "\"" + "é".repeat(max / 2 + 1) + "\""))));
        }
        for (String policy : List.of("\"FIXED\"", "\"Fixed\"", "\"nope\"", "\"fixed \"", "\" fixed\"", "\"fixed\\n\"",
                "0", "1", "\"0\"", "\"1\"", "true", "[]", "{}", "\"renew-on-heartbeat\"", "\"RENEW_ON_HEARTBEAT\"")) {
            bothTransports("claim body", "POST claims lease_policy " + policy, CLAIMS,
                    json(claimJson(consumer(), Map.of("lease_policy", policy))));
        }
        String valid = claimJson(consumer(), Map.of());
        bothTransports("claim body", "POST claims, an array of a claim", CLAIMS, json("[" + valid + "]"));
        bothTransports("claim body", "POST claims, a claim inside an object", CLAIMS, json("{\"claim\":" + valid + "}"));
        bothTransports("claim body", "POST claims, ttl 0 among 1,000 unknown fields", CLAIMS,
                json(claimJson(consumer(), Map.of("lease_ttl_ms", "0")).replaceFirst("\\{", "{"
                        + "\"x\":1,".repeat(1000))));
        String padded = claimJson(consumer(), Map.of("epoch", "-1"));
        bothTransports("claim body", "POST claims, epoch -1 padded to exactly the limit", CLAIMS,
                json(padded + " ".repeat(LIMIT - padded.length())));
        bothTransports("claim body", "POST claims, a control character in a 60 KB stream_path", CLAIMS,
                json(claimJson(consumer(), Map.of("stream_path", "\"" + "a".repeat(60_000) + "\\u0001\""))));
        for (String trailer : List.of("x", "}", ",", "]", " " + claimJson(consumer(), Map.of()), "\u0000", "{")) {
            bothTransports("claim body", "POST claims, a valid claim followed by " + trailer, CLAIMS,
                    json(claimJson(consumer(), Map.of()) + trailer));
        }
        client("claim body", "POST claims, no body", Expect.REFUSED, "POST", CLAIMS, Map.of("Content-Type",
                "application/json"), new byte[0], false);
        client("claim body", "POST claims, query parameters and ttl 0", Expect.REFUSED, "POST",
                CLAIMS + "?debug=true&admin=1&lease_ttl_ms=60000&%27=1",
                json(claimJson(consumer(), Map.of("lease_ttl_ms", "0"))));
    }

    private void heartbeatBodies() {
        String path = CLAIMS + "/" + consumer() + "/epochs/1/heartbeats";
        for (byte[] body : brokenJson()) {
            bothTransports("heartbeat body", "POST heartbeat, broken JSON " + preview(body), path, body);
        }
        for (String reportedAt : List.of("1e400", "-1e400", "99999999999999999999999", "1.5e300", "\"nope\"",
                "\"2026-13-01T00:00:00Z\"", "\"2026-01-31T12:00:00\"", "\"2026-01-31\"",
                "\"+1000000000-12-31T23:59:59.999999999Z\"", "\"-1000000001-01-01T00:00:00Z\"",
                "\"+99999999999-01-01T00:00:00Z\"", "1", "-1", "true", "[]", "{}", "\"\"", "\"\\u0000\"", "NaN",
                "9223372036854775807", "-9223372036854775808", "1e19", "9223372036854775808", "\"1e400\"",
                "1.0e-400", "-0.0", "3.4e38", "\"2026-01-31T25:61:61Z\"", "\"2026-01-31T12:00:00+99:00\"")) {
            bothTransports("heartbeat body", "POST heartbeat reported_at " + reportedAt, path,
                    json("{\"reported_at\":" + reportedAt + "}"));
        }
        bothTransports("heartbeat body", "POST heartbeat, an array", path, json("[{\"reported_at\":null}]"));
    }

    private void batchBodies() {
        for (byte[] body : brokenJson()) {
            bothTransports("batch body", "POST batch, broken JSON " + preview(body), HEARTBEAT_BATCH, body);
        }
        String item = "{\"consumer_id\":\"c\",\"epoch\":1}";
        for (String heartbeats : List.of("null", "\"x\"", "1", "{}", "true", "[]", "[null]", "[1]", "[[]]",
                "[{}]", "[{\"consumer_id\":1,\"epoch\":1}]", "[{\"consumer_id\":\"c\",\"epoch\":\"1\"}]",
                "[{\"consumer_id\":\"c\",\"epoch\":1.5}]", "[{\"consumer_id\":\"c\",\"epoch\":1e400}]",
                "[{\"consumer_id\":\"c\",\"epoch\":-1}]", "[{\"consumer_id\":\"c\",\"epoch\":9223372036854775808}]",
                "[{\"consumer_id\":\"\",\"epoch\":1}]", "[{\"consumer_id\":\"\\u0000\",\"epoch\":1}]",
                "[{\"consumer_id\":\"" + "c".repeat(513) + "\",\"epoch\":1}]",
                "[{\"consumer_id\":\"c\",\"epoch\":1,\"reported_at\":\"nope\"}]",
                "[" + (item + ",").repeat(1000) + item + "]",
                "[" + item + ",{\"consumer_id\":\"c\"}]",
                "[{\"consumer_id\":\"c\",\"epoch\":1}" + ",[".repeat(3000) + "]")) {
            bothTransports("batch body", "POST batch heartbeats " + preview(json(heartbeats)), HEARTBEAT_BATCH,
                    json("{\"heartbeats\":" + heartbeats + "}"));
        }
    }

    private void releaseBodies() {
        String path = CLAIMS + "/" + consumer() + "/epochs/1/release";
        for (byte[] body : brokenJson()) {
            bothTransports("release body", "POST release, broken JSON " + preview(body), path, body);
        }
        String many = "[" + "{\"path\":\"/p\",\"offset\":\"1\"},".repeat(1000) + "{\"path\":\"/p\",\"offset\":\"1\"}]";
        for (String acked : List.of("\"x\"", "1", "{}", "true", "[null]", "[1]", "[[]]", "[\"/p\"]",
                "[{\"path\":1,\"offset\":\"1\"}]", "[{\"path\":\"/p\",\"offset\":7}]", "[{\"path\":\"/p\",\"offset\":1e400}]",
                "[{\"path\":\"\",\"offset\":\"1\"}]", "[{\"path\":\"/p\"}]", "[{\"offset\":\"1\"}]",
                "[{\"path\":\"\\u0000\",\"offset\":\"1\"}]", "[{\"path\":\"/p\",\"offset\":\"\\u001b\"}]",
                "[{\"path\":\"" + "p".repeat(2049) + "\",\"offset\":\"1\"}]", many,
                "[{\"path\":\"/p\",\"offset\":\"1\"}" + ",{\"path\":[".repeat(3000) + "]")) {
            bothTransports("release body", "POST release acked_streams " + acked, path,
                    json("{\"acked_streams\":" + acked + "}"));
        }
    }

    // === content types, methods, queries ============================================================================

    private void contentTypes() {
        List<String> types = List.of("text/plain", "text/html", "application/xml", "text/xml",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
                "image/png", "garbage", "application/", "/json", "application/json/extra", "text/json",
                "application/json; charset=no-such-charset", "application/json; charset=\"", "application/json;;;=",
                "application/json\u00e9");
        String heartbeat = CLAIMS + "/" + consumer() + "/epochs/1/heartbeats";
        String release = CLAIMS + "/" + consumer() + "/epochs/1/release";
        for (String type : types) {
            byte[] claim = claimJson(consumer(), Map.of()).getBytes(StandardCharsets.UTF_8);
            client("content type", "POST claims as " + type, Expect.REFUSED, "POST", CLAIMS,
                    Map.of("Content-Type", type), claim, false);
            client("content type", "POST heartbeat as " + type, Expect.REFUSED, "POST", heartbeat,
                    Map.of("Content-Type", type), "{\"reported_at\":\"x\"}".getBytes(StandardCharsets.UTF_8), false);
            client("content type", "POST release as " + type, Expect.REFUSED, "POST", release,
                    Map.of("Content-Type", type), "{\"acked_streams\":[]}".getBytes(StandardCharsets.UTF_8), false);
        }
        client("content type", "POST claims without a content type", Expect.REFUSED, "POST", CLAIMS, Map.of(),
                claimJson(consumer(), Map.of()).getBytes(StandardCharsets.UTF_8), false);
        for (String accept : List.of("text/html", "application/xml", "image/*", "garbage", "*/*;q=x")) {
            client("content type", "GET claim accepting " + accept, Expect.REFUSED, "GET",
                    CLAIMS + "/" + consumer() + "/epochs/1", Map.of("Accept", accept), null, false);
            client("content type", "POST claims ttl 0 accepting " + accept, Expect.REFUSED, "POST", CLAIMS,
                    Map.of("Accept", accept, "Content-Type", "application/json"),
                    claimJson(consumer(), Map.of("lease_ttl_ms", "0")).getBytes(StandardCharsets.UTF_8), false);
            // the answers that are not JSON: the change stream and the signed checkpoint
            client("content type", "GET changes accepting " + accept, Expect.REFUSED, "GET", CLAIMS + "/changes",
                    Map.of("Accept", accept), null, false);
            client("content type", "GET checkpoint accepting " + accept, Expect.REFUSED, "GET",
                    "/v1/admin/ledger/checkpoint", Map.of("Accept", accept), null, false);
        }
    }

    private void wrongMethods() {
        String claim = CLAIMS + "/" + consumer() + "/epochs/1";
        Map<String, List<String>> wrongByPath = new LinkedHashMap<>();
        List<String> neither = List.of("PUT", "DELETE", "PATCH", "TRACE", "FOO", "PROPFIND", "get", "post", "M-SEARCH");
        wrongByPath.put(CLAIMS, neither);
        wrongByPath.put(claim + "/heartbeats", plus(neither, "GET"));
        wrongByPath.put(claim + "/release", plus(neither, "GET"));
        wrongByPath.put(claim, plus(neither, "POST"));
        wrongByPath.put("/v1/tenants/" + TENANT + "/runners/r-1/health", plus(neither, "POST"));
        wrongByPath.put(CLAIMS + "/" + consumer() + "/history", plus(neither, "POST"));
        wrongByPath.put(claim + "/history", plus(neither, "POST"));
        wrongByPath.put(REBUILD, plus(neither, "GET"));
        wrongByPath.put("/v1/admin/projections/consumer-claims/rebuilds/x", plus(neither, "POST"));
        wrongByPath.put("/v1/admin/audit", plus(neither, "POST"));
        wrongByPath.put("/v1/whoami", plus(neither, "POST"));
        wrongByPath.put("/v1/tenants", plus(neither, "POST"));
        wrongByPath.put("/v1/tenants/" + TENANT + "/runners", plus(neither, "POST"));
        wrongByPath.put(CLAIMS + "/" + consumer() + "/history/verification", plus(neither, "POST"));
        wrongByPath.put("/v1/projections/consumer-claims", plus(neither, "POST"));
        wrongByPath.put("/actuator/health/liveness", List.of("POST", "PUT", "DELETE", "PATCH"));
        for (Map.Entry<String, List<String>> entry : wrongByPath.entrySet()) {
            for (String method : entry.getValue()) {
                client("method", method + " " + entry.getKey(), Expect.REFUSED, method, entry.getKey(),
                        json("{\"x\":1}"));
            }
        }
    }

    private void queries() {
        String list = CLAIMS + "?";
        for (String limit : List.of("abc", "0", "-1", "501", "1e400", "99999999999999999999", "1.5", "%00", "1%2C2",
                "NaN", "0x", "%23", "--1", "1-")) {
            client("query", "GET list limit=" + limit, Expect.REFUSED, "GET", list + "limit=" + limit, null);
        }
        // Spring reads these as a limit (empty as absent, trimmed, hexadecimal, full-width digits, the first of two):
        // lenient, but a read
        for (String limit : List.of("", "%201", "0x10", "%EF%BC%95", "5&limit=6")) {
            client("query", "GET list limit=" + limit, Expect.TOLERATED, "GET", list + "limit=" + limit, null);
        }
        for (String status : List.of("bogus", "active%27--", "%00", "%20", "activ", "active%00", "")) {
            client("query", "GET list status=" + status, Expect.REFUSED, "GET", list + "status=" + status, null);
        }
        for (String cursor : List.of("!!!", "%00", "AAAA", base64("x:abc"), base64("99999999999999999999:x"),
                base64(":x"), "====", "a".repeat(5000), base64("1"), "%FF%FE", "a%20b")) {
            client("query", "GET list cursor=" + cursor, Expect.REFUSED, "GET", list + "cursor=" + cursor, null);
        }
        for (String runner : List.of("", "%20", "%00", "a".repeat(513), "%1B", "%C2%85")) {
            client("query", "GET list runner_id=" + runner, Expect.REFUSED, "GET", list + "runner_id=" + runner, null);
        }
        for (String odd : List.of("runner_id=%27%20OR%201%3D1%20--", "entity_url=%27%20OR%201%3D1%20--",
                "entity_url=x%27%3B%20DROP%20TABLE%20consumer_claims%3B--", "status=ACTIVE", "foo=bar", "LIMIT=abc",
                "as_of=garbage", "cursor=" + base64("1:' OR 1=1 --"), "cursor=" + base64("0:"),
                "cursor=" + base64("-9223372036854775808:x"), "entity_url=" + "a".repeat(3000),
                "runner_id=a%3Bb", "%3D=%3D", "&&&", "a[]=1&b[x]=2", "limit=500&unknown=%27", "entity_url=%00",
                "entity_url=a%00b", "entity_url=%1B%5B2J", "cursor=" + base64("1:\u0000"), "cursor=" + base64("1:a\u0000b"),
                "cursor=" + base64("1:" + "x".repeat(3000)))) {
            client("query", "GET list " + odd, Expect.TOLERATED, "GET", list + odd, null);
        }
        for (String history : List.of(CLAIMS + "/" + consumer() + "/history",
                CLAIMS + "/" + consumer() + "/epochs/1/history")) {
            for (String query : List.of("limit=0", "limit=1001", "limit=abc", "limit=-1", "limit=1e400",
                    "after_sequence=-2", "after_sequence=abc", "after_sequence=9223372036854775808",
                    "after_sequence=1.5", "after_sequence=", "after_sequence=-9223372036854775808", "limit=1000",
                    "after_sequence=%27%20OR%201%3D1", "limit=5&limit=6", "unknown=1")) {
                client("query", "GET " + history + "?" + query, Expect.REFUSED, "GET", history + "?" + query, null);
            }
        }
        String claim = CLAIMS + "/" + consumer() + "/epochs/1?";
        for (String asOf : List.of("garbage", "", "2026-13-45T00:00:00Z", "2026-01-31", "2026-01-31T12:00:00",
                "1e400", "99999999999999999999", "-1000000000-01-01T00:00:00Z", "%2B1000000001-01-01T00:00:00Z",
                "%2B1000000000-12-31T23:59:59.999999999Z", "%00", "%27%20OR%201%3D1%20--", "2026-01-31T12:00:00Z%00",
                "2026-01-31T12:00:00%2B25:00", "2026-01-31T12:00:00Z&as_of=2026-01-31T12:00:00Z",
                "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z")) {
            client("query", "GET claim as_of=" + asOf, Expect.REFUSED, "GET", claim + "as_of=" + asOf, null);
        }
        for (String unknown : List.of("foo=bar", "debug=true", "x=%27%20OR%201%3D1", "a".repeat(4000) + "=1")) {
            client("query", "GET claim " + unknown, Expect.REFUSED, "GET", claim + unknown, null);
            client("query", "GET audit " + unknown, Expect.TOLERATED, "GET", "/v1/admin/audit?" + unknown, null);
        }
    }

    // === sizes and paths =============================================================================================

    private void oversizedBodies() {
        String claim = CLAIMS + "/" + consumer() + "/epochs/1";
        byte[] overByOne = json("{\"consumer_id\":\"" + "a".repeat(LIMIT) + "\"}");
        byte[] megabyte = json("[" + "1,".repeat(512 * 1024) + "1]");
        byte[] justOver = ("{" + " ".repeat(LIMIT) + "}").getBytes(StandardCharsets.UTF_8);
        for (String path : List.of(CLAIMS, claim + "/heartbeats", claim + "/release", HEARTBEAT_BATCH)) {
            for (byte[] body : List.of(overByOne, megabyte, justOver)) {
                client("size", "POST " + body.length + " bytes, declared, to " + path, Expect.REFUSED, "POST", path,
                        Map.of("Content-Type", "application/json"), body, false);
                client("size", "POST " + body.length + " bytes, chunked, to " + path, Expect.REFUSED, "POST", path,
                        Map.of("Content-Type", "application/json"), body, true);
            }
        }
        for (String path : List.of(claim, CLAIMS, "/v1/tenants/" + TENANT + "/runners/r-1/health",
                CLAIMS + "/" + consumer() + "/history", claim + "/history", REBUILD,
                "/v1/admin/projections/consumer-claims/rebuilds/x", "/v1/admin/audit", "/no/such/path",
                "/actuator/health")) {
            String method = path.equals(REBUILD) ? "POST" : "PUT";
            client("size", method + " " + overByOne.length + " bytes, declared, to " + path, Expect.REFUSED, method,
                    path, Map.of("Content-Type", "application/json"), overByOne, false);
        }
    }

    private void pathTricks() {
        String claim = CLAIMS + "/" + consumer() + "/epochs/1";
        List<String> paths = List.of(
                "/v1/tenants/" + TENANT + "/claims/../../../etc/passwd", "/../../etc/passwd", "/..",
                "/v1/tenants/x/claims/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                "/v1/tenants/" + TENANT + "/claims/%252e%252e/epochs/1", "//v1/tenants/" + TENANT + "/claims/x/epochs/1",
                "/v1//tenants//" + TENANT + "//claims//x//epochs//1", "///", "/v1/tenants/" + TENANT + "/claims//epochs/1",
                claim + "/", claim + "//", "/V1/tenants/" + TENANT + "/claims/x/epochs/1",
                "/v1/TENANTS/" + TENANT + "/claims/x/epochs/1", claim + "/heartbeats/extra", claim + "/release/..",
                claim + "%2Fheartbeats", claim + "%3Bx", "/%2e%2e/v1/tenants/" + TENANT + "/claims/x/epochs/1",
                CLAIMS + "/x%2F..%2F..%2F..%2Fadmin/epochs/1", claim + "/history/../../..", "/v1/admin/../admin/audit/x",
                "/v1/admin/projections/consumer-claims/rebuild/", "/v1/admin/projections/consumer-claims/Rebuild",
                "/v1/admin/projections/other/rebuild", "/v1/admin/projections/consumer-claims/rebuild%00",
                "/v1/admin/projections/consumer-claims/rebuild;x=1/..", "/v1", "/v1/", "/v1/tenants/",
                "/v1/tenants/" + TENANT, "/v1/tenants/" + TENANT + "/runners/r-1", "/v1/tenants/" + TENANT + "/runners/",
                "/actuator/health/../../v1/admin/audit", "/actuator/nope", "/actuator/heapdump", "/actuator/env",
                "/actuator/shutdown", "/WEB-INF/web.xml", "/META-INF/MANIFEST.MF", "/error", "/error/x",
                "/v3/api-docs/../../v1/admin/audit", "/swagger-ui/../v1/admin/audit",
                "/v1/tenants/" + "a/".repeat(3000) + "claims",
                "/v1/tenants/" + TENANT + "/claims/" + "x".repeat(7000) + "/epochs/1",
                "/v1/tenants/" + "%41".repeat(2500) + "/claims/x/epochs/1", "/" + "a".repeat(9000),
                "/v1/tenants/" + TENANT + "/claims/x/epochs/1?" + "q=".repeat(3000));
        for (String path : paths) {
            client("path", "GET " + path, Expect.REFUSED, "GET", path, null);
            client("path", "DELETE " + path, Expect.REFUSED, "DELETE", path, null);
            client("path", "POST " + path, Expect.REFUSED, "POST", path,
                    json(claimJson(consumer(), Map.of("lease_ttl_ms", "0"))));
        }
    }

    // === raw bytes on a socket =======================================================================================

    private void rawRequestLines() {
        List<byte[]> rawSegments = new ArrayList<>();
        for (int b : new int[] {0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x7F, 0x80, 0xFF, 0xFE, 0xC0, 0x22, 0x3C, 0x3E, 0x5C,
                0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x09, 0x0D}) {
            rawSegments.add(new byte[] {'a', (byte) b, 'b'});
        }
        rawSegments.add(new byte[] {(byte) 0xC0, (byte) 0xAF});
        rawSegments.add(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        rawSegments.add(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
        rawSegments.add(new byte[] {(byte) 0xE2, (byte) 0x82});
        rawSegments.add(new byte[] {'a', ' ', 'b'});
        for (byte[] segment : rawSegments) {
            String shown = "bytes " + hex(segment);
            raw("raw path", "GET list, tenant " + shown, Expect.REFUSED,
                    line("GET /v1/tenants/", segment, "/claims?limit=0 HTTP/1.1"), "", new byte[0]);
            raw("raw path", "POST heartbeat, consumer " + shown, Expect.REFUSED,
                    line("POST " + CLAIMS + "/", segment, "/epochs/1/heartbeats HTTP/1.1"), "", new byte[0]);
            raw("raw path", "GET claim, query " + shown, Expect.REFUSED,
                    line("GET " + CLAIMS + "/x/epochs/1?as_of=", segment, " HTTP/1.1"), "", new byte[0]);
            raw("raw path", "POST claims, tenant " + shown, Expect.REFUSED,
                    line("POST /v1/tenants/", segment, "/claims HTTP/1.1"), "Content-Type: application/json\r\n",
                    json(claimJson(consumer(), Map.of("lease_ttl_ms", "0"))));
        }
        raw("raw path", "GET list, tenant in valid UTF-8 (é)", Expect.TOLERATED,
                line("GET /v1/tenants/", new byte[] {(byte) 0xC3, (byte) 0xA9}, "/claims HTTP/1.1"), "", new byte[0]);
        for (String query : List.of("%=1", "limit=%", "%ZZ=1", "as_of%=x", "a=%G0", "%", "x%=1&as_of=1", "%%", "%2",
                "limit=%zz", "=", "&&&", "cursor=%u0041", "as%5Fof=garbage", "%E0%A4%A=1", "%C0%AF=%C0%AF")) {
            for (String path : List.of(CLAIMS, CLAIMS + "/" + consumer() + "/epochs/1",
                    CLAIMS + "/" + consumer() + "/history", "/v1/admin/audit")) {
                Expect expect = path.equals(CLAIMS) || path.equals("/v1/admin/audit") ? Expect.TOLERATED : Expect.REFUSED;
                raw("raw query", "GET " + path + "?" + query, expect, "GET " + path + "?" + query + " HTTP/1.1", "",
                        new byte[0]);
            }
            raw("raw query", "POST claims ttl 0 ?" + query, Expect.REFUSED, "POST " + CLAIMS + "?" + query + " HTTP/1.1",
                    "Content-Type: application/json\r\n", json(claimJson(consumer(), Map.of("lease_ttl_ms", "0"))));
        }
        String path = CLAIMS + "/" + consumer() + "/epochs/1";
        for (String requestLine : List.of("GET  " + path + " HTTP/1.1", "GET " + path + "  HTTP/1.1",
                "GET " + path + " HTTP/1.1 extra", "GET " + path + " FOO/1.1", "GET " + path + " http/1.1",
                "GET " + path + " HTTP/a.b",
                "GET v1/tenants/x/claims HTTP/1.1", "GET * HTTP/1.1", "G ET " + path + " HTTP/1.1",
                "GE\u0000T " + path + " HTTP/1.1", "G@T " + path + " HTTP/1.1", "GET\t" + path + "\tHTTP/1.1",
                "OPTIONS * HTTP/1.1x", "GET " + path + "#fragment HTTP/1.1",
                "GET http://127.0.0.1/" + path + " HTTP/1.1", "GET ftp://127.0.0.1" + path + " HTTP/1.1",
                "GET //127.0.0.1" + path + " HTTP/1.1", "GET ?x=1 HTTP/1.1", "GET " + path + "?x HTTP/1.1 HTTP/1.1",
                "\u00ffGET " + path + " HTTP/1.1", "GET /" + "a".repeat(9000) + " HTTP/1.1",
                "GET " + path + "?" + "a".repeat(9000) + " HTTP/1.1")) {
            raw("request line", requestLine, Expect.REFUSED, requestLine, "", new byte[0]);
        }
        for (String version : List.of("HTTP/1.2", "HTTP/2.0", "HTTP/9.9", "HTTP/0.9", "HTTP/3", "HTTP/1.1.1", "HTTP/")) {
            raw("protocol", "GET claim " + version, Expect.UNSUPPORTED_PROTOCOL, "GET " + path + " " + version, "",
                    new byte[0]);
        }
        raw("protocol", "CONNECT", Expect.UNSUPPORTED_PROTOCOL, "CONNECT 127.0.0.1:80 HTTP/1.1", "", new byte[0]);
    }

    private void rawHeaders() {
        String path = CLAIMS + "/" + consumer() + "/epochs/1";
        String body = "{\"acked_streams\":[]}";
        String release = "POST " + path + "/release HTTP/1.1";
        List<String> headerSets = List.of(
                "Host: a b\r\n", "Host: [::1\r\n", "Host: 127.0.0.1:99999\r\n", "Host: x\r\nHost: y\r\n",
                "NoColonHere\r\n", "Content-Type : application/json\r\n", "X-A: b\r\n folded\r\n", "X-A: a\u0000b\r\n",
                "X(A): 1\r\n", ": empty-name\r\n", "X-A: " + "a".repeat(9000) + "\r\n",
                "X-A: 1\r\n".repeat(150), "Authorization: Bearer " + "k".repeat(9000) + "\r\n",
                "Content-Length: -1\r\n", "Content-Length: abc\r\n", "Content-Length: 1, 1\r\n",
                "Content-Length: 20\r\nContent-Length: 21\r\n", "Content-Length: +20\r\n",
                "Content-Length: 99999999999999999999999\r\n",
                "Content-Length: 20\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked, chunked\r\n",
                "Transfer-Encoding:\tchunked\r\nTransfer-Encoding: gzip\r\n", "Expect: nonsense\r\n",
                "Content-Type: application/json\r\nContent-Type: text/plain\r\n", "Content-Encoding: gzip\r\n",
                "Content-Encoding: br\r\n", "Accept-Charset: no-such-charset\r\n", "Range: bytes=0-\r\n",
                "Cookie: " + "c=1; ".repeat(1000) + "\r\n", "X-Forwarded-For: ' OR 1=1 --\r\n",
                "X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: gopher\r\n", "Upgrade: h2c\r\nConnection: Upgrade\r\n",
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
        for (String headers : headerSets) {
            boolean declaresLength = headers.contains("Content-Length") || headers.contains("Transfer-Encoding");
            String all = (headers.startsWith("Host") || headers.contains("\r\nHost") ? "" : "Host: 127.0.0.1\r\n")
                    + (headers.contains("Content-Type") ? "" : "Content-Type: application/json\r\n")
                    + (declaresLength ? "" : "Content-Length: " + body.length() + "\r\n") + headers;
            raw("header", "release with " + headers, Expect.REFUSED, release, all, body.getBytes(StandardCharsets.UTF_8));
        }
        for (String coding : List.of("gzip", "identity", "xchunked", "gzip, chunked")) {
            raw("protocol", "release with Transfer-Encoding: " + coding, Expect.UNSUPPORTED_PROTOCOL, release,
                    "Host: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: " + coding + "\r\n",
                    "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        raw("header", "no Host", Expect.REFUSED, "GET " + path + " HTTP/1.1", "\u0000omit-host", new byte[0]);
        String chunkedHeaders = "Host: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
        for (String chunks : List.of("zz\r\n{}\r\n0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
                "2\r\n{}\r\n0\r\nX-Trailer: \u0000\r\n\r\n", "2;ext=\"unterminated\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n",
                "1\r\n{\r\n1\r\n}\r\n0\r\nContent-Length: 99\r\n\r\n", "2 \r\n{}\r\n0\r\n\r\n", "+2\r\n{}\r\n0\r\n\r\n",
                "2\n{}\n0\n\n")) {
            raw("chunked", "release with chunks " + chunks, Expect.REFUSED, release, chunkedHeaders,
                    chunks.getBytes(StandardCharsets.ISO_8859_1));
        }
        raw("size", "POST // declaring a body over the limit", Expect.REFUSED, "POST // HTTP/1.1",
                "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + (LIMIT + 1) + "\r\n",
                new byte[LIMIT + 1]);
        raw("size", "GET // declaring a body over the limit", Expect.REFUSED, "GET // HTTP/1.1",
                "Host: 127.0.0.1\r\nContent-Length: " + (LIMIT + 1) + "\r\n", new byte[LIMIT + 1]);
        raw("size", "POST claims declaring a body over the limit", Expect.REFUSED, "POST " + CLAIMS + " HTTP/1.1",
                "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + (LIMIT + 1) + "\r\n",
                new byte[LIMIT + 1]);
    }

    // === building requests ===========================================================================================

    private void bothTransports(String category, String description, String path, byte[] body) {
        client(category, description + " (declared length)", Expect.REFUSED, "POST", path,
                Map.of("Content-Type", "application/json"), body, false);
        client(category, description + " (chunked)", Expect.REFUSED, "POST", path,
                Map.of("Content-Type", "application/json"), body, true);
    }

    private void client(String category, String description, Expect expect, String method, String path, byte[] body) {
        client(category, description, expect, method, path,
                body == null ? Map.of() : Map.of("Content-Type", "application/json"), body, false);
    }

    private void client(String category, String description, Expect expect, String method, String path,
                        Map<String, String> headers, byte[] body, boolean chunked) {
        requests.add(new Hostile(category, description, expect, new Client(method, path, headers, body, chunked)));
    }

    /** A raw request; a {@code Host} header is added unless the headers have one (or say {@code \0omit-host}). */
    private void raw(String category, String description, Expect expect, String requestLine, String headers,
                     byte[] body) {
        raw(category, description, expect, requestLine.getBytes(StandardCharsets.ISO_8859_1), headers, body);
    }

    private void raw(String category, String description, Expect expect, byte[] requestLine, String headers,
                     byte[] body) {
        String all = headers.equals("\u0000omit-host") ? ""
                : (headers.contains("Host:") ? "" : "Host: 127.0.0.1\r\n") + headers;
        if (body.length > 0 && !all.contains("Content-Length") && !all.contains("Transfer-Encoding")) {
            all += "Content-Length: " + body.length + "\r\n";
        }
        all += "Connection: close\r\n";
        byte[] bytes = RawHttp.request(new String(requestLine, StandardCharsets.ISO_8859_1), all, body);
        requests.add(new Hostile(category, description, expect, new Raw(bytes)));
    }

    private static byte[] line(String before, byte[] middle, String after) {
        return bytes(before, middle, after);
    }

    /**
     * A claim request as JSON text; {@code overrides} replace a field's JSON token, {@code <absent>} leaves it out.
     */
    private static String claimJson(String consumer, Map<String, String> overrides) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("consumer_id", "\"" + consumer + "\"");
        fields.put("epoch", "1");
        fields.put("entity_url", "\"https://example.test/entities/" + consumer + "\"");
        fields.put("stream_path", "\"/streams/" + consumer + "\"");
        fields.put("wake_id", "\"wake-1\"");
        fields.put("runner_id", "\"runner-1\"");
        fields.put("lease_ttl_ms", "60000");
        fields.put("lease_policy", "\"fixed\"");
        fields.putAll(overrides);
        return fields.entrySet().stream().filter(entry -> !"<absent>".equals(entry.getValue()))
                .map(entry -> "\"" + entry.getKey() + "\":" + entry.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private String consumer() {
        return "hostile-" + sequence.incrementAndGet();
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String before, byte[] middle, String after) {
        byte[] head = before.getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = after.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + middle.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(middle, 0, all, head.length, middle.length);
        System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
        return all;
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02X ", b & 0xFF));
        }
        return text.toString().trim();
    }

    private static String preview(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 40), StandardCharsets.ISO_8859_1);
        return "(" + body.length + " bytes) " + text;
    }

    private static List<String> plus(List<String> methods, String more) {
        List<String> all = new ArrayList<>(methods);
        all.add(more);
        return all;
    }
}

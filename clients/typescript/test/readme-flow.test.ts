import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import createClient from "openapi-fetch";
import type { paths } from "../src/generated/ledger-api.js";
import { readmeFlow } from "../src/readme-flow.js";

const baseUrl = process.env.LEDGER_URL ?? "";

/** Runs `check` until it passes, for reads of the read model, which follows the events a moment behind. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (failure) {
      if (attempt === 100) {
        throw failure;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

test("README's flow takes a claim through its life on the real ledger, typed by the served document", async () => {
  assert.ok(baseUrl, "LEDGER_URL names the ledger to run against");
  const tenant = `ts-${process.pid}-${Date.now()}`;

  const flow = await readmeFlow(baseUrl, tenant, "worker-1");

  assert.equal(flow.made.response.status, 201);
  assert.equal(flow.made.data?.status, "active");
  assert.equal(flow.made.data?.last_heartbeat_at, null);
  assert.equal(flow.beat.data?.heartbeat_count, 1);
  assert.deepEqual(flow.batch.data?.results.map((result) => [result.status, result.error?.code]),
    [[200, undefined], [404, "claim_not_found"]]);
  assert.equal(flow.released.data?.status, "released");
  assert.equal(flow.released.data?.end_reason, "released");
  assert.ok(flow.read.response.status === 200 || flow.read.error?.code === "claim_not_found",
    "the read model may not have caught up yet");
  assert.ok(flow.page.response.ok);
  assert.deepEqual(flow.history.data?.events.map((event) => event.type),
    ["ClaimMaterialized", "HeartbeatReceived", "HeartbeatReceived", "ClaimReleased"]);
  assert.equal(flow.refused.response.status, 409);
  assert.equal(flow.refused.response.headers.get("content-type"), "application/problem+json");
  assert.equal(flow.ended, true);

  const ledger = createClient<paths>({ baseUrl });
  await eventually(async () => {
    const { data } = await ledger.GET("/v1/tenants/{tenant}/claims", { params: { path: { tenant } } });
    assert.deepEqual(data?.claims.map((claim) => [claim.consumer_id, claim.status]), [["worker-1", "released"]]);
    assert.equal(data?.next_cursor, null);
  });
});

test("README shows the flow exactly as it is compiled and run here", () => {
  const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  const flow = readFileSync(new URL("../../src/readme-flow.ts", import.meta.url), "utf8");

  assert.ok(readme.includes("```ts\n" + flow + "```\n"), "README.md holds src/readme-flow.ts in a ts block");
});

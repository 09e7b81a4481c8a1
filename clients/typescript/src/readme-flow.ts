import createClient from "openapi-fetch";
import type { paths } from "./generated/ledger-api.js";

/** README's flow: one consumer's claim through its life, and one call the ledger refuses. */
export async function readmeFlow(baseUrl: string, tenant: string, consumer: string) {
  const apiKey = process.env.CLAIMS_API_KEY; // not needed while the ledger runs open on 127.0.0.1
  const ledger = createClient<paths>({
    baseUrl,
    headers: apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` },
  });
  const path = { tenant, consumer, epoch: 1 };

  const made = await ledger.POST("/v1/tenants/{tenant}/claims", {
    params: { path: { tenant } },
    body: {
      consumer_id: consumer, epoch: 1, entity_url: "https://example.com/orders/42",
      stream_path: "/orders/42/events", runner_id: "runner-a", lease_ttl_ms: 30_000,
    },
  });
  const beat = await ledger.POST("/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/heartbeats", {
    params: { path },
    body: { reported_at: new Date().toISOString() },
  });
  const batch = await ledger.POST("/v1/tenants/{tenant}/heartbeats", {
    params: { path: { tenant } },
    body: { heartbeats: [{ consumer_id: consumer, epoch: 1 }, { consumer_id: consumer, epoch: 7 }] },
  });
  const released = await ledger.POST("/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/release", {
    params: { path },
    body: { acked_streams: [{ path: "/orders/42/events", offset: "17" }] },
  });
  const read = await ledger.GET("/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}", { params: { path } });
  const page = await ledger.GET("/v1/tenants/{tenant}/claims", {
    params: { path: { tenant }, query: { runner_id: "runner-a", limit: 50 } },
  });
  const history = await ledger.GET("/v1/tenants/{tenant}/claims/{consumer}/history", {
    params: { path: { tenant, consumer } },
  });

  // after the release a heartbeat is refused: a problem+json with a code the document lists for this call
  const refused = await ledger.POST("/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/heartbeats", {
    params: { path },
  });
  const ended = refused.error?.code === "claim_not_active";

  return { made, beat, batch, released, read, page, history, refused, ended };
}

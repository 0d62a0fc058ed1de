/**
 * Tells WebSub hubs which feeds changed (W3C WebSub §7: `hub.mode=publish`
 * with the topic URLs), so that subscribed readers hear of new items in
 * seconds instead of polling. URLs go in batches, one POST per batch and hub;
 * a failed POST is retried with backoff and reported with the hub's answer.
 * It never throws: a hub that is down must not fail a publish.
 */
export interface PingResult {
  hub: string;
  urls: number;
  ok: boolean;
  /** The hub's status and the start of its answer, or the network error. */
  detail: string;
  attempts: number;
}

export interface PingOptions {
  fetch?: typeof fetch;
  attempts?: number;
  /** First wait between attempts; doubled each time. */
  backoffMs?: number;
  batchSize?: number;
}

export async function pingHubs(
  hubs: readonly string[],
  urls: readonly string[],
  options: PingOptions = {},
): Promise<PingResult[]> {
  const { fetch: send = fetch, attempts = 3, backoffMs = 1_000, batchSize = 100 } = options;
  const results: PingResult[] = [];
  for (const hub of hubs) {
    for (let start = 0; start < urls.length; start += batchSize) {
      const batch = urls.slice(start, start + batchSize);
      const body = new URLSearchParams([
        ["hub.mode", "publish"],
        ...batch.map((url): [string, string] => ["hub.url", url]),
      ]);
      let detail = "";
      let attempt = 0;
      let ok = false;
      while (!ok && attempt < attempts) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
        attempt++;
        try {
          const response = await send(hub, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          const text = (await response.text()).trim().replace(/\s+/g, " ").slice(0, 200);
          ok = response.ok;
          detail = `${response.status}${text ? ` ${text}` : ""}`;
        } catch (error) {
          detail = error instanceof Error ? error.message : String(error);
        }
      }
      results.push({ hub, urls: batch.length, ok, detail, attempts: attempt });
    }
  }
  return results;
}

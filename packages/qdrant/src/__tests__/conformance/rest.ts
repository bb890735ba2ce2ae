/**
 * A raw REST client for the conformance suite: plain fetch, no @qdrant/js-client-rest, so the
 * cases see exactly the status codes and bodies a server sends (the client would turn them into
 * exceptions first).
 */
export interface Reply {
  status: number;
  ok: boolean;
  /** The parsed body, or null when it was not JSON. */
  json: { result?: unknown; status?: unknown; time?: number } & Record<string, unknown>;
}

export interface Rest {
  readonly url: string;
  call(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean>): Promise<Reply>;
  /** Sends a raw body of `bytes` (for the body-limit case). */
  raw(method: string, path: string, bytes: Uint8Array | string): Promise<Reply>;
}

export function rest(url: string, apiKey?: string): Rest {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(apiKey ? { 'api-key': apiKey } : {}) };
  const send = async (method: string, path: string, body: string | Uint8Array | undefined, query?: Record<string, string | number | boolean>) => {
    const qs = query === undefined ? '' : `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    const res = await fetch(`${url}${path}${qs}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: Reply['json'];
    try {
      json = JSON.parse(text) as Reply['json'];
    } catch {
      json = { text } as Reply['json'];
    }
    return { status: res.status, ok: res.ok, json };
  };
  return {
    url,
    call: (method, path, body, query) => send(method, path, body === undefined ? undefined : JSON.stringify(body), query),
    raw: (method, path, bytes) => send(method, path, bytes),
  };
}

/** The error text of a failed reply (`{ status: { error } }`). */
export function errorOf(r: Reply): string {
  const s = r.json.status;
  return s !== null && typeof s === 'object' && typeof (s as { error?: unknown }).error === 'string' ? (s as { error: string }).error : '';
}

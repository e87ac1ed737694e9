/** A federation gateway's answer, as the gateway tests read it. */
export interface GatewayResponse {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

/** POSTs `query` to a gateway (the Apollo and Hive gateway tests), with the caller's bearer token if any. */
export async function postToGateway(url: string, query: string, token?: string): Promise<GatewayResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GatewayResponse['body'] };
}

/** A query across both subgraphs of the example supergraph: dashboards with their connector and connection. */
export const DASHBOARDS_QUERY = /* GraphQL */ `{
  dashboards {
    id title
    alertConnector { actionConnectorId name type status }
    sourceConnection { connectionId name type props { __typename } }
  }
}`;

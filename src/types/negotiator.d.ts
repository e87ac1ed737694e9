// negotiator 1.x ships no types; the part Apollo Server's content negotiation (and response-policy.ts) uses.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | undefined> });
    mediaType(available?: string[]): string | undefined;
  }
}

// The part of negotiator (the Accept-header negotiation Apollo Server and Express use) that we call.
// negotiator is CommonJS (module.exports = Negotiator), so it is typed with `export =`.
declare module 'negotiator' {
  class Negotiator {
    constructor(request: { headers: { accept?: string } });
    /** The best of `available` for the request's Accept header, or undefined when none fits. */
    mediaType(available: string[]): string | undefined;
  }
  export = Negotiator;
}

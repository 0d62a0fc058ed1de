/** A page a refusal points to instead: a browser gets it as a link (paths under the base path). */
export interface Suggestion {
  label: string;
  path: string;
}

/** A request the service refuses, with a message saying what to fix (or, for 503, when to come back). */
export class HttpError extends Error {
  constructor(
    readonly status:
      400 | 401 | 403 | 404 | 405 | 406 | 409 | 412 | 413 | 415 | 421 | 422 | 429 | 503,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The closest matches, for the HTML page a browser gets. */
    readonly suggestions: readonly Suggestion[] = [],
  ) {
    super(message);
  }
}

/** A piece of the request quoted in a message, cut short: a message never grows with what a client sends. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

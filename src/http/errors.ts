/** A request the service refuses, with a message saying what to fix. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 406,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

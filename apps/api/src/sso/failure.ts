// A refused SSO sign-in: the HTTP status, a stable code and a message saying what to do.
export class SsoFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

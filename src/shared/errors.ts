/** A mistake in how faultline was called or in what it was given: printed as one line, exit 2. */
export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}

// A JMESPath evaluation failure (type error, budget). No stack trace: the call fails with 500.
export class JmespathRunError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'JmespathRunError';
  }
}

/** Sagas with retries take seconds, not milliseconds: every wait in this suite has its own deadline below this. */
jest.setTimeout(120_000);

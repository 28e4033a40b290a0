/** The source of "now". Inject it; never read the system time inside domain code. */
export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that stands still until told to move. Use it for deterministic replays, timeouts in
 * tests, and anywhere time must be driven by hand.
 *
 * @example
 * const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
 * clock.advance(60_000); // one minute later
 */
export class FixedClock implements Clock {
  #now: number;

  constructor(start: Date | string | number = 0) {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Sets the clock to `at`. */
  set(at: Date | string | number): void {
    this.#now = new Date(at).getTime();
  }
}

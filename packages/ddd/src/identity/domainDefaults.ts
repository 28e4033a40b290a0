import { AsyncLocalStorage } from 'node:async_hooks';
import { type Clock, SystemClock } from '../time/clock.js';
import { type IdGenerator, Uuid7Generator } from './idGenerator.js';

/** The id generator and clock used when a class and its caller name none. */
export interface DomainDefaults {
  readonly idGenerator: IdGenerator<string>;
  readonly clock: Clock;
}

const builtIn: DomainDefaults = Object.freeze({
  idGenerator: new Uuid7Generator(),
  clock: new SystemClock(),
});

let processDefaults: DomainDefaults = builtIn;
const scoped = new AsyncLocalStorage<DomainDefaults>();

/**
 * The defaults in force here: the innermost {@link withDomainDefaults} scope, else the process
 * defaults set by {@link setDomainDefaults}, else UUIDv7 ids and the system clock.
 */
export function domainDefaults(): DomainDefaults {
  return scoped.getStore() ?? processDefaults;
}

/**
 * Runs `fn` with the given id generator and/or clock as defaults for every id and timestamp
 * minted inside it, including across `await`s. Nothing leaks outside the scope, which makes it
 * the safe choice for tests.
 *
 * @example
 * await withDomainDefaults({ clock: new FixedClock('2026-01-01') }, async () => { ... })
 */
export function withDomainDefaults<T>(overrides: Partial<DomainDefaults>, fn: () => T): T {
  return scoped.run({ ...domainDefaults(), ...overrides }, fn);
}

/**
 * Replaces the process-wide defaults and returns a function that restores the previous ones.
 * Prefer {@link withDomainDefaults}; use this at application start-up.
 */
export function setDomainDefaults(overrides: Partial<DomainDefaults>): () => void {
  const previous = processDefaults;
  processDefaults = { ...processDefaults, ...overrides };
  return () => {
    processDefaults = previous;
  };
}

/** Restores the built-in process defaults (UUIDv7 and the system clock). */
export function resetDomainDefaults(): void {
  processDefaults = builtIn;
}

import { uuidv7 } from 'uuidv7';

/** Produces identifiers. Synchronous: it is called in tight loops. */
export interface IdGenerator<TId = string> {
  generate(): TId;
}

/**
 * The default generator: RFC 9562 version-7 UUIDs, time ordered and strictly increasing within a
 * millisecond in one process, so ids created one after another sort in creation order.
 */
export class Uuid7Generator implements IdGenerator<string> {
  generate(): string {
    return uuidv7();
  }
}

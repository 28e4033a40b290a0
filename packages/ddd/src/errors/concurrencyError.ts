import { DomainError } from './pdError.js';

/**
 * An optimistic-concurrency conflict: somebody else changed `stream` since it was loaded.
 * `expectedVersion` is what the writer expected, `actualVersion` what the store holds.
 * Usually safe to retry by reloading and re-running the command.
 */
export class ConcurrencyError extends DomainError<'CONCURRENCY'> {
  readonly stream: string;
  readonly expectedVersion: number | string;
  readonly actualVersion: number | string;

  constructor(
    stream: string,
    expectedVersion: number | string,
    actualVersion: number | string,
    options?: { cause?: unknown; message?: string },
  ) {
    super(
      options?.message ??
        `Concurrency conflict on ${stream}: expected ${String(expectedVersion)}, found ${String(actualVersion)}`,
      { code: 'CONCURRENCY', cause: options?.cause },
    );
    this.stream = stream;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** Vocabulary for users: a specification that cannot be evaluated or combined. */
export class SpecificationError extends DomainError<'SPECIFICATION'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'SPECIFICATION', cause: options?.cause });
  }
}

/** An id generator produced a value that does not fit the entity's id schema. */
export class IdGenerationError extends DomainError<'ID_GENERATION'> {
  constructor(message: string) {
    super(message, { code: 'ID_GENERATION' });
  }
}

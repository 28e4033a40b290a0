import type { z } from 'zod';
import { PdError } from './pdError.js';

/** One failed rule of a {@link ValidationError}. */
export interface ValidationIssue {
  /** Dotted path of the field, `''` for the object itself. */
  readonly field: string;
  readonly message: string;
  readonly code: string;
}

/**
 * Input that does not satisfy a schema. Thrown at construction, before anything is built or
 * written. `field` names the first offending field; `issues` lists them all.
 */
export class ValidationError extends PdError<'VALIDATION'> {
  readonly typeName: string;
  readonly field: string;
  readonly issues: readonly ValidationIssue[];

  constructor(typeName: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const first = issues[0];
    const where = first && first.field !== '' ? `${first.field}: ` : '';
    super(
      'VALIDATION',
      `Invalid ${typeName}: ${where}${first?.message ?? 'invalid input'}`,
      options,
    );
    this.typeName = typeName;
    this.field = first?.field ?? '';
    this.issues = issues;
  }

  /** Builds a ValidationError from a zod error. */
  static fromZod(typeName: string, error: z.ZodError, prefix?: string): ValidationError {
    const fieldOf = (path: readonly PropertyKey[]) =>
      [prefix, ...path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    // An unrecognised key is reported by zod on the object holding it: name each key instead.
    const issues = error.issues.flatMap((issue): ValidationIssue[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            field: fieldOf([...issue.path, key]),
            message: `unknown field "${key}"`,
            code: issue.code,
          }))
        : [{ field: fieldOf(issue.path), message: issue.message, code: issue.code }],
    );
    return new ValidationError(typeName, issues, { cause: error });
  }

  /** A single-field validation error. */
  static of(typeName: string, field: string, message: string): ValidationError {
    return new ValidationError(typeName, [{ field, message, code: 'custom' }]);
  }
}

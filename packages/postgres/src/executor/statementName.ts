import { int32Hash } from '../schema/identifier.js';

/** A prepared-statement name derived from the SQL text (stable, unique per text in practice). */
export function statementName(text: string): string {
  return `pd_${(int32Hash(text) >>> 0).toString(36)}_${text.length.toString(36)}`;
}

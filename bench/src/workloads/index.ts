import type { BenchCase } from '../harness/types.js';
import { catchUpCases } from './catchUp.js';
import { commandDispatchCases } from './commandDispatch.js';
import { constructionCases } from './construction.js';
import { inMemoryStoreCases } from './inMemoryStore.js';
import { postgresAppendCases } from './postgresAppend.js';
import { rehydrationCases } from './rehydration.js';

/** Every benchmark case, in table order. */
export const allCases: readonly BenchCase[] = [
  ...commandDispatchCases,
  ...constructionCases,
  ...inMemoryStoreCases,
  ...rehydrationCases,
  ...postgresAppendCases,
  ...catchUpCases,
];

/** The case with this id, or an error listing the known ids. */
export function caseById(id: string): BenchCase {
  const found = allCases.find((c) => c.id === id);
  if (found === undefined) {
    throw new Error(`unknown bench case ${id}; known: ${allCases.map((c) => c.id).join(', ')}`);
  }
  return found;
}

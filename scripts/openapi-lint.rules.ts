import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';

const JSON_MEDIA = ['application/json'];
const SUCCESS = ['200', '201', '202'];

/**
 * What makes the OpenAPI document worth importing into Postman or Insomnia: every operation named,
 * described, tagged (with tags that say what they are), uniquely identified, secured where it
 * needs a token, and with examples that the schemas accept on every body it sends or answers.
 */
export const OPENAPI_RULES = {
  'operation-summary': 'error',
  'operation-description': 'error',
  'operation-operationId': 'error',
  'operation-operationId-unique': 'error',
  'operation-tag-defined': 'error',
  'tag-description': 'error',
  'security-defined': 'error',
  'no-invalid-media-type-examples': { severity: 'error', allowAdditionalProperties: false },
  'no-invalid-schema-examples': { severity: 'error', allowAdditionalProperties: false },
  'rule/request-body-example': {
    subject: { type: 'MediaType', filterInParentKeys: JSON_MEDIA },
    where: [{ subject: { type: 'RequestBody' }, assertions: { defined: true } }],
    assertions: { requireAny: ['example', 'examples'] },
    message: 'every JSON request body needs an example',
    severity: 'error',
  },
  'rule/success-answer-example': {
    subject: { type: 'MediaType', filterInParentKeys: JSON_MEDIA },
    where: [{ subject: { type: 'Response', filterInParentKeys: SUCCESS }, assertions: { defined: true } }],
    assertions: { requireAny: ['example', 'examples'] },
    message: 'every 2xx JSON answer needs an example',
    severity: 'error',
  },
} as const;

/** Lints an OpenAPI document with the project's rules; what it returns is what is wrong. */
export async function lintOpenApi(document: object): Promise<NormalizedProblem[]> {
  const config = await createConfig({ rules: OPENAPI_RULES } as Parameters<typeof createConfig>[0]);
  return lintFromString({
    source: JSON.stringify(document, null, 2),
    absoluteRef: 'openapi.json',
    config,
  });
}

/** One line per finding: rule, where, what. */
export function describeProblem(problem: NormalizedProblem): string {
  const where = problem.location[0]?.pointer ?? '';
  return `${problem.ruleId} ${where}: ${problem.message}`;
}

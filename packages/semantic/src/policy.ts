// The security policy shared with a real Cube server's configuration (cube/security.json,
// read by cube/cube.js too): the keys and operators a query may use, and what makes a
// secret unacceptable. One file, so the two cannot drift apart.
import policy from '../../../cube/security.json' with { type: 'json' };

export const QUERY_POLICY = {
  publicViews: new Set(policy.publicViews),
  workspaceDimension: policy.workspaceDimension,
  queryKeys: new Set(policy.queryKeys),
  filterKeys: new Set(policy.filterKeys),
  timeDimensionKeys: new Set(policy.timeDimensionKeys),
  operators: new Set(policy.operators),
};

/**
 * Why `value` cannot serve as the secret `name` (missing, short, or a published
 * placeholder), or undefined when it can. Apps refuse to start on a problem.
 */
export function secretProblem(name: string, value: string | undefined): string | undefined {
  const v = value?.trim() ?? '';
  if (!v) return `${name} is not set: give it a random value of ${policy.secrets.minLength}+ characters (e.g. openssl rand -hex 32)`;
  const lower = v.toLowerCase();
  if (policy.secrets.placeholders.some((p) => lower.includes(p)) || new Set(v).size < 8) {
    return `${name} is a placeholder or guessable value; set a random one (e.g. openssl rand -hex 32)`;
  }
  if (v.length < policy.secrets.minLength) return `${name} must be at least ${policy.secrets.minLength} characters (e.g. openssl rand -hex 32)`;
  return undefined;
}

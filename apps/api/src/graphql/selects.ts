// Whether a resolver's answer is asked for a field (through fragments too), so a resolver can
// leave out a statement whose figures nobody reads.
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** The fields selected at `path` below the resolver's field (`['rows', 'accounts']`). */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: string[]): boolean {
  const below = (sets: SelectionSetNode[], name: string): SelectionSetNode[] =>
    sets.flatMap((set) =>
      set.selections.flatMap((s) => {
        if (s.kind === Kind.FIELD) return s.name.value === name ? [s.selectionSet ?? { kind: Kind.SELECTION_SET, selections: [] }] : [];
        const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : info.fragments[s.name.value];
        return fragment ? below([fragment.selectionSet], name) : [];
      }),
    );
  let sets = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const name of path) sets = below(sets, name);
  return sets.length > 0;
}

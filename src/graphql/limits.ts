// Operation cost limits, checked before anything executes (HTTP and graphql-ws alike): a token cap
// while parsing (graphql-js stops lexing past it), then one validation rule that measures each
// operation with its fragments expanded — fields, aliases, depth and `__schema` selections.
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type ParseOptions, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

export interface OperationLimits {
  /** Lexical tokens per document (graphql-js `parse` option `maxTokens`). */
  maxTokens: number;
  /** Field selections per operation, every fragment spread counted as often as it is used. */
  maxFields: number;
  /** Aliased fields per operation (expanded like maxFields). */
  maxAliases: number;
  /** Nesting of field selections: `{ a { b } }` has depth 2. */
  maxDepth: number;
  /** `__schema` selections per operation (each answers the whole schema). */
  maxSchemaIntrospections: number;
}

/**
 * The server's limits. The largest documents the project sends (client/operations/runs.graphql:
 * 643 tokens; the full introspection query: 183 tokens, depth 13) pass with room to spare.
 */
export const OPERATION_LIMITS: Readonly<OperationLimits> = {
  maxTokens: 5000,
  maxFields: 1500,
  maxAliases: 50,
  maxDepth: 15,
  maxSchemaIntrospections: 1,
};

export type LimitName = 'fields' | 'aliases' | 'depth' | 'schemaIntrospections';

/** What one selection set costs, its fragments expanded. */
export interface SelectionCost {
  fields: number;
  aliases: number;
  depth: number;
  schemaIntrospections: number;
}

const ZERO: SelectionCost = { fields: 0, aliases: 0, depth: 0, schemaIntrospections: 0 };

function add(a: SelectionCost, b: SelectionCost, depthOffset = 0): SelectionCost {
  return {
    fields: a.fields + b.fields,
    aliases: a.aliases + b.aliases,
    depth: Math.max(a.depth, b.depth + depthOffset),
    schemaIntrospections: a.schemaIntrospections + b.schemaIntrospections,
  };
}

/**
 * Measures a selection set. Fragment costs are memoised (a chain of fragments each spreading the
 * next twice costs linear time, not 2^n); a fragment that spreads itself counts as empty there
 * (NoFragmentCyclesRule reports the cycle).
 */
export function selectionCost(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, memo = new Map<string, SelectionCost | 'busy'>()): SelectionCost {
  let cost = ZERO;
  for (const sel of set.selections) {
    switch (sel.kind) {
      case Kind.FIELD: {
        const own: SelectionCost = { fields: 1, aliases: sel.alias ? 1 : 0, depth: 1, schemaIntrospections: sel.name.value === '__schema' ? 1 : 0 };
        cost = add(cost, own);
        if (sel.selectionSet) cost = add(cost, selectionCost(sel.selectionSet, fragments, memo), 1);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        cost = add(cost, selectionCost(sel.selectionSet, fragments, memo));
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = sel.name.value;
        let frag = memo.get(name);
        if (frag === undefined) {
          const def = fragments.get(name);
          if (!def) break; // KnownFragmentNamesRule reports it
          memo.set(name, 'busy');
          frag = selectionCost(def.selectionSet, fragments, memo);
          memo.set(name, frag);
        }
        if (frag !== 'busy') cost = add(cost, frag);
        break;
      }
    }
  }
  return cost;
}

function exceeded(limit: LimitName, max: number, actual: number, operation: string): GraphQLError {
  const what: Record<LimitName, string> = {
    fields: 'field selections (fragments counted each time they are spread)',
    aliases: 'aliased fields',
    depth: 'levels of nested selections',
    schemaIntrospections: '__schema selections',
  };
  return new GraphQLError(`${operation} has ${actual} ${what[limit]}; the server allows at most ${max}`, { extensions: { limit, max, actual } });
}

/** Validation rule: refuses an operation over any limit (one error per limit it breaks). */
export function operationLimitsRule(limits: Readonly<OperationLimits> = OPERATION_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const memo = new Map<string, SelectionCost | 'busy'>();
    return {
      OperationDefinition(node) {
        const cost = selectionCost(node.selectionSet, fragments, memo);
        const name = node.name ? `Operation "${node.name.value}"` : 'The operation';
        const checks: [LimitName, number, number][] = [
          ['fields', limits.maxFields, cost.fields],
          ['aliases', limits.maxAliases, cost.aliases],
          ['depth', limits.maxDepth, cost.depth],
          ['schemaIntrospections', limits.maxSchemaIntrospections, cost.schemaIntrospections],
        ];
        for (const [limit, max, actual] of checks) if (actual > max) context.reportError(exceeded(limit, max, actual, name));
        return false; // measured from here; nothing below needs visiting by this rule
      },
    };
  };
}

/** graphql-js parse options with the token cap. */
export function limitedParseOptions(limits: Readonly<OperationLimits> = OPERATION_LIMITS): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

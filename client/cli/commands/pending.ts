// Temporary: commands whose server operations are not in schema.graphql yet.
import { SpikelabError } from '../../api/errors.js';

export function notYet(what: string): never {
  throw new SpikelabError(`${what} is not available yet: the server does not expose it in schema.graphql`, 'NOT_IMPLEMENTED');
}

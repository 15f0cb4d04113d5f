// SpikelabClient: the functions researchers call by name. Every operation is typed from the
// committed schema.graphql (client/generated, GraphQL Code Generator).
import {
  CreateModelDocument, DatasetsDocument, ModelsDocument, RegisterDatasetDocument,
  type CreateModelInput, type DatasetFieldsFragment, type ModelFieldsFragment, type RegisterDatasetInput,
} from '../generated/graphql.js';
import { type ConnectOptions, Transport } from './transport.js';

export type Dataset = DatasetFieldsFragment;
export type Model = ModelFieldsFragment;
export type { CreateModelInput, RegisterDatasetInput };

export class SpikelabClient {
  readonly transport: Transport;

  constructor(opts: ConnectOptions) {
    this.transport = new Transport(opts);
  }

  /** Registers a data set the server can read (CONFLICT if the name is taken). */
  async registerDataset(input: RegisterDatasetInput): Promise<Dataset> {
    return (await this.transport.request(RegisterDatasetDocument, { input })).registerDataset;
  }

  /** All data sets, oldest first (follows the cursor pages). */
  async datasets(): Promise<Dataset[]> {
    return collectPages(async (after) => (await this.transport.request(DatasetsDocument, { first: 500, after })).datasets);
  }

  async createModel(input: CreateModelInput): Promise<Model> {
    return (await this.transport.request(CreateModelDocument, { input })).createModel;
  }

  async models(): Promise<Model[]> {
    return collectPages(async (after) => (await this.transport.request(ModelsDocument, { first: 500, after })).models);
  }

  /** Closes the subscription socket, if one was opened. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** Follows `after` cursors until the last page. */
export async function collectPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>, limit = 100_000): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetchPage(after);
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor || out.length >= limit) return out;
    after = page.pageInfo.endCursor;
  }
}

/** Connects to a Spikelab server: `connect({ url: 'http://127.0.0.1:4000', token })`. */
export function connect(opts: ConnectOptions | string): SpikelabClient {
  return new SpikelabClient(typeof opts === 'string' ? { url: opts } : opts);
}

// Remote job workers as they announced themselves (Worker table): registration (refused for another
// protocol or an older version), heartbeats, goodbye, and the list `workers` shows with each
// worker's running jobs.
import { z } from 'zod';
import { WORKER_PROTOCOL } from '../formats/index.js';
import type { PrismaClient } from './db.js';
import { NotFoundError, WorkerRefusedError } from './errors.js';
import { parseInput } from './input.js';
import type { JobService } from './jobs.js';

export const WORKER_SOURCES = ['redis', 'api'] as const;

export const registerWorkerSchema = z.object({
  /** host/pid: one per worker process. */
  id: z.string().regex(/^[^/\s]{1,200}\/\d{1,10}$/, { error: 'must be host/pid' }),
  protocol: z.number().int(),
  version: z.string().regex(/^\d+\.\d+\.\d+/, { error: 'must be a version like 1.2.3' }).max(64),
  backends: z.array(z.string().min(1).max(64)).min(1).max(32),
  devices: z.array(z.string().min(1).max(256)).max(64),
  concurrency: z.number().int().min(1).max(64),
  source: z.enum(WORKER_SOURCES),
});
export type RegisterWorkerParams = z.input<typeof registerWorkerSchema>;

export interface WorkerRecord {
  id: string;
  host: string;
  version: string;
  backends: string[];
  devices: string[];
  concurrency: number;
  source: string;
  startedAt: Date;
  lastHeartbeatAt: Date;
  stoppedAt: Date | null;
  /** Jobs RUNNING on it now. */
  jobIds: number[];
}

/** -1, 0 or 1 as version a is older than, equal to, or newer than b (major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export class WorkerService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: JobService,
    /** The server's own version: a worker must be at least this new. */
    readonly serverVersion: string,
  ) {}

  /** Records (or refreshes) a worker; WorkerRefusedError for another protocol or an older version. */
  async register(params: RegisterWorkerParams): Promise<WorkerRecord> {
    const p = parseInput(registerWorkerSchema, params);
    if (p.protocol !== WORKER_PROTOCOL) throw new WorkerRefusedError(`worker protocol ${p.protocol} is not this server's (${WORKER_PROTOCOL}): run a worker of Spikelab ${this.serverVersion}`);
    if (compareVersions(p.version, this.serverVersion) < 0) throw new WorkerRefusedError(`worker version ${p.version} is older than the server's ${this.serverVersion}: update the worker`);
    const host = p.id.split('/')[0]!;
    const data = { host, version: p.version, backends: p.backends, devices: p.devices, concurrency: p.concurrency, source: p.source, lastHeartbeatAt: new Date(), stoppedAt: null };
    await this.prisma.worker.upsert({ where: { id: p.id }, create: { id: p.id, ...data }, update: data });
    return this.get(p.id);
  }

  /** A registered worker without its running jobs (NotFoundError otherwise): what a claim checks. */
  async registered(id: string): Promise<Omit<WorkerRecord, 'jobIds'>> {
    const row = await this.prisma.worker.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('Worker', id);
    return { ...row, backends: strings(row.backends), devices: strings(row.devices) };
  }

  /** A registered worker (NotFoundError otherwise: it must register first), with the jobs it runs. */
  async get(id: string): Promise<WorkerRecord> {
    const worker = await this.registered(id);
    const running = await this.jobs.runningByWorker();
    return { ...worker, jobIds: running.get(id) ?? [] };
  }

  /** The worker says it is alive; a worker that was never registered (or said goodbye) is refused. */
  async heartbeat(id: string): Promise<void> {
    const { count } = await this.prisma.worker.updateMany({ where: { id, stoppedAt: null }, data: { lastHeartbeatAt: new Date() } });
    if (count === 0) throw new WorkerRefusedError(`worker ${id} is not registered (register first)`);
  }

  async stop(id: string): Promise<void> {
    await this.prisma.worker.updateMany({ where: { id }, data: { stoppedAt: new Date() } });
  }

  /** Workers seen within `withinMs` (default a day), most recent heartbeat first, with their running jobs. */
  async list(withinMs = 24 * 3600_000): Promise<WorkerRecord[]> {
    const rows = await this.prisma.worker.findMany({ where: { lastHeartbeatAt: { gte: new Date(Date.now() - withinMs) } }, orderBy: { lastHeartbeatAt: 'desc' } });
    const running = await this.jobs.runningByWorker();
    return rows.map((row) => ({ ...row, backends: strings(row.backends), devices: strings(row.devices), jobIds: running.get(row.id) ?? [] }));
  }
}

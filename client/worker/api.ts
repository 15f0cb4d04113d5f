// The server as a worker sees it: the worker mutations of the typed client, the downloads and the
// upload, over one or more server URLs (replicas of one deployment). A call that cannot reach the
// current server moves to the next and tries again, for up to `failoverMs`.
import { SpikelabError } from '../api/errors.js';
import { type Operation, Transport } from '../api/transport.js';
import {
  ClaimJobDocument, FinishJobDocument, RegisterWorkerDocument, ReleaseJobDocument, ReportJobDocument, StopWorkerDocument, WorkerHeartbeatDocument,
  type FinishJobInput, type JobReportInput, type RegisterWorkerInput,
} from '../generated/graphql.js';
import type { WorkerAssignment } from '../../src/formats/worker.js';

export interface WorkerApiOptions {
  /** Server URLs; the first is used until it cannot be reached. */
  servers: string[];
  token?: string;
  failoverMs?: number;
  log: (msg: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class WorkerApi {
  private readonly transports: Transport[];
  private current = 0;

  constructor(private readonly opts: WorkerApiOptions) {
    if (opts.servers.length === 0) throw new SpikelabError('give at least one server URL', 'BAD_USER_INPUT');
    this.transports = opts.servers.map((url) => new Transport({ url, ...(opts.token && { token: opts.token }), timeoutMs: 120_000 }));
  }

  get server(): string {
    return this.transports[this.current]!.endpoint.origin;
  }

  /** Runs `fn` on the current server, moving to the next one while servers cannot be reached. */
  private async withFailover<T>(fn: (t: Transport) => Promise<T>): Promise<T> {
    const until = Date.now() + (this.opts.failoverMs ?? 60_000);
    for (let tries = 0; ; tries++) {
      const t = this.transports[this.current]!;
      try {
        return await fn(t);
      } catch (err) {
        const unreachable = err instanceof SpikelabError && (err.code === 'CONNECTION_FAILED' || err.code === 'TIMEOUT' || (err.code === 'HTTP_ERROR' && [502, 503, 504].includes(Number(err.details?.status))));
        if (!unreachable || Date.now() > until) throw err;
        const next = (this.current + 1) % this.transports.length;
        if (next !== this.current) this.opts.log(`server ${t.endpoint.origin} unreachable (${err.message}); trying ${this.transports[next]!.endpoint.origin}`);
        this.current = next;
        await sleep(Math.min(2000, 200 * (tries + 1)));
      }
    }
  }

  private request<R, V>(doc: Operation<R, V>, variables: NoInfer<V>): Promise<R> {
    return this.withFailover((t) => t.request(doc, variables));
  }

  async register(input: RegisterWorkerInput): Promise<{ serverVersion: string; protocol: number }> {
    return (await this.request(RegisterWorkerDocument, { input })).registerWorker;
  }

  async heartbeat(workerId: string, jobIds: number[]): Promise<number[]> {
    return (await this.request(WorkerHeartbeatDocument, { workerId, jobIds: jobIds.map(String) })).workerHeartbeat.map(Number);
  }

  async stop(workerId: string): Promise<void> {
    await this.request(StopWorkerDocument, { workerId });
  }

  async claim(workerId: string, jobId: number | null): Promise<{ assignment: WorkerAssignment | null; skipped: string | null }> {
    const r = (await this.request(ClaimJobDocument, { workerId, jobId: jobId == null ? null : String(jobId) })).claimJob;
    return { assignment: r.assignment as unknown as WorkerAssignment | null, skipped: r.skipped };
  }

  async report(input: JobReportInput): Promise<{ cancelRequested: boolean }> {
    return (await this.request(ReportJobDocument, { input })).reportJob;
  }

  async finish(input: FinishJobInput): Promise<void> {
    await this.request(FinishJobDocument, { input });
  }

  async release(workerId: string, jobId: number, reason: string, countAttempt: boolean): Promise<void> {
    await this.request(ReleaseJobDocument, { workerId, jobId: String(jobId), reason, countAttempt });
  }

  /** Uploads bytes to PUT /uploads of the current server (the finish that names it must go there too). */
  async upload(bytes: Uint8Array): Promise<string> {
    return (await this.withFailover((t) => t.upload([bytes]))).uploadId;
  }

  /** GET <path> on the current server, as a stream of chunks (the caller hashes and stores them). */
  async download(path: string): Promise<ReadableStream<Uint8Array>> {
    return this.withFailover(async (t) => {
      const url = new URL(path, t.endpoint);
      let res: Response;
      try {
        res = await fetch(url, { headers: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {} });
      } catch (e) {
        throw new SpikelabError(`cannot reach ${url.origin}: ${e instanceof Error ? e.message : String(e)}`, 'CONNECTION_FAILED');
      }
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | null;
        const e = body?.errors?.[0];
        throw new SpikelabError(`download ${url.pathname} failed: HTTP ${res.status}${e?.message ? `: ${e.message}` : ''}`, e?.extensions?.code ?? 'HTTP_ERROR', { status: res.status });
      }
      return res.body;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.transports.map((t) => t.close()));
  }
}

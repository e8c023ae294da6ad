// A raw HTTP client for the fuzzer: exact bytes out (invalid UTF-8, lying content types), a deadline
// per request (a hang is a failure, not a stuck test), keep-alive so 10,000 requests stay cheap.
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: any;
  ms: number;
}

type Headers = Record<string, string>;

export class RawClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(
    private readonly port: number,
    private readonly deadlineMs: number,
  ) {}

  /** Retries once when a kept-alive socket turns out closed by the server: the request never reached it. */
  async send(method: string, url: string, headers: Headers, body?: Buffer | string): Promise<RawResponse> {
    try {
      return await this.once(method, url, headers, body);
    } catch (error) {
      if ((error as { reused?: boolean }).reused) return this.once(method, url, headers, body);
      throw error;
    }
  }

  private once(method: string, url: string, headers: Headers, body?: Buffer | string): Promise<RawResponse> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method, path: url, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            const ms = performance.now() - started;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms });
          });
          res.on('error', reject);
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.deadlineMs} ms`));
      }, this.deadlineMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(Object.assign(error, { reused: req.reusedSocket && error.code === 'ECONNRESET' }));
      });
      if (body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(body));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

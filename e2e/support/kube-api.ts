/**
 * The few Kubernetes API calls the end-to-end suite makes itself — get, server-side apply, delete
 * and watch — over Node's https with the cluster's CA and a bearer token or client certificate.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import { parse } from 'yaml';

/** How to reach and authenticate to an API server. */
export interface KubeConnection {
  readonly server: string;
  readonly ca?: string;
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecure?: boolean;
}

/** One watch event. */
export interface WatchEvent<T = KubeObject> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

/** The parts of an object the suite reads everywhere. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A response whose status the caller judges. */
export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** A minimal API client. */
export class KubeApi {
  private readonly agent: https.Agent;

  constructor(readonly connection: KubeConnection) {
    this.agent = new https.Agent({
      ca: connection.ca,
      cert: connection.cert,
      key: connection.key,
      rejectUnauthorized: !connection.insecure,
      keepAlive: true,
    });
  }

  /** The current context of a kubeconfig file (token or client-certificate users). */
  static fromKubeconfig(file: string): KubeApi {
    const config = parse(fs.readFileSync(file, 'utf8')) as any;
    const context = config.contexts.find((c: any) => c.name === config['current-context']).context;
    const cluster = config.clusters.find((c: any) => c.name === context.cluster).cluster;
    const user = config.users.find((u: any) => u.name === context.user).user;
    const data = (inline: string | undefined, fileName: string | undefined) =>
      inline ? Buffer.from(inline, 'base64').toString('utf8') : fileName ? fs.readFileSync(fileName, 'utf8') : undefined;
    return new KubeApi({
      server: cluster.server,
      ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
      insecure: cluster['insecure-skip-tls-verify'] === true,
      token: user.token,
      cert: data(user['client-certificate-data'], user['client-certificate']),
      key: data(user['client-key-data'], user['client-key']),
    });
  }

  /** One request; the caller judges the status. */
  raw(method: string, urlPath: string, body?: string, contentType = 'application/json'): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const request = https.request(
        new URL(urlPath, this.connection.server),
        { method, agent: this.agent, headers: this.headers(body === undefined ? undefined : contentType) },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      request.on('error', reject);
      request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${urlPath} timed out`)));
      request.end(body);
    });
  }

  /** GET, parsed; throws on any status but 200. */
  async get(urlPath: string): Promise<unknown> {
    const response = await this.raw('GET', urlPath);
    if (response.status !== 200) throw new Error(`GET ${urlPath}: ${response.status} ${response.body}`);
    return JSON.parse(response.body);
  }

  /** GET, parsed, or undefined when the object does not exist. */
  async getOrUndefined(urlPath: string): Promise<unknown> {
    const response = await this.raw('GET', urlPath);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`GET ${urlPath}: ${response.status} ${response.body}`);
    return JSON.parse(response.body);
  }

  /** Server-side apply of `object` into the collection at `collectionPath`. */
  async apply(collectionPath: string, object: { metadata: { name: string } }): Promise<unknown> {
    const url = `${collectionPath}/${object.metadata.name}?fieldManager=stepwise-e2e&force=true`;
    const response = await this.raw('PATCH', url, JSON.stringify(object), 'application/apply-patch+yaml');
    if (response.status !== 200 && response.status !== 201) throw new Error(`apply ${url}: ${response.status} ${response.body}`);
    return JSON.parse(response.body);
  }

  /** A merge patch of the status subresource (or any path). */
  async mergePatch(urlPath: string, patch: object): Promise<unknown> {
    const response = await this.raw('PATCH', urlPath, JSON.stringify(patch), 'application/merge-patch+json');
    if (response.status !== 200) throw new Error(`PATCH ${urlPath}: ${response.status} ${response.body}`);
    return JSON.parse(response.body);
  }

  /** DELETE; a missing object is not an error. */
  async delete(urlPath: string): Promise<void> {
    const response = await this.raw('DELETE', urlPath);
    if (response.status !== 200 && response.status !== 202 && response.status !== 404) {
      throw new Error(`DELETE ${urlPath}: ${response.status} ${response.body}`);
    }
  }

  /**
   * Watches a collection from `resourceVersion` on, calling `onEvent` for each event until the
   * returned function is called. The stream is re-opened (from the last version seen) if the
   * server closes it; a 410 Gone is reported through `onError`.
   */
  watch<T = KubeObject>(
    collectionPath: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    onError: (error: Error) => void,
  ): () => void {
    let stopped = false;
    let version = resourceVersion;
    let current: ReturnType<typeof https.request> | undefined;
    const open = () => {
      if (stopped) return;
      const separator = collectionPath.includes('?') ? '&' : '?';
      const url = new URL(
        `${collectionPath}${separator}watch=1&allowWatchBookmarks=true&resourceVersion=${version}`,
        this.connection.server,
      );
      current = https.request(url, { method: 'GET', agent: this.agent, headers: this.headers(undefined) }, (response) => {
        if (response.statusCode !== 200) {
          onError(new Error(`watch ${collectionPath}: HTTP ${response.statusCode}`));
          response.resume();
          return;
        }
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (!line.trim()) continue;
            const event = JSON.parse(line) as WatchEvent<T>;
            if (event.type === 'ERROR') {
              onError(new Error(`watch ${collectionPath}: ${JSON.stringify(event.object)}`));
              return;
            }
            const rv = (event.object as unknown as KubeObject).metadata?.resourceVersion;
            // A re-opened watch can deliver events it had already sent: pass each on once.
            // (Resource versions are etcd revisions, increasing numbers, on every API server.)
            if (rv && Number(rv) <= Number(version)) {
              if (process.env.STEPWISE_E2E_DEBUG)
                process.stderr.write(`watch ${collectionPath}: replayed ${event.type} at ${rv} <= ${version}\n`);
              continue;
            }
            if (rv) version = rv;
            if (event.type !== 'BOOKMARK') onEvent(event);
          }
        });
        response.on('end', () => {
          if (process.env.STEPWISE_E2E_DEBUG) process.stderr.write(`watch ${collectionPath}: re-opened at ${version}\n`);
          setImmediate(open);
        });
      });
      current.on('error', (error) => {
        if (!stopped) onError(error);
      });
      current.end();
    };
    open();
    return () => {
      stopped = true;
      current?.destroy();
    };
  }

  private headers(contentType: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (contentType) headers['Content-Type'] = contentType;
    if (this.connection.token) headers.Authorization = `Bearer ${this.connection.token}`;
    return headers;
  }
}

/**
 * A real Kubernetes control plane on 127.0.0.1 for the end-to-end suite: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler built from their Go modules (e2e/build/build.sh),
 * and kwok, which plays the kubelet: it keeps fake Nodes alive and makes every scheduled pod
 * Running and Ready with a pod IP. Pods whose annotation `stepwise.e2e/never-ready` is `"true"`,
 * or with a container running `NEVER_READY_IMAGE`, are scheduled but never turn Ready (the
 * failures the suite injects).
 *
 * Every process, port and file belongs to one test process: ports are picked free, the state
 * lives in a temporary directory, and `stop()` ends it all (so does the test process's exit).
 * With `KUBECONFIG` set, nothing is started: the suite uses that cluster instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeApi, type KubeConnection } from './kube-api';
import type { ControlPlaneBinaries } from './binaries';

/** The annotation that keeps kwok from making a pod Ready. */
export const NEVER_READY_ANNOTATION = 'stepwise.e2e/never-ready';

/** An image whose pods kwok never makes Ready (see kwok-pod-stages.yaml): a release that is broken. */
export const NEVER_READY_IMAGE = 'registry.invalid/stepwise-e2e/never-ready:1';

/** A running cluster: how to reach it, and how to stop it. */
export interface Cluster {
  /** A kubeconfig file for kubectl, the Pulumi provider and `stepwise status`. */
  readonly kubeconfig: string;
  /** The API, for the suite's own reads and watches. */
  readonly api: KubeApi;
  /** True when the suite started this cluster (false: `KUBECONFIG` named an existing one). */
  readonly local: boolean;
  /** Stops every process the suite started and removes their files. */
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One started process, with its output kept in a log file for when something goes wrong. */
interface Component {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
}

function start(dir: string, name: string, command: string, args: readonly string[]): Component {
  const log = path.join(dir, `${name}.log`);
  const out = fs.openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], detached: false });
  fs.closeSync(out);
  child.on('exit', (code, signal) => {
    if (!stopping.has(child)) process.stderr.write(`e2e: ${name} exited (${code ?? signal}); see ${log}\n`);
  });
  return { name, child, log };
}

const stopping = new Set<ChildProcess>();
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number, logs: Component[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    for (const c of logs) {
      if (c.child.exitCode !== null) throw new Error(`e2e: ${c.name} exited while waiting for ${what}:\n${tail(c.log)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `e2e: timed out waiting for ${what} (${String(lastError)})\n${logs.map((c) => `--- ${c.name}\n${tail(c.log)}`).join('\n')}`,
  );
}

/**
 * Starts the control plane, or connects to `$KUBECONFIG`'s current context when it is set.
 * Resolves once the API answers, the default ServiceAccount exists and the fake Node is Ready.
 */
export async function startCluster(binaries: ControlPlaneBinaries | undefined): Promise<Cluster> {
  const external = process.env.KUBECONFIG;
  if (external) {
    const api = KubeApi.fromKubeconfig(external);
    return { kubeconfig: external, api, local: false, stop: async () => undefined };
  }
  if (!binaries) throw new Error('e2e: no binaries to start a control plane with (run: bash e2e/build/build.sh)');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-cluster-'));
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},stepwise-e2e,stepwise-e2e,"system:masters"\n`, { mode: 0o600 });
  const certDir = path.join(dir, 'apiserver-certs');

  const components: Component[] = [];
  const track = (c: Component) => {
    components.push(c);
    running.add(c.child);
    return c;
  };

  const stop = async () => {
    for (const c of [...components].reverse()) {
      stopping.add(c.child);
      if (c.child.exitCode === null) {
        c.child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            c.child.kill('SIGKILL');
            resolve();
          }, 5000);
          c.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      running.delete(c.child);
    }
    if (!process.env.STEPWISE_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    track(
      start(dir, 'etcd', binaries.etcd, [
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ]),
    );
    track(
      start(dir, 'kube-apiserver', path.join(binaries.kubernetes, 'kube-apiserver'), [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        `--cert-dir=${certDir}`,
        `--secure-port=${apiPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        '--service-cluster-ip-range=10.0.0.0/16',
        '--service-node-port-range=30000-32767',
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
        `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
        // The node lifecycle controller is not run (kwok's Nodes have no kubelet heartbeats to
        // judge), so nothing would lift the not-ready taint this plugin puts on new Nodes.
        '--disable-admission-plugins=TaintNodesByCondition',
        // STEPWISE_E2E_AUDIT=1 keeps an audit log of every write (who changed what), for debugging.
        ...(process.env.STEPWISE_E2E_AUDIT
          ? [`--audit-policy-file=${auditPolicy(dir)}`, `--audit-log-path=${path.join(dir, 'audit.log')}`]
          : []),
        '--v=1',
      ]),
    );

    const connection = (): KubeConnection & { ca: string } => ({
      server: `https://127.0.0.1:${apiPort}`,
      ca: fs.readFileSync(path.join(certDir, 'apiserver.crt'), 'utf8'),
      token,
    });
    const api = await waitFor(
      'the API server',
      async () => {
        if (!fs.existsSync(path.join(certDir, 'apiserver.crt'))) return undefined;
        const candidate = new KubeApi(connection());
        const ready = await candidate.raw('GET', '/readyz');
        return ready.status === 200 ? candidate : undefined;
      },
      120_000,
      components,
    );

    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, kubeconfigYaml(connection()), { mode: 0o600 });

    track(
      start(dir, 'kube-controller-manager', path.join(binaries.kubernetes, 'kube-controller-manager'), [
        `--kubeconfig=${kubeconfig}`,
        `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
        `--root-ca-file=${path.join(certDir, 'apiserver.crt')}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-persistentvolume-binder',
        // The suite moves through many rollouts: sync quickly and not in bursts.
        '--concurrent-deployment-syncs=10',
        '--concurrent-replicaset-syncs=10',
        '--v=1',
      ]),
    );
    track(
      start(dir, 'kube-scheduler', path.join(binaries.kubernetes, 'kube-scheduler'), [
        `--kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--v=1',
      ]),
    );
    track(
      start(dir, 'kwok', binaries.kwok, [
        `--kubeconfig=${kubeconfig}`,
        '--manage-all-nodes=true',
        `--disregard-status-with-annotation-selector=${NEVER_READY_ANNOTATION}=true`,
        `--config=${path.join(__dirname, 'kwok-pod-stages.yaml')}`,
        '--cidr=10.244.0.1/16',
        '--node-ip=10.96.0.1',
        '--v=1',
      ]),
    );

    for (const name of ['stepwise-e2e-node-0', 'stepwise-e2e-node-1']) {
      await api.apply('/api/v1/nodes', fakeNode(name));
    }
    await waitFor(
      'the fake Nodes to be Ready',
      async () => {
        const nodes = (await api.get('/api/v1/nodes')) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
        const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === 2 ? true : undefined;
      },
      60_000,
      components,
    );
    await waitFor(
      'the default ServiceAccount',
      async () => ((await api.getOrUndefined('/api/v1/namespaces/default/serviceaccounts/default')) ? true : undefined),
      60_000,
      components,
    );
    return { kubeconfig, api, local: true, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An audit policy that logs the metadata of every write. */
function auditPolicy(dir: string): string {
  const file = path.join(dir, 'audit-policy.json');
  const policy = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [{ level: 'None', verbs: ['get', 'list', 'watch'] }, { level: 'Metadata' }],
  };
  fs.writeFileSync(file, JSON.stringify(policy));
  return file;
}

function kubeconfigYaml(c: KubeConnection & { ca: string }): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'stepwise-e2e', cluster: { server: c.server, 'certificate-authority-data': Buffer.from(c.ca).toString('base64') } },
      ],
      users: [{ name: 'stepwise-e2e', user: { token: c.token } }],
      contexts: [{ name: 'stepwise-e2e', context: { cluster: 'stepwise-e2e', user: 'stepwise-e2e' } }],
      'current-context': 'stepwise-e2e',
    },
    null,
    2,
  );
}

/** A Node that kwok manages: big enough for every example stack's pods. */
function fakeNode(name: string): { metadata: { name: string; [key: string]: unknown } } & Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      annotations: { 'kwok.x-k8s.io/node': 'fake' },
    },
    spec: {},
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: '250' },
      capacity: { cpu: '64', memory: '256Gi', pods: '250' },
    },
  };
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Workload } from '../lib/model';
import { renderStackStage } from '../lib/synth/render-stack';
import { EXAMPLE_STACKS, exampleStack } from './support/example-stacks';

/**
 * The restricted Pod Security Standard (which includes every baseline control), written from the
 * Kubernetes "Pod Security Standards" page rather than from stepwise's code, as checks on a
 * rendered pod template. Each violation names its control and field.
 */
interface Violation {
  readonly control: string;
  readonly field: string;
  readonly detail: string;
}

/** Capabilities baseline allows to be added; restricted allows only NET_BIND_SERVICE. */
const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
/** Restricted: the only volume sources allowed. */
const RESTRICTED_VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

function restrictedViolations(template: any): Violation[] {
  const v: Violation[] = [];
  const add = (control: string, field: string, detail: string) => v.push({ control, field, detail });
  const spec = template.spec ?? {};
  const pod = spec.securityContext ?? {};
  const annotations: Record<string, string> = template.metadata?.annotations ?? {};
  const containers: any[] = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];

  // ---- baseline ----
  if (pod.windowsOptions?.hostProcess === true) add('HostProcess', 'spec.securityContext.windowsOptions.hostProcess', 'true');
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[ns] === true) add('Host Namespaces', `spec.${ns}`, 'true');
  for (const volume of spec.volumes ?? [])
    if (volume.hostPath !== undefined) add('HostPath Volumes', `spec.volumes[${volume.name}].hostPath`, volume.hostPath.path);
  if (pod.appArmorProfile && !['RuntimeDefault', 'Localhost'].includes(pod.appArmorProfile.type))
    add('AppArmor', 'spec.securityContext.appArmorProfile.type', pod.appArmorProfile.type);
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/'))
      add('AppArmor', `metadata.annotations[${key}]`, value);
  }
  const seLinux = (o: any, at: string) => {
    if (!o) return;
    if (o.type !== undefined && !SELINUX_TYPES.includes(o.type)) add('SELinux', `${at}.type`, o.type);
    if (o.user) add('SELinux', `${at}.user`, o.user);
    if (o.role) add('SELinux', `${at}.role`, o.role);
  };
  seLinux(pod.seLinuxOptions, 'spec.securityContext.seLinuxOptions');
  if (pod.seccompProfile?.type === 'Unconfined') add('Seccomp', 'spec.securityContext.seccompProfile.type', 'Unconfined');
  for (const sysctl of pod.sysctls ?? [])
    if (!SAFE_SYSCTLS.includes(sysctl.name)) add('Sysctls', 'spec.securityContext.sysctls', sysctl.name);

  for (const c of containers) {
    const at = `containers[${c.name}]`;
    const sc = c.securityContext ?? {};
    if (sc.windowsOptions?.hostProcess === true) add('HostProcess', `${at}.securityContext.windowsOptions.hostProcess`, 'true');
    if (sc.privileged === true) add('Privileged Containers', `${at}.securityContext.privileged`, 'true');
    for (const cap of sc.capabilities?.add ?? [])
      if (!BASELINE_CAPABILITIES.includes(cap)) add('Capabilities (baseline)', `${at}.securityContext.capabilities.add`, cap);
    for (const port of c.ports ?? [])
      if (port.hostPort !== undefined && port.hostPort !== 0) add('Host Ports', `${at}.ports.hostPort`, String(port.hostPort));
    if (sc.appArmorProfile && !['RuntimeDefault', 'Localhost'].includes(sc.appArmorProfile.type))
      add('AppArmor', `${at}.securityContext.appArmorProfile.type`, sc.appArmorProfile.type);
    seLinux(sc.seLinuxOptions, `${at}.securityContext.seLinuxOptions`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') add('/proc Mount Type', `${at}.securityContext.procMount`, sc.procMount);
    if (sc.seccompProfile?.type === 'Unconfined') add('Seccomp', `${at}.securityContext.seccompProfile.type`, 'Unconfined');

    // ---- restricted ----
    if (sc.allowPrivilegeEscalation !== false)
      add('Privilege Escalation', `${at}.securityContext.allowPrivilegeEscalation`, String(sc.allowPrivilegeEscalation));
    // runAsNonRoot: true on the container, or unset there with true on the pod.
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) add('Running as Non-root', `${at}.securityContext.runAsNonRoot`, String(sc.runAsNonRoot));
    if (sc.runAsUser === 0) add('Running as Non-root user', `${at}.securityContext.runAsUser`, '0');
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      add('Seccomp', `${at}.securityContext.seccompProfile.type`, String(seccomp));
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) add('Capabilities', `${at}.securityContext.capabilities.drop`, 'ALL not dropped');
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') add('Capabilities', `${at}.securityContext.capabilities.add`, cap);
  }
  if (pod.runAsUser === 0) add('Running as Non-root user', 'spec.securityContext.runAsUser', '0');
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    for (const type of types) if (!RESTRICTED_VOLUME_TYPES.includes(type)) add('Volume Types', `spec.volumes[${volume.name}]`, type);
  }
  return v;
}

/** Whether a violation is one the workload's `securityOverrides` declares. */
function coveredByOverride(violation: Violation, workload: Workload): boolean {
  const o = workload.securityOverrides;
  if (!o) return false;
  switch (violation.control) {
    case 'HostPath Volumes':
      return o.hostPath;
    case 'Volume Types':
      return o.hostPath && violation.detail === 'hostPath';
    case 'Running as Non-root':
      return o.runAsRoot;
    case 'Running as Non-root user':
      return o.runAsRoot && o.runAsUser === 0;
    case 'Capabilities':
    case 'Capabilities (baseline)':
      return o.addCapabilities.includes(violation.detail);
    default:
      return false; // privileged, host namespaces, seccomp, privilege escalation, …: no override allows them
  }
}

function* everyRenderedPod() {
  for (const name of EXAMPLE_STACKS) {
    const stack = exampleStack(name);
    for (const stage of stack.plan.stages) {
      for (const file of renderStackStage(stack, stage.name).files) {
        if (file.object.kind !== 'Deployment') continue;
        const workload = stack.plan.workloads.find((w) => w.name === file.object.metadata.name) as Workload;
        yield { where: `${name}/${stage.name}/${workload.name}`, workload, template: (file.object.spec as any).template };
      }
    }
  }
}

describe('restricted Pod Security Standard', () => {
  test('every rendered pod of every stage of every example meets the restricted profile, except where securityOverrides says so', () => {
    let pods = 0;
    for (const { where, workload, template } of everyRenderedPod()) {
      pods++;
      const uncovered = restrictedViolations(template).filter((violation) => !coveredByOverride(violation, workload));
      assert.deepEqual(uncovered, [], where);
    }
    assert.ok(pods >= 20, `only ${pods} pods checked`);
  });

  test('every declared override shows up in the rendered pods of that workload', () => {
    let overrides = 0;
    for (const { where, workload, template } of everyRenderedPod()) {
      const o = workload.securityOverrides;
      if (!o) continue;
      const violations = restrictedViolations(template);
      const container = template.spec.containers[0];
      if (o.hostPath) {
        overrides++;
        assert.ok(
          violations.some((v) => v.control === 'HostPath Volumes'),
          `${where}: hostPath override but no hostPath volume`,
        );
      }
      if (o.runAsRoot) {
        overrides++;
        assert.ok(
          violations.some((v) => v.control === 'Running as Non-root'),
          `${where}: runAsRoot override but the pod must run as non-root`,
        );
      }
      if (o.runAsUser !== undefined) {
        overrides++;
        assert.equal(container.securityContext.runAsUser, o.runAsUser, where);
      }
      // Restricted allows NET_BIND_SERVICE, so only the others are violations; all of them are added.
      if (o.addCapabilities.length > 0) overrides++;
      assert.deepEqual([...(container.securityContext.capabilities?.add ?? [])].sort(), [...o.addCapabilities].sort(), where);
      for (const cap of o.addCapabilities.filter((c) => c !== 'NET_BIND_SERVICE')) {
        assert.ok(
          violations.some((v) => v.control === 'Capabilities' && v.detail === cap),
          `${where}: ${cap}`,
        );
      }
      // Not a Pod Security Standard control: stepwise's own hardening, relaxed only by the override.
      if (o.writableRootFilesystem) overrides++;
      assert.equal(container.securityContext.readOnlyRootFilesystem, !o.writableRootFilesystem, where);
    }
    assert.ok(overrides >= 4, `only ${overrides} overrides seen`);
  });

  test('a pod without overrides violates nothing, and the checker does catch a violation', () => {
    const clean = [...everyRenderedPod()].find((p) => !p.workload.securityOverrides);
    assert.ok(clean, 'an example workload without securityOverrides');
    assert.deepEqual(restrictedViolations(clean.template), []);
    const broken = structuredClone(clean.template);
    broken.spec.hostNetwork = true;
    broken.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    broken.spec.securityContext.seccompProfile = { type: 'Unconfined' };
    assert.deepEqual(
      restrictedViolations(broken)
        .map((v) => v.control)
        .sort(),
      ['Host Namespaces', 'Privilege Escalation', 'Seccomp', 'Seccomp'].sort(),
    );
  });
});

/**
 * What a Linux node needs before it bootstraps or joins: the offline bundle copied in and
 * installed (packages, containerd's configuration, CNI plugins, images, k3s), cloud-init finished,
 * and on existing machines Kubernetes' tools from pkgs.k8s.io with the registry mirror.
 */
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { kubernetesPackageRepository } from '../../shared/kubernetes-versions';
import { fileExists } from './bootstrap';
import { LINUX_CERTS_D, configPathSed, containerdConfigSed, containerdHostsFiles } from './registry-mirror';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

/**
 * Offline: the bundle's layout is debs/*.deb (containerd, kubelet, kubeadm, kubectl), bin/ (tools
 * without a package, e.g. crictl, which kubeadm before 1.24 requires: into /usr/local/bin),
 * cni/bin/ and cni/net.d/ (CNI plugins into /opt/cni/bin, where containerd looks, and network
 * configurations into /etc/cni/net.d), images/*.tar (imported into containerd's k8s.io
 * namespace), manifests/ (CNI) and k3s-install.sh + k3s.
 *
 * kubeadm labs: containerd's config.toml is written here, after the packages, from
 * `containerd config default` (systemd cgroups, the mirror's config_path), and containerd is
 * restarted before the images go in: on a bare image containerd only exists once the bundle's
 * debs/ are installed (cloud-init ran before that and cannot write it).
 */
export function offlineInstallScript(plan: LabPlan): string {
  const containerdConfig =
    plan.distribution === 'kubeadm'
      ? 'command -v containerd >/dev/null 2>&1 || { echo "containerd is not installed: the machine image has none and debs/ of the offline bundle holds no containerd package. Put containerd and runc .debs (and what they depend on) into debs/ of the bundle, or use an image with containerd, then resume." >&2; exit 1; }; ' +
        'mkdir -p /etc/containerd; ' +
        'containerd config default > /etc/containerd/config.toml.default; ' +
        // Written beside it and renamed: a session cut while sed writes leaves the old file whole.
        `sed ${containerdConfigSed(plan)} /etc/containerd/config.toml.default > /etc/containerd/config.toml.nestlab-tmp; ` +
        'mv -f /etc/containerd/config.toml.nestlab-tmp /etc/containerd/config.toml; ' +
        'rm -f /etc/containerd/config.toml.default; systemctl restart containerd; '
      : '';
  return (
    'set -e; cp -r nestlab-bundle/. /opt/nestlab/bundle/; ' +
    'if ls /opt/nestlab/bundle/debs/*.deb >/dev/null 2>&1; then dpkg -i /opt/nestlab/bundle/debs/*.deb; fi; ' +
    'for package in kubelet kubeadm kubectl; do if dpkg-query -W "$package" >/dev/null 2>&1; then apt-mark hold "$package"; fi; done; ' +
    containerdConfig +
    'for tool in /opt/nestlab/bundle/bin/*; do [ -f "$tool" ] && install -D -m 755 "$tool" "/usr/local/bin/${tool##*/}"; done; ' +
    'for plugin in /opt/nestlab/bundle/cni/bin/*; do [ -f "$plugin" ] && install -D -m 755 "$plugin" "/opt/cni/bin/${plugin##*/}"; done; ' +
    'for conf in /opt/nestlab/bundle/cni/net.d/*; do [ -f "$conf" ] && install -D -m 644 "$conf" "/etc/cni/net.d/${conf##*/}"; done; ' +
    'if [ -f /opt/nestlab/bundle/k3s ]; then install -m 755 /opt/nestlab/bundle/k3s /usr/local/bin/k3s; fi; ' +
    'for image in /opt/nestlab/bundle/images/*.tar; do [ -f "$image" ] && ctr -n k8s.io images import "$image"; done; true'
  );
}

/** Copies the offline bundle into a Linux VM and installs it (packages, containerd's configuration, images, k3s), unless it was. */
export async function installBundle(ctx: StepContext, machine: LabMachine, copy: () => Promise<void>): Promise<void> {
  if (ctx.plan.offlineBundle === undefined || machine.os === 'windows') return;
  if (await fileExists(ctx, machine, '/opt/nestlab/bundle.installed')) return;
  await copy();
  await ctx.vm(machine, { argv: ['mkdir', '-p', '/opt/nestlab/bundle'] }, { root: true });
  await ctx.vm(machine, { argv: ['sh', '-c', offlineInstallScript(ctx.plan)] }, { root: true, timeoutMs: 900_000 });
  await ctx.vm(machine, { argv: ['touch', '/opt/nestlab/bundle.installed'] }, { root: true });
}

/**
 * Waits for cloud-init to finish on a VM (Linux) after SSH answers: 10 minutes, or the driver's
 * boot time when longer (under QEMU software emulation on a busy host, sshd in a guest that had
 * its address took over 10 minutes to answer in the real-libvirt tier).
 */
export async function waitForSsh(ctx: StepContext, machine: LabMachine, timeoutMs = 600_000): Promise<StepOutcome> {
  const probe = machine.os === 'windows' ? { powershell: "# nestlab:ping\n'ready'\n" } : { argv: ['cloud-init', 'status', '--wait'] };
  let finishedWithErrors = false;
  await ctx.waitFor(
    `SSH on ${machine.name}`,
    async () => {
      const result = await ctx.observeVm(machine, probe, { timeoutMs: 600_000 });
      if (result.exitCode === 0) return true;
      // cloud-init ran to its end but a module failed (`status: error`, exit 1; newer releases say
      // `status: done` with exit 2): the machine is up, so say what failed and go on rather than
      // wait for a status that will not change (an SSH failure is exit 255 with no status line).
      finishedWithErrors = machine.os !== 'windows' && /^status: (error|done)\b/m.test(result.stdout);
      return finishedWithErrors ? true : undefined;
    },
    { timeoutMs: Math.max(600_000, timeoutMs), intervalMs: 2_000, placeholder: true },
  );
  if (!finishedWithErrors) return done();
  const detail = (await ctx.observeVm(machine, { argv: ['cloud-init', 'status', '--long'] })).stdout.trim();
  ctx.log(`cloud-init on ${machine.name} finished with errors (see /var/log/cloud-init.log there):\n${detail}`);
  return done('cloud-init finished with errors; see the log.');
}

/**
 * Lines of a root shell script (under `set -e`) that write what `producer` prints (fed a quoted
 * heredoc when one is given: nothing in it is expanded) to `path`
 * through a temporary file beside it, renamed over `path` only once the producer finished: a
 * script cut off mid-write (a dropped connection) leaves the old file, never half of one that a
 * resume, which skips the install once kubeadm is there, would keep.
 */
function shWriteFile(path: string, producer: string, heredoc?: { delimiter: string; body: string }): string {
  const input = heredoc === undefined ? '' : ` <<'${heredoc.delimiter}'\n${heredoc.body}${heredoc.delimiter}\n`;
  return `t=$(mktemp ${path}.XXXXXX); ${producer} >"$t"${input}${input === '' ? '; ' : ''}chmod 0644 "$t"; mv -f "$t" ${path}`;
}

/**
 * Existing machines: containerd, kubelet, kubeadm and kubectl from pkgs.k8s.io for the plan's
 * minor version (Debian / Ubuntu, the upstream "Installing kubeadm" steps), swap off and the
 * kernel settings kubeadm's preflight checks. Plan validation refuses versions pkgs.k8s.io does
 * not have (the version table's install source).
 */
export function kubeadmInstallScript(plan: LabPlan): string {
  const repo = kubernetesPackageRepository(plan.kubernetesVersion);
  const keyring = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';
  return [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update',
    'apt-get install -y apt-transport-https ca-certificates curl gpg containerd',
    'mkdir -p /etc/apt/keyrings /etc/containerd',
    `curl -fsSL ${repo}Release.key | gpg --dearmor --yes -o ${keyring}`,
    shWriteFile('/etc/apt/sources.list.d/kubernetes.list', `echo 'deb [signed-by=${keyring}] ${repo} /'`),
    'apt-get update',
    'apt-get install -y kubelet kubeadm kubectl',
    'apt-mark hold kubelet kubeadm kubectl',
    shWriteFile('/etc/containerd/config.toml', 'containerd config default | sed "s/SystemdCgroup = false/SystemdCgroup = true/"'),
    ...linuxMirrorCommands(plan),
    'swapoff -a',
    "sed -i '/ swap / s/^/#/' /etc/fstab",
    'modprobe overlay',
    'modprobe br_netfilter',
    shWriteFile('/etc/sysctl.d/99-kubernetes.conf', "printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.ipv4.ip_forward = 1\\n'"),
    'sysctl --system',
    'systemctl restart containerd',
    'systemctl enable --now kubelet',
  ].join('\n');
}

/**
 * The registry mirror on a machine whose containerd Nestlab installs: a hosts.toml per registry
 * the lab pulls from (quoted heredocs: nothing in them is expanded), and config.toml's
 * config_path pointed at their folder. None without a mirror.
 */
function linuxMirrorCommands(plan: LabPlan): string[] {
  const files = containerdHostsFiles(plan, 'linux');
  if (files.length === 0) return [];
  return [
    ...files.flatMap(({ registry, content }) => [
      `mkdir -p ${LINUX_CERTS_D}/${registry}`,
      shWriteFile(`${LINUX_CERTS_D}/${registry}/hosts.toml`, 'cat', { delimiter: 'NESTLAB_HOSTS_TOML', body: content }),
    ]),
    `sed -i '${configPathSed(LINUX_CERTS_D)}' /etc/containerd/config.toml`,
  ];
}

/**
 * Existing machines: Kubernetes' tools, unless they are there. k3s installs itself when it
 * bootstraps or joins; Windows machines get theirs in the join step (PrepareNode.ps1).
 */
export async function ensureKubernetesTools(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
  if (ctx.plan.distribution === 'k3s') return skipped('The k3s install script brings everything when the machine joins.');
  if (machine.os === 'windows') return skipped('containerd, kubelet and kubeadm are installed by the join step (PrepareNode.ps1).');
  const installed = await ctx.observeVm(machine, { argv: ['kubeadm', 'version', '-o', 'short'] });
  if (installed.exitCode === 0) return skipped(`kubeadm ${installed.stdout.trim()} is installed.`);
  await ctx.vm(
    machine,
    { argv: ['sh', '-s'] },
    { root: true, stdin: kubeadmInstallScript(ctx.plan), stdinLabel: '<install kubeadm script>', timeoutMs: 900_000 },
  );
  return done();
}

import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import { quotePosix } from '../hosts/shell-quote';
import { K3S_ONLINE_INSTALL } from './bootstrap';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { K3S_INSTALL_SCRIPT } from './pinned-scripts';
import { testPlan } from './test-plans';

const host = { id: 'host-1', name: 'kvm-lab', os: 'linux', storagePath: '/var/lib/libvirt/images' } as HostSummary;
const labs = useDryRunLabs(() => Promise.resolve(host));
const dryRun = (plan = testPlan()) => labs.steps(plan);

describe('dry run of the step planner', () => {
  it('orders the steps: network, VMs, addresses, SSH, bootstrap, CNI, joins, kubeconfig, nodes', async () => {
    expect((await dryRun()).map((step) => step.id)).toEqual([
      'prepare',
      'network',
      'create-vm:lab1-cp1',
      'create-vm:lab1-linux1',
      'create-vm:lab1-linux2',
      'create-vm:lab1-win1',
      'address:lab1-cp1',
      'address:lab1-linux1',
      'address:lab1-linux2',
      'address:lab1-win1',
      'ssh:lab1-cp1',
      'ssh:lab1-linux1',
      'ssh:lab1-linux2',
      'ssh:lab1-win1',
      'bootstrap:lab1-cp1',
      'cni',
      'load-balancer',
      'join:lab1-linux1',
      'join:lab1-linux2',
      'join:lab1-win1',
      'kubeconfig',
      'annotate:lab1-cp1',
      'annotate:lab1-linux1',
      'annotate:lab1-linux2',
      'annotate:lab1-win1',
      'ready',
    ]);
  });

  it('lists every command, observation first, with no secret in it', async () => {
    const steps = await dryRun();
    const lines = steps.flatMap((step) =>
      step.commands.map(
        (command) => `[${step.id}] ${command.target.kind === 'vm' ? command.target.vm : command.target.kind}: ${command.display}`,
      ),
    );
    expect(lines.join('\n')).toMatchSnapshot();
    const bootstrap = steps.find((step) => step.id === 'bootstrap:lab1-cp1')!;
    // Observe (is admin.conf there?) before acting; kubeadm init exactly once.
    expect(bootstrap.commands[0]?.display).toBe("'sudo' 'test' '-f' '/etc/kubernetes/admin.conf'");
    expect(lines.filter((line) => line.includes("'kubeadm' 'init' '--config'"))).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(/--token|abcdef\./);
  });

  it('answers the problems of an invalid plan instead of steps', async () => {
    const result = await labs.service().dryRun(testPlan({ distribution: 'k3s' }));
    expect(result.status).toBe('invalid');
  });

  it('k3s: the install script with the endpoint name, the machine and the endpoint address as TLS SANs, and the token from a file', async () => {
    const steps = await dryRun(testPlan({ distribution: 'k3s', windowsWorkers: 0 }));
    const commands = steps.flatMap((step) => step.commands.map((command) => command.display));
    expect(commands.find((line) => line.includes("'server'"))).toBe(
      `'sudo' 'env' 'INSTALL_K3S_VERSION=v1.30.8+k3s1' 'sh' '-c' ${quotePosix(K3S_ONLINE_INSTALL)} 'k3s-install' '${K3S_INSTALL_SCRIPT.url}' '' 'server' '--node-name' 'lab1-cp1' '--tls-san' 'lab1-api.lab.internal' '--tls-san' '<address of lab1-cp1>' '--tls-san' '192.168.150.10' '--write-kubeconfig-mode' '0600' '--cluster-cidr' '10.244.0.0/16' '--service-cidr' '10.96.0.0/16'`,
    );
    expect(commands.some((line) => line.includes("'--token-file' '/etc/nestlab/k3s-token'"))).toBe(true);
    // Nothing downloaded is piped into a root shell, and nothing comes from the moving get.k3s.io.
    expect(commands.filter((line) => /curl[^|]*\|\s*(sudo\s+)?(ba)?sh\b/.test(line) || line.includes('get.k3s.io'))).toEqual([]);
    expect(steps.find((step) => step.id === 'cni')?.commands).toEqual([]);
  });

  it('offline with a Windows worker: the bundle goes into the Windows machine before the node scripts, which install from it', async () => {
    const steps = await dryRun(testPlan({ offlineBundle: '/home/me/nestlab-bundle', kubernetesVersion: '1.30.8' }));
    const join = steps.find((step) => step.id === 'join:lab1-win1')?.commands.map((command) => command.display) ?? [];
    const copy = join.findIndex((line) => line.includes("'.nestlab/labs/lab1/bundle' 'nestlab@<address of lab1-win1>:nestlab-bundle'"));
    const prepare = join.findIndex((line) => line.includes('# nestlab:prepare-windows-node'));
    expect(copy).toBeGreaterThan(-1);
    expect(prepare).toBeGreaterThan(copy);
    expect(join[prepare]).toContain('<Install-Containerd.ps1 from the bundle>');
  });

  it('offline: uploads the bundle to the host, copies and installs it in each Linux VM, applies the CNI from it', async () => {
    const steps = await dryRun(testPlan({ offlineBundle: '/home/me/nestlab-bundle', windowsWorkers: 0 }));
    const of = (id: string) => steps.find((step) => step.id === id)?.commands.map((command) => command.display) ?? [];
    // Checked against its manifest here, copied over SFTP (resumable), and checked by the host.
    expect(of('bundle')).toEqual([
      'check /home/me/nestlab-bundle against its manifest.json (SHA-256 of every file)',
      'sftp /home/me/nestlab-bundle -> .nestlab/labs/lab1/bundle (as .nestlab-part files, renamed when whole)',
      `'sh' '-c' 'cd -- "$1" && sha256sum -c --quiet SHA256SUMS' 'nestlab-bundle-check' '.nestlab/labs/lab1/bundle'`,
    ]);
    expect(of('ssh:lab1-linux1').slice(1)).toEqual([
      "'sudo' 'test' '-f' '/opt/nestlab/bundle.installed'",
      "'scp' '-r' '-q' '-i' '.nestlab/labs/lab1/id_ed25519' '-o' 'BatchMode=yes' '-o' 'UserKnownHostsFile=.nestlab/labs/lab1/known_hosts' '.nestlab/labs/lab1/bundle' 'nestlab@<address of lab1-linux1>:nestlab-bundle'",
      "'sudo' 'mkdir' '-p' '/opt/nestlab/bundle'",
      expect.stringContaining("'sudo' 'sh' '-c' 'set -e; cp -r nestlab-bundle/. /opt/nestlab/bundle/; ") as string,
      "'sudo' 'touch' '/opt/nestlab/bundle.installed'",
    ]);
    expect(of('cni')).toContain(
      "'sudo' 'kubectl' '--kubeconfig' '/etc/kubernetes/admin.conf' 'apply' '-f' '/opt/nestlab/bundle/manifests/kube-flannel.yml'",
    );
  });
});

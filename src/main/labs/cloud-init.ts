/**
 * cloud-init NoCloud seeds for lab VMs (cloudbase-init reads the same NoCloud layout on Windows).
 * Every value a user typed goes through the YAML serializer, never pasted into YAML text.
 */
import { stringify } from 'yaml';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { kubernetesPackageRepository } from '../../shared/kubernetes-versions';
import { psLiteral, psWriteFileLines } from '../hosts/powershell';
import { endpointHostEntry } from './api-endpoint';
import { VM_USER } from './lab-paths';
import { LINUX_CERTS_D, containerdConfigSed, containerdHostsFiles, k3sRegistriesYaml } from './registry-mirror';

/** meta-data: the instance id (a new one makes cloud-init run again) and the host name. */
export function metaData(machine: LabMachine, labId: string): string {
  return stringify({ 'instance-id': `${machine.name}-${labId}`, 'local-hostname': machine.name });
}

/**
 * NoCloud network-config (v2) with a static address, for drivers without DHCP on the lab network
 * (a Hyper-V internal switch); libvirt's NAT network hands out addresses by DHCP instead.
 */
export function networkConfig(address: string, prefix: number, gateway: string): string {
  return stringify({
    version: 2,
    ethernets: {
      primary: {
        match: { name: 'e*' },
        addresses: [`${address}/${prefix}`],
        routes: [{ to: 'default', via: gateway }],
        nameservers: { addresses: [gateway] },
      },
    },
  });
}

/** Linux user-data: the nestlab user with the lab's key, kernel settings, containerd and the Kubernetes packages. */
export function linuxUserData(machine: LabMachine, plan: LabPlan, publicKey: string): string {
  const writeFiles: { path: string; content: string; permissions?: string }[] = [
    { path: '/etc/modules-load.d/k8s.conf', content: 'overlay\nbr_netfilter\n' },
    {
      path: '/etc/sysctl.d/99-kubernetes.conf',
      content: 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n',
    },
  ];
  // The registry mirror, for every registry the lab pulls from (registry-mirror.ts).
  if (plan.distribution === 'kubeadm') {
    for (const { registry, content } of containerdHostsFiles(plan, 'linux')) {
      writeFiles.push({ path: `${LINUX_CERTS_D}/${registry}/hosts.toml`, content, permissions: '0644' });
    }
  } else {
    const registries = k3sRegistriesYaml(plan);
    if (registries !== undefined) writeFiles.push({ path: '/etc/rancher/k3s/registries.yaml', content: registries, permissions: '0644' });
  }
  const runcmd: (string | string[])[] = [
    ['modprobe', 'overlay'],
    ['modprobe', 'br_netfilter'],
    ['sysctl', '--system'],
    ['swapoff', '-a'],
  ];
  const packages: string[] = ['apt-transport-https', 'ca-certificates', 'curl', 'gpg'];
  if (plan.distribution === 'kubeadm') {
    packages.push('containerd');
    const repo = kubernetesPackageRepository(plan.kubernetesVersion);
    const pinned = `${plan.kubernetesVersion}-*`;
    if (plan.offlineBundle === undefined) {
      runcmd.push(
        ['mkdir', '-p', '-m', '755', '/etc/apt/keyrings'],
        ['sh', '-c', 'curl -fsSL "$1Release.key" | gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg', 'sh', repo],
        [
          'sh',
          '-c',
          'echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] $1 /" > /etc/apt/sources.list.d/kubernetes.list',
          'sh',
          repo,
        ],
        ['apt-get', 'update'],
        ['apt-get', 'install', '-y', `kubelet=${pinned}`, `kubeadm=${pinned}`, `kubectl=${pinned}`],
        ['apt-mark', 'hold', 'kubelet', 'kubeadm', 'kubectl'],
        // containerd reads the mirror's hosts.toml files only where config_path names their folder.
        // Written beside it and renamed, so a boot cut short leaves no half configuration.
        [
          'sh',
          '-c',
          `containerd config default | sed ${containerdConfigSed(plan)} > /etc/containerd/config.toml.nestlab-tmp && ` +
            'mv -f /etc/containerd/config.toml.nestlab-tmp /etc/containerd/config.toml',
        ],
        ['systemctl', 'restart', 'containerd'],
      );
    } else {
      // The offline bundle's .debs (containerd among them on a bare image) are copied to the VM
      // and installed by the engine after cloud-init, and config.toml is written by that install
      // (offlineInstallScript): here containerd may not exist yet.
      runcmd.push(['mkdir', '-p', '/opt/nestlab/bundle']);
    }
  }
  // The API endpoint name resolves on every VM, whatever DNS the network has (Hyper-V's internal
  // switch has none). cloud-init's manage_etc_hosts would rewrite /etc/hosts at every boot, so the
  // whole file is written once instead.
  const endpoint = endpointHostEntry(plan);
  if (endpoint !== undefined) writeFiles.push({ path: '/etc/hosts', content: etcHosts(machine.name, endpoint), permissions: '0644' });
  const config = {
    hostname: machine.name,
    fqdn: machine.name,
    manage_etc_hosts: endpoint === undefined,
    users: [
      {
        name: VM_USER,
        groups: ['sudo'],
        shell: '/bin/bash',
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
        ssh_authorized_keys: [publicKey.trim()],
      },
    ],
    ssh_pwauth: false,
    // Offline: nothing is fetched; the bundle (copied by the engine) brings the packages.
    ...(plan.offlineBundle === undefined ? { package_update: true, packages } : {}),
    write_files: writeFiles,
    runcmd,
  };
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}

/** /etc/hosts as cloud-init's Debian template writes it, plus the API endpoint's line. */
export function etcHosts(hostname: string, endpoint: { ip: string; name: string }): string {
  return [
    '127.0.0.1 localhost',
    `127.0.1.1 ${hostname}`,
    `${endpoint.ip} ${endpoint.name}`,
    '',
    '::1 localhost ip6-localhost ip6-loopback',
    'ff02::1 ip6-allnodes',
    'ff02::2 ip6-allrouters',
    '',
  ].join('\n');
}

/**
 * Windows user-data for cloudbase-init: a PowerShell script (#ps1_sysnative) that sets the
 * computer name, creates the nestlab administrator with the lab's key and starts OpenSSH.
 */
export function windowsUserData(machine: LabMachine, publicKey: string, endpoint?: { ip: string; name: string }): string {
  const hosts =
    endpoint === undefined
      ? []
      : [
          // The API endpoint name, as on Linux VMs (Hyper-V's internal switch has no DNS of its own).
          "$hosts = Join-Path $env:SystemRoot 'System32\\drivers\\etc\\hosts'",
          `$line = ${psLiteral(`${endpoint.ip} ${endpoint.name}`)}`,
          'if (-not (Select-String -LiteralPath $hosts -SimpleMatch -Pattern $line -Quiet)) { Add-Content -LiteralPath $hosts -Value $line -Encoding ascii }',
        ];
  return [
    '#ps1_sysnative',
    '# Nestlab: first boot of a Windows worker (cloudbase-init runs this as LocalSystem).',
    "$ErrorActionPreference = 'Stop'",
    `$name = ${psLiteral(machine.name)}`,
    `$key = ${psLiteral(publicKey.trim())}`,
    `if (-not (Get-LocalUser -Name ${psLiteral(VM_USER)} -ErrorAction SilentlyContinue)) {`,
    `  New-LocalUser -Name ${psLiteral(VM_USER)} -NoPassword -AccountNeverExpires | Out-Null`,
    `  Add-LocalGroupMember -Group 'Administrators' -Member ${psLiteral(VM_USER)}`,
    '}',
    "Add-WindowsCapability -Online -Name 'OpenSSH.Server~~~~0.0.1.0' | Out-Null",
    ...psWriteFileLines("'C:\\ProgramData\\ssh\\administrators_authorized_keys'", '$key', { encoding: 'ascii' }),
    "icacls 'C:\\ProgramData\\ssh\\administrators_authorized_keys' /inheritance:r /grant 'Administrators:F' /grant 'SYSTEM:F' | Out-Null",
    "Set-ItemProperty -Path 'HKLM:\\SOFTWARE\\OpenSSH' -Name DefaultShell -Value 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' -ErrorAction SilentlyContinue",
    ...hosts,
    'Set-Service -Name sshd -StartupType Automatic; Start-Service sshd',
    "New-NetFirewallRule -Name 'nestlab-ssh' -DisplayName 'OpenSSH (Nestlab)' -Protocol TCP -LocalPort 22 -Action Allow -ErrorAction SilentlyContinue | Out-Null",
    'if ($env:COMPUTERNAME -ne $name) { Rename-Computer -NewName $name -Force; exit 1003 }',
    '',
  ].join('\r\n');
}

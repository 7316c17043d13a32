import { z } from 'zod';
import { AppError } from '../../../shared/errors';

/** Default folder for VM disks on a libvirt host (the default storage pool's target). */
export const defaultStoragePath = '/var/lib/libvirt/images';

/**
 * The Linux probe: one read-only bash script, sent over stdin to `bash -s -- <storage path>` on
 * one connection. It prints `key=value` lines (values on one line) so parsing needs no jq on the
 * host; {@link parseLinuxFacts} turns them into typed facts and the checks stay pure TypeScript.
 */
export const linuxProbeScript = `# nestlab:probe-linux v1 — read-only facts for the Nestlab preflight
set -u
export LC_ALL=C
storage=\${1:-/var/lib/libvirt/images}
fact() { printf '%s=%s\\n' "$1" "$(printf '%s' "$2" | tr '\\n\\r' '  ')"; }
fact os.name "$( (. /etc/os-release && printf '%s' "\${PRETTY_NAME:-}") 2>/dev/null)"
fact kernel "$(uname -r)"
fact arch "$(uname -m)"
fact user.name "$(id -un)"
fact user.uid "$(id -u)"
fact user.groups "$(id -nG)"
fact cpu.count "$(grep -c '^processor' /proc/cpuinfo)"
fact cpu.vendor "$(awk -F': *' '/^vendor_id/{print $2; exit}' /proc/cpuinfo)"
fact cpu.virt_flags "$(grep -owE 'vmx|svm' /proc/cpuinfo | sort -u | tr '\\n' ' ')"
fact cpu.hypervisor_flag "$(grep -qw hypervisor /proc/cpuinfo && echo yes || echo no)"
fact mem.total_kib "$(awk '/^MemTotal:/{print $2}' /proc/meminfo)"
fact mem.available_kib "$(awk '/^MemAvailable:/{print $2}' /proc/meminfo)"
# The pool folder may not exist before libvirt is installed: measure its nearest existing parent.
measured=$storage
while [ ! -e "$measured" ] && [ "$measured" != / ]; do measured=$(dirname -- "$measured"); done
fact disk.path "$storage"
fact disk.exists "$([ -d "$storage" ] && echo yes || echo no)"
fact disk.measured_path "$measured"
fact disk.free_kib "$(df -Pk -- "$measured" 2>/dev/null | awk 'NR==2{print $4}')"
for module in kvm_intel kvm_amd; do
  if [ -r "/sys/module/$module/parameters/nested" ]; then fact "nested.$module" "$(cat "/sys/module/$module/parameters/nested")"
  elif [ -d "/sys/module/$module" ]; then fact "nested.$module" unknown
  else fact "nested.$module" absent; fi
done
fact kvm.module "$([ -d /sys/module/kvm ] && echo loaded || echo absent)"
if [ -c /dev/kvm ]; then fact kvm.dev "$([ -r /dev/kvm ] && [ -w /dev/kvm ] && echo rw || echo no-access)"
elif [ -e /dev/kvm ]; then fact kvm.dev not-a-device
else fact kvm.dev absent; fi
for tool in virsh virt-install qemu-img cloud-localds genisoimage xorriso mkisofs; do
  fact "cmd.$tool" "$(command -v "$tool" 2>/dev/null || true)"
done
if command -v virsh >/dev/null 2>&1; then
  if out=$(virsh -c qemu:///system net-info default 2>&1); then
    fact libvirt.net_default "$(printf '%s\\n' "$out" | awk -F': *' '/^Active:/{print $2}')"
  else fact libvirt.net_default missing; fact libvirt.net_error "$out"; fi
  if out=$(virsh -c qemu:///system pool-info default 2>&1); then
    fact libvirt.pool_default "$(printf '%s\\n' "$out" | awk -F': *' '/^State:/{print $2}')"
  else fact libvirt.pool_default missing; fact libvirt.pool_error "$out"; fi
fi
if command -v sudo >/dev/null 2>&1; then
  if out=$(sudo -n true 2>&1 </dev/null); then fact sudo nopasswd
  elif printf '%s' "$out" | grep -q 'password is required'; then fact sudo password
  else fact sudo denied; fact sudo.error "$out"; fi
else fact sudo missing; fi
fact probe.done yes
`;

const yesNo = z.enum(['yes', 'no']);
const optionalText = z.string().optional().default('');
const number = z.coerce.number().int().nonnegative();

const factsSchema = z.object({
  'os.name': optionalText,
  kernel: optionalText,
  arch: optionalText,
  'user.name': z.string(),
  'user.uid': number,
  'user.groups': optionalText,
  'cpu.count': number,
  'cpu.vendor': optionalText,
  'cpu.virt_flags': optionalText,
  'cpu.hypervisor_flag': yesNo,
  'mem.total_kib': number,
  'mem.available_kib': number,
  'disk.path': z.string(),
  'disk.exists': yesNo,
  'disk.measured_path': z.string(),
  'disk.free_kib': number,
  'nested.kvm_intel': z.string(),
  'nested.kvm_amd': z.string(),
  'kvm.module': z.enum(['loaded', 'absent']),
  'kvm.dev': z.enum(['rw', 'no-access', 'not-a-device', 'absent']),
  'cmd.virsh': optionalText,
  'cmd.virt-install': optionalText,
  'cmd.qemu-img': optionalText,
  'cmd.cloud-localds': optionalText,
  'cmd.genisoimage': optionalText,
  'cmd.xorriso': optionalText,
  'cmd.mkisofs': optionalText,
  'libvirt.net_default': z.string().optional(),
  'libvirt.net_error': z.string().optional(),
  'libvirt.pool_default': z.string().optional(),
  'libvirt.pool_error': z.string().optional(),
  sudo: z.enum(['nopasswd', 'password', 'denied', 'missing']),
  'sudo.error': z.string().optional(),
  'probe.done': z.literal('yes'),
});

/** Facts the Linux probe reports, keyed as the script prints them. */
export type LinuxFacts = z.infer<typeof factsSchema>;

/**
 * Parse the probe's `key=value` output.
 *
 * @throws AppError INVALID_INPUT naming the missing or malformed facts (e.g. a host whose shell
 *   is not bash, or output cut short).
 */
export function parseLinuxFacts(output: string): LinuxFacts {
  const raw: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) raw[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  const parsed = factsSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new AppError(
      'INVALID_INPUT',
      `The host's probe output was incomplete (${fields}). Check that bash and coreutils are installed on the host, then probe again.`,
      { fields },
    );
  }
  return parsed.data;
}

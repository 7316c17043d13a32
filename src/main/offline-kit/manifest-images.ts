/**
 * The images the workloads of a manifest run (flannel's, the Calico operator's, MetalLB's), so
 * `npm run bundle -- --pull-images` puts them into the bundle beside the manifest: a lab that
 * applies the bundle's copy then pulls nothing. Only what an x86-64 node would run counts: a
 * workload pinned to another architecture (older flannel manifests have one DaemonSet per
 * architecture) is left out, and a workload for Windows nodes goes with the Windows images.
 */
import { parseAllDocuments } from 'yaml';
import { CALICO_OPERATOR_IMAGES, CNI_MANIFESTS } from '../labs/cni-manifests';

export type NodeOs = 'linux' | 'windows';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const OS_KEYS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];
const ARCH_KEYS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];

/** The values a pod spec allows for one of `keys`, from its nodeSelector and required node affinity; undefined when it does not say. */
function allowed(spec: JsonObject, keys: readonly string[]): string[] | undefined {
  const values: string[] = [];
  const selector = spec.nodeSelector;
  if (isObject(selector)) {
    for (const key of keys) if (typeof selector[key] === 'string') values.push(selector[key]);
  }
  const affinity = spec.affinity;
  const required =
    isObject(affinity) && isObject(affinity.nodeAffinity)
      ? affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
      : undefined;
  const terms = isObject(required) && Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
  for (const term of terms) {
    const expressions = isObject(term) && Array.isArray(term.matchExpressions) ? term.matchExpressions : [];
    for (const expression of expressions) {
      if (!isObject(expression) || typeof expression.key !== 'string' || !keys.includes(expression.key)) continue;
      if (expression.operator === 'In' && Array.isArray(expression.values)) {
        values.push(...expression.values.filter((value): value is string => typeof value === 'string'));
      }
    }
  }
  return values.length === 0 ? undefined : values;
}

/** The images of one pod spec's containers, init containers and ephemeral containers. */
function podImages(spec: JsonObject): string[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((field) => {
    const containers = spec[field];
    if (!Array.isArray(containers)) return [];
    return containers.flatMap((container) => (isObject(container) && typeof container.image === 'string' ? [container.image] : []));
  });
}

/**
 * The images a manifest's workloads run on x86-64 nodes, by node OS, each once in the order met.
 * @throws Error naming the document when the text is not YAML.
 */
export function manifestImages(text: string): Record<NodeOs, string[]> {
  const found: Record<NodeOs, Set<string>> = { linux: new Set(), windows: new Set() };
  const visit = (node: Json | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isObject(node)) return;
    if (Array.isArray(node.containers)) {
      const arch = allowed(node, ARCH_KEYS);
      if (arch !== undefined && !arch.includes('amd64')) return;
      const os = allowed(node, OS_KEYS);
      const target: NodeOs = os !== undefined && !os.includes('linux') && os.includes('windows') ? 'windows' : 'linux';
      for (const image of podImages(node)) found[target].add(image);
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  for (const [index, document] of parseAllDocuments(text).entries()) {
    if (document.errors.length > 0) throw new Error(`Document ${index + 1} of the manifest is not YAML: ${document.errors[0]?.message}`);
    visit(document.toJS() as Json);
  }
  return { linux: [...found.linux], windows: [...found.windows] };
}

/** What `npm run bundle -- --pull-images` pulls, from what the bundle is given. */
export interface BundleImageInputs {
  /** The catalog apps' images by OS. */
  catalog: Record<NodeOs, readonly string[]>;
  /** The bundle's manifests: file name and text. */
  manifests: readonly { name: string; text: string }[];
  /** The control plane's images as `kubeadm config images list` names them (none when it could not run). */
  controlPlane: readonly string[];
  /** --image: more Linux images. */
  extra: readonly string[];
  /** Windows workers' images too. */
  windows: boolean;
}

/**
 * The images a bundle should carry, by OS, each once: the control plane's, those the manifests'
 * workloads run (with the Tigera operator's manifest, what the operator deploys), the catalog
 * apps', and the extra ones.
 * @throws Error naming the manifest that is not YAML.
 */
export function bundleImages(inputs: BundleImageInputs): Record<NodeOs, string[]> {
  const linux = [...inputs.controlPlane];
  const windows: string[] = [];
  for (const manifest of inputs.manifests) {
    let images: Record<NodeOs, string[]>;
    try {
      images = manifestImages(manifest.text);
    } catch (error) {
      throw new Error(`${manifest.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    linux.push(...images.linux);
    windows.push(...images.windows);
    if (manifest.name === CNI_MANIFESTS.calico.file) linux.push(...CALICO_OPERATOR_IMAGES);
  }
  linux.push(...inputs.catalog.linux, ...inputs.extra);
  if (inputs.windows) windows.push(...inputs.catalog.windows);
  return { linux: [...new Set(linux)], windows: inputs.windows ? [...new Set(windows)] : [] };
}

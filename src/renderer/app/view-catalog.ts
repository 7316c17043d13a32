import type { IconName } from '../components/Icon';
import type { ViewId } from '../store/views';

export interface ViewDescription {
  label: string;
  icon: IconName;
  /** What the view is for, shown in its header. */
  summary: string;
  /** What the view will do, shown while it is an empty state. */
  coming?: { title: string; points: string[]; hint?: string };
}

export const viewCatalog: Record<ViewId, ViewDescription> = {
  hosts: {
    label: 'Hosts',
    icon: 'hosts',
    summary: 'Lab servers reached over SSH.',
  },
  labs: {
    label: 'Labs',
    icon: 'labs',
    summary: 'Kubernetes clusters built from VMs on a lab host.',
  },
  clusters: {
    label: 'Clusters',
    icon: 'clusters',
    summary: 'Every cluster you can reach through a kubeconfig.',
  },
  topology: {
    label: 'Topology',
    icon: 'topology',
    summary: 'A live map from lab host to pod.',
    coming: {
      title: 'Nothing to map yet',
      points: [
        'Host, VM, node and pod, with roles, OS and readiness.',
        'Services, EndpointSlices, Ingresses and Gateways, and how traffic reaches pods.',
        'Updates live as the cluster changes, even with thousands of pods.',
      ],
    },
  },
  apps: {
    label: 'Apps',
    icon: 'apps',
    summary: 'One-click Linux and Windows sample apps, scaled with sliders, and your own YAML.',
  },
  pods: {
    label: 'Pods',
    icon: 'pods',
    summary: 'Pods of a cluster: logs, events, details, exec and port-forward.',
  },
  terminals: {
    label: 'Terminals',
    icon: 'terminals',
    summary: 'Shells with kubectl bound to a cluster, SSH to hosts, pod exec.',
    coming: {
      title: 'No terminals open',
      points: [
        'Local shell: kubectl inside talks to the context you name (a private kubeconfig, removed when the tab closes), offline.',
        'SSH to a lab host over its shared connection, or exec into a pod (sh or bash; PowerShell or cmd on Windows).',
        'Search with Ctrl+Shift+F; copy and paste with Ctrl+Shift+C and Ctrl+Shift+V.',
      ],
      hint: 'For a shell with your own KUBECONFIG, pick "Your KUBECONFIG" as the context.',
    },
  },
  settings: {
    label: 'Settings',
    icon: 'settings',
    summary: 'Preferences and facts about this installation.',
  },
};

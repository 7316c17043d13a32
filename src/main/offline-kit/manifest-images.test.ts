import { describe, expect, it } from 'vitest';
import { CALICO_OPERATOR_IMAGES, CALICO_VERSION, CNI_MANIFESTS } from '../labs/cni-manifests';
import { flannelAffinity } from '../../../tests/doubles/workload-manifests';
import { bundleImages, manifestImages } from './manifest-images';

/** From flannel's Documentation/kube-flannel.yml of v0.11 (one DaemonSet per architecture), abridged to two of them. */
const flannelPerArch = `---
kind: ConfigMap
apiVersion: v1
metadata:
  name: kube-flannel-cfg
  namespace: kube-system
data:
  net-conf.json: |
    { "Network": "10.244.0.0/16", "Backend": { "Type": "vxlan" } }
---
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: kube-flannel-ds-amd64
  namespace: kube-system
spec:
  template:
    spec:
      hostNetwork: true
      nodeSelector:
        beta.kubernetes.io/arch: amd64
      initContainers:
      - name: install-cni
        image: quay.io/coreos/flannel:v0.11.0-amd64
        command:
        - cp
      containers:
      - name: kube-flannel
        image: quay.io/coreos/flannel:v0.11.0-amd64
        command:
        - /opt/bin/flanneld
---
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: kube-flannel-ds-arm64
  namespace: kube-system
spec:
  template:
    spec:
      hostNetwork: true
      nodeSelector:
        beta.kubernetes.io/arch: arm64
      initContainers:
      - name: install-cni
        image: quay.io/coreos/flannel:v0.11.0-arm64
      containers:
      - name: kube-flannel
        image: quay.io/coreos/flannel:v0.11.0-arm64
`;

/** A Windows kube-proxy DaemonSet (sig-windows-tools' shape) and a CRD whose schema has an "image" property. */
const windowsAndCrd = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-proxy-windows
  namespace: kube-system
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.io/os: windows
      containers:
      - name: kube-proxy
        image: sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: installations.operator.tigera.io
spec:
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        properties:
          image:
            type: string
            description: An image the operator deploys.
`;

describe('manifestImages', () => {
  it('lists the images of the x86-64 workloads once, leaving out those pinned to another architecture', () => {
    expect(manifestImages(flannelPerArch)).toEqual({ linux: ['quay.io/coreos/flannel:v0.11.0-amd64'], windows: [] });
    expect(manifestImages(flannelAffinity)).toEqual({
      linux: ['docker.io/flannel/flannel-cni-plugin:v1.6.0-flannel1', 'docker.io/flannel/flannel:v0.26.1'],
      windows: [],
    });
  });

  it('puts a Windows workload’s images with the Windows images and ignores schemas that mention "image"', () => {
    expect(manifestImages(windowsAndCrd)).toEqual({ linux: [], windows: ['sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess'] });
  });

  it('names the document that is not YAML', () => {
    expect(() => manifestImages('kind: ConfigMap\n---\nkey: [unclosed\n')).toThrow(/^Document 2 of the manifest is not YAML/);
  });
});

describe('bundleImages', () => {
  const inputs = {
    catalog: {
      linux: ['mcr.microsoft.com/azuredocs/azure-vote-front:v1'],
      windows: ['mcr.microsoft.com/dotnet/framework/samples:aspnetapp'],
    },
    controlPlane: ['k8s.gcr.io/kube-apiserver:v1.20.2', 'k8s.gcr.io/pause:3.2'],
    extra: ['docker.io/library/busybox:1.36', 'k8s.gcr.io/pause:3.2'],
    windows: false,
  };

  it('carries the control plane, the manifests’ workloads and the catalog apps, each once; Windows images only with --windows', () => {
    const images = bundleImages({ ...inputs, manifests: [{ name: 'kube-flannel.yml', text: flannelAffinity }] });
    expect(images).toEqual({
      linux: [
        'k8s.gcr.io/kube-apiserver:v1.20.2',
        'k8s.gcr.io/pause:3.2',
        'docker.io/flannel/flannel-cni-plugin:v1.6.0-flannel1',
        'docker.io/flannel/flannel:v0.26.1',
        'mcr.microsoft.com/azuredocs/azure-vote-front:v1',
        'docker.io/library/busybox:1.36',
      ],
      windows: [],
    });
    const withWindows = bundleImages({ ...inputs, windows: true, manifests: [{ name: 'windows.yml', text: windowsAndCrd }] });
    expect(withWindows.windows).toEqual([
      'sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess',
      'mcr.microsoft.com/dotnet/framework/samples:aspnetapp',
    ]);
  });

  it('adds what the Tigera operator deploys when the bundle has its manifest, at the pinned Calico version', () => {
    const operator = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: tigera-operator
  namespace: tigera-operator
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      containers:
      - name: tigera-operator
        image: quay.io/tigera/operator:v1.36.2
`;
    const { linux } = bundleImages({ ...inputs, manifests: [{ name: CNI_MANIFESTS.calico.file, text: operator }] });
    expect(linux).toContain('quay.io/tigera/operator:v1.36.2');
    expect(linux).toEqual(expect.arrayContaining([...CALICO_OPERATOR_IMAGES]));
    expect(CALICO_OPERATOR_IMAGES).toContain(`docker.io/calico/node:${CALICO_VERSION}`);
  });

  it('names the manifest that is not YAML', () => {
    expect(() => bundleImages({ ...inputs, manifests: [{ name: 'broken.yaml', text: 'a: [b\n' }] })).toThrow(
      /^broken\.yaml: Document 1 of the manifest is not YAML/,
    );
  });
});

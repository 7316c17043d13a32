/**
 * Manifests shaped like upstream's workloads (flannel's current DaemonSet, MetalLB's controller and
 * speaker), for the tests of what an offline bundle pulls for them.
 */

/** A current flannel DaemonSet's shape: node affinity on the OS, two init containers. */
export const flannelAffinity = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-flannel-ds
  namespace: kube-flannel
spec:
  selector:
    matchLabels:
      app: flannel
  template:
    metadata:
      labels:
        app: flannel
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: kubernetes.io/os
                operator: In
                values:
                - linux
      initContainers:
      - name: install-cni-plugin
        image: docker.io/flannel/flannel-cni-plugin:v1.6.0-flannel1
      - name: install-cni
        image: docker.io/flannel/flannel:v0.26.1
      containers:
      - name: kube-flannel
        image: docker.io/flannel/flannel:v0.26.1
`;

/** MetalLB's controller Deployment and speaker DaemonSet, abridged. */
export const metallbManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller
  namespace: metallb-system
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      containers:
      - name: controller
        image: quay.io/metallb/controller:v0.14.9
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: speaker
  namespace: metallb-system
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      containers:
      - name: speaker
        image: quay.io/metallb/speaker:v0.14.9
`;

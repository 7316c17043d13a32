import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../../shared/contract';
import { openChoices } from './open-choices';

const front: ServiceStatus = {
  name: 'azure-vote-front',
  type: 'LoadBalancer',
  externalAddress: '203.0.113.40',
  nodePorts: [],
  ports: [80],
};
const back: ServiceStatus = { name: 'azure-vote-back', type: 'ClusterIP', nodePorts: [], ports: [6379] };
const kvmLab = { id: 'host-1', name: 'kvm-lab' };
const base = { openUrl: 'http://203.0.113.40/', services: [back, front] };

describe('openChoices: the reachable way in is the main action', () => {
  it('leads with the external address when this computer reaches it; the tunnel is offered beside it', () => {
    expect(openChoices({ ...base, openReachable: true, labHost: kvmLab })).toEqual({
      url: 'http://203.0.113.40/',
      host: '203.0.113.40',
      urlPrimary: true,
      tunnel: { service: 'azure-vote-front', port: 80, labHost: kvmLab, primary: false },
    });
  });

  it("leads with the SSH tunnel through the lab host when the address does not answer and the context is a lab's", () => {
    expect(openChoices({ ...base, openReachable: false, labHost: kvmLab })).toMatchObject({
      urlPrimary: false,
      tunnel: { service: 'azure-vote-front', port: 80, labHost: kvmLab, primary: true },
    });
    expect(openChoices({ ...base, openReachable: false, labHost: kvmLab })).not.toHaveProperty('forwardPrimaryService');
  });

  it('leads with the port-forward when the address does not answer and no lab host is known', () => {
    const choices = openChoices({ ...base, openReachable: false });
    expect(choices).toMatchObject({ urlPrimary: false, forwardPrimaryService: 'azure-vote-front' });
    expect(choices).not.toHaveProperty('tunnel');
  });

  it("takes the tunnel's port from the URL (https defaults to 443) and offers nothing without an http(s) URL", () => {
    const https = { ...front, externalAddress: '2001:db8::7', ports: [8443] };
    expect(openChoices({ openUrl: 'https://[2001:db8::7]:8443/', services: [https], labHost: kvmLab }).tunnel).toMatchObject({
      port: 8443,
    });
    expect(openChoices({ openUrl: 'https://[2001:db8::7]/', services: [https], labHost: kvmLab })).toMatchObject({
      host: '2001:db8::7',
      tunnel: { port: 443, primary: true },
    });
    expect(openChoices({ openUrl: 'ftp://203.0.113.40/', services: [front], labHost: kvmLab })).toEqual({ urlPrimary: false });
    expect(openChoices({ services: [front] })).toEqual({ urlPrimary: false });
  });
});

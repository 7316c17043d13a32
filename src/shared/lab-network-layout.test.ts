import { describe, expect, it } from 'vitest';
import { FIRST_LAB_API_ADDRESS, FIRST_LAB_NETWORK } from './contract/labs';
import { networkLayout } from './lab-network-layout';

describe('lab network layout', () => {
  it('lays a /24 out as allocation proposes it: endpoint .10, pool .100-.199, LoadBalancer .200-.239', () => {
    expect(networkLayout(FIRST_LAB_NETWORK.cidr)).toEqual({
      ok: true,
      layout: {
        apiEndpointAddress: FIRST_LAB_API_ADDRESS,
        poolStart: FIRST_LAB_NETWORK.poolStart,
        poolEnd: FIRST_LAB_NETWORK.poolEnd,
        loadBalancerStart: FIRST_LAB_NETWORK.loadBalancerStart,
        loadBalancerEnd: FIRST_LAB_NETWORK.loadBalancerEnd,
      },
    });
  });

  it('uses the first /24 of a wider network and the same shares of a narrower one, down to a /29', () => {
    expect(networkLayout('10.20.0.0/16')).toMatchObject({ ok: true, layout: { apiEndpointAddress: '10.20.0.10', poolEnd: '10.20.0.199' } });
    expect(networkLayout('10.0.0.0/28')).toEqual({
      ok: true,
      layout: {
        apiEndpointAddress: '10.0.0.2',
        poolStart: '10.0.0.6',
        poolEnd: '10.0.0.11',
        loadBalancerStart: '10.0.0.12',
        loadBalancerEnd: '10.0.0.14',
      },
    });
    expect(networkLayout('10.0.0.8/29')).toEqual({
      ok: true,
      layout: {
        apiEndpointAddress: '10.0.0.10',
        poolStart: '10.0.0.11',
        poolEnd: '10.0.0.13',
        loadBalancerStart: '10.0.0.14',
        loadBalancerEnd: '10.0.0.14',
      },
    });
    // Every layout stays inside the usable addresses (after the gateway, before the broadcast address).
    for (let prefix = 8; prefix <= 29; prefix += 1) {
      const result = networkLayout(`10.0.0.0/${prefix}`);
      if (!result.ok) throw new Error(result.message);
      const last = Number(result.layout.loadBalancerEnd.split('.')[3]);
      expect(last).toBeLessThan(Math.min(2 ** (32 - prefix), 256) - 1);
    }
  });

  it('says what is wrong with text that is no lab network, and what to type', () => {
    expect(networkLayout('192.168.16')).toEqual({
      ok: false,
      message: '"192.168.16" is not a network in CIDR form (address/prefix).',
      fix: 'Type e.g. 192.168.160.0/24.',
    });
    expect(networkLayout('192.168.160.5/24')).toEqual({
      ok: false,
      message: '192.168.160.5/24 does not start at its network address.',
      fix: 'Use 192.168.160.0/24.',
    });
    expect(networkLayout('192.168.160.0/30')).toMatchObject({ ok: false, fix: 'Use a /29 or wider (a /24 is usual).' });
    expect(networkLayout('10.0.0.0/7')).toMatchObject({ ok: false, message: 'A /7 is wider than a lab network can be.' });
  });
});

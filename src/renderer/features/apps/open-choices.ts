/**
 * Which way into an app the instance card leads with: the external address when this computer
 * reaches it; otherwise, for a lab's context, the SSH tunnel through the lab host (which reaches
 * the lab network); otherwise the port-forward through the API server. Pure: the card only renders.
 */
import type { AppInstanceStatus, LabHostRef } from '../../../shared/contract';

export interface OpenChoices {
  /** The external http(s) URL, when the app has one. */
  url?: string;
  /** Its host (an IPv6 address without brackets). */
  host?: string;
  /** The external URL is the main action (this computer reached it). */
  urlPrimary: boolean;
  /** The tunnel through the lab host to the Service behind the URL, for a lab's context. */
  tunnel?: { service: string; port: number; labHost: LabHostRef; primary: boolean };
  /** The Service whose port-forward is the main action, when neither the URL nor a tunnel is. */
  forwardPrimaryService?: string;
}

/** Only http(s) is ever offered to open (the main process checks again before opening). */
export function isWebUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//.test(url);
}

export function openChoices(status: Pick<AppInstanceStatus, 'openUrl' | 'openReachable' | 'labHost' | 'services'>): OpenChoices {
  if (!isWebUrl(status.openUrl)) return { urlPrimary: false };
  const url = new URL(status.openUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const reachable = status.openReachable === true;
  const service = status.services.find((candidate) => candidate.externalAddress !== undefined && candidate.externalAddress === host);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const tunnel =
    status.labHost !== undefined && service !== undefined
      ? { service: service.name, port, labHost: status.labHost, primary: !reachable }
      : undefined;
  return {
    url: status.openUrl,
    host,
    urlPrimary: reachable,
    ...(tunnel === undefined ? {} : { tunnel }),
    ...(!reachable && tunnel === undefined && service !== undefined ? { forwardPrimaryService: service.name } : {}),
  };
}

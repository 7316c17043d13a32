import type { ClusterContext } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';

/** The saved credentials of this context are gone (a memory secret store after a restart). */
export function credentialsLost(context: ClusterContext): boolean {
  const result = context.health.result;
  return result !== undefined && !result.ok && result.error.code === 'SECRET_STORAGE_UNAVAILABLE';
}

/** A context imported from a file that is still there, so it can be read again; pasted text cannot. */
export function canReread(context: ClusterContext): boolean {
  return context.sourceExists === true;
}

/**
 * Said once on Clusters when secrets live in memory (browser mode without a passphrase file):
 * why contexts show "Credentials lost" after a restart, and how to keep them next time.
 */
export function CredentialsBanner({ contexts }: { contexts: readonly ClusterContext[] }) {
  const storage = useAppStore((state) => state.secretStorage);
  if (storage === undefined || storage.persistent) return null;
  const lost = contexts.filter(credentialsLost);
  return (
    <Banner tone={lost.length > 0 ? 'warning' : 'info'}>
      <span data-testid="credentials-banner">
        {lost.length > 0 &&
          `${lost.length === 1 ? `${lost[0]!.name} has` : `${lost.length} contexts have`} lost ${lost.length === 1 ? 'its' : 'their'} credentials: the server was restarted. `}
        Browser mode keeps imported tokens, keys and passwords in memory only, until the server stops. To keep them, start it with{' '}
        <code>NESTLAB_SECRETS_PASSPHRASE_FILE</code> naming a file that holds a passphrase: they are then saved encrypted on disk.
        {lost.some(canReread) && ' A context imported from a file can be read again from it below.'}
      </span>
    </Banner>
  );
}

/**
 * "Re-read from <path>": imports the context's file again; what would change shows in the import
 * panel first. Offered only while that file is there; when it is gone, says so.
 */
export function RereadButton({ context }: { context: ClusterContext }) {
  const importKubeconfig = useAppStore((state) => state.importKubeconfig);
  const importing = useAppStore((state) => state.importStatus.phase === 'importing');
  if (!credentialsLost(context) || context.sourceExists === undefined) return null;
  if (!context.sourceExists) {
    return (
      <p className="muted" data-testid="reread-source-missing">
        {context.source} is no longer there, so it cannot be read again. Import this kubeconfig from where it is now, or paste it.
      </p>
    );
  }
  return (
    <button
      type="button"
      className="button button-primary"
      disabled={importing}
      onClick={() => {
        void importKubeconfig({ kind: 'files', paths: [context.source] });
        document.querySelector('.clusters-import')?.scrollIntoView({ block: 'nearest' });
      }}
    >
      Re-read from {context.source}
    </button>
  );
}

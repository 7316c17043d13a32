import type { HostSummary } from '../../../shared/contract';
import { hostKeyFileFor } from '../../../shared/host-key-file';
import { Banner } from '../../components/Banner';
import type { HostKeyPrompt } from './hosts-slice';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../../components/Dialog';

/**
 * First contact: the key type and SHA256 fingerprint the host presented. Nothing has run on the
 * host and nothing runs until Accept; Accept stores the key only if the host still presents it.
 */
export function HostKeyDialog({ prompt, host }: { prompt: HostKeyPrompt; host: HostSummary | undefined }) {
  const accept = useAppStore((state) => state.acceptHostKey);
  const dismiss = useAppStore((state) => state.dismissHostKeyPrompt);
  const where = host ? `${host.user}@${host.address}:${host.port}` : 'this host';
  return (
    <Dialog
      title={`Trust the host key of ${host?.name ?? 'this host'}?`}
      onClose={dismiss}
      busy={prompt.accepting}
      initialFocus=".button-cancel"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void accept();
        }}
      >
        <p>
          This is the first connection to <strong>{where}</strong>. Nestlab has run nothing on it. Compare the fingerprint with the one the
          host shows for this key type (<code>ssh-keygen -lf {hostKeyFileFor(prompt.key.keyType)}</code> on its console) before you accept.
        </p>
        <dl className="facts host-key-facts">
          <dt>Key type</dt>
          <dd>
            <code data-testid="host-key-type">{prompt.key.keyType}</code>
          </dd>
          <dt>Fingerprint</dt>
          <dd>
            <code className="verbatim" data-testid="host-key-fingerprint">
              {prompt.key.fingerprint}
            </code>
          </dd>
        </dl>
        {prompt.error && <Banner tone="error">{prompt.error.message}</Banner>}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={prompt.accepting}>
            {prompt.accepting ? 'Accepting…' : 'Accept and connect'}
          </button>
          <button type="button" className="button button-cancel" onClick={dismiss} disabled={prompt.accepting}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

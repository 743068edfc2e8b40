import { useState, type FormEvent } from 'react';
import { createWorkspace } from '../../api/polett.ts';
import { Alert, FormField } from '../../components/form-field.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import { useSession } from '../../session.tsx';
import { errorText } from '../../components/loaded-view.tsx';

/** Creating another workspace (a brand or a site), which the creator owns. */
export function NewWorkspaceSection() {
  const { t } = useLocale();
  const { refresh, selectWorkspace } = useSession();
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const created = await createWorkspace(name);
      await refresh();
      selectWorkspace(created.workspace.id);
      setName('');
      setMessage(undefined);
    } catch (caught) {
      setMessage(t('form.failed', { message: errorText(caught) }));
    }
  };
  return (
    <section className="card" aria-labelledby="new-workspace-heading">
      <h2 id="new-workspace-heading">{t('settings.newWorkspace')}</h2>
      <p>{t('settings.newWorkspaceIntro')}</p>
      <form onSubmit={(event) => void submit(event)} className="inline-form">
        <FormField
          label={t('settings.newWorkspaceName')}
          name="newWorkspaceName"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit">{t('settings.createWorkspace')}</button>
      </form>
      {message ? <Alert kind="error">{message}</Alert> : null}
    </section>
  );
}

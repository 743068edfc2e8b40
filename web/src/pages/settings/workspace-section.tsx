import { useCallback, useState, type FormEvent } from 'react';
import { getWorkspace, updateWorkspace, type WorkspaceRecord } from '../../api/polett.ts';
import { Alert, FormField } from '../../components/form-field.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import { useSession, useSignedIn } from '../../session.tsx';
import { useLoaded, LoadedView, errorText } from '../../components/loaded-view.tsx';

/** The workspace's name and how long its conversations and feedback are kept. */
export function WorkspaceSection({ editable, onChanged }: { editable: boolean; onChanged: () => void }) {
  const { t } = useLocale();
  const { refresh } = useSession();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => getWorkspace(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded<WorkspaceRecord>(load);
  return (
    <>
      <section className="card" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">{t('settings.workspace')}</h2>
        <LoadedView loaded={loaded}>
          {(workspace) => (
            <WorkspaceNameForm
              key={workspace.id + workspace.name}
              workspace={workspace}
              editable={editable}
              onSaved={async () => {
                await reload();
                await refresh();
                onChanged();
              }}
            />
          )}
        </LoadedView>
      </section>
      <section className="card" aria-labelledby="retention-heading">
        <h2 id="retention-heading">{t('settings.retention')}</h2>
        <p>{t('settings.retentionIntro')}</p>
        <LoadedView loaded={loaded}>
          {(workspace) => (
            <RetentionForm
              key={workspace.id}
              workspace={workspace}
              editable={editable}
              onSaved={async () => {
                await reload();
                onChanged();
              }}
            />
          )}
        </LoadedView>
      </section>
    </>
  );
}

function useSaver(save: () => Promise<unknown>, after: () => Promise<void> | void) {
  const { t } = useLocale();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await save();
      setMessage({ kind: 'success', text: t('settings.saved') });
      await after();
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };
  return { message, submit };
}

function WorkspaceNameForm({
  workspace,
  editable,
  onSaved,
}: {
  workspace: WorkspaceRecord;
  editable: boolean;
  onSaved: () => Promise<void>;
}) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [name, setName] = useState(workspace.name);
  const { message, submit } = useSaver(() => updateWorkspace(workspaceId, { name }), onSaved);
  return (
    <form onSubmit={(event) => void submit(event)} className="inline-form">
      <FormField
        label={t('settings.workspaceName')}
        name="workspaceName"
        required
        readOnly={!editable}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      {editable ? <button type="submit">{t('settings.save')}</button> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}

function RetentionForm({
  workspace,
  editable,
  onSaved,
}: {
  workspace: WorkspaceRecord;
  editable: boolean;
  onSaved: () => Promise<void>;
}) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [conversationDays, setConversationDays] = useState(
    workspace.conversationRetentionDays?.toString() ?? '',
  );
  const [feedbackDays, setFeedbackDays] = useState(workspace.feedbackRetentionDays?.toString() ?? '');
  // An empty field means "keep forever", which the server stores as null.
  const days = (value: string) => (value.trim() === '' ? null : Number(value));
  const { message, submit } = useSaver(
    () =>
      updateWorkspace(workspaceId, {
        conversationRetentionDays: days(conversationDays),
        feedbackRetentionDays: days(feedbackDays),
      }),
    onSaved,
  );
  return (
    <form onSubmit={(event) => void submit(event)} className="inline-form">
      <FormField
        label={t('settings.conversationDays')}
        name="conversationDays"
        type="number"
        min={1}
        inputMode="numeric"
        readOnly={!editable}
        value={conversationDays}
        onChange={(event) => setConversationDays(event.target.value)}
      />
      <FormField
        label={t('settings.feedbackDays')}
        name="feedbackDays"
        type="number"
        min={1}
        inputMode="numeric"
        readOnly={!editable}
        value={feedbackDays}
        onChange={(event) => setFeedbackDays(event.target.value)}
      />
      {editable ? <button type="submit">{t('settings.save')}</button> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}

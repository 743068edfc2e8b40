import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import {
  conversationAction,
  conversationEventsUrl,
  getConversation,
  listConversations,
  replyToConversation,
  type Conversation,
  type ConversationDetail,
} from '../api/assistant.ts';
import { Alert } from '../components/form-field.tsx';
import { errorText, LoadedView, useLoaded } from '../components/loaded-view.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { useSignedIn } from '../session.tsx';

/** How often the list of waiting conversations is refreshed while the page is open. */
const LIST_REFRESH_MS = 5_000;

/** The Inbox: conversations handed over by the assistant, answered by people, live. */
export function InboxPage() {
  const { t, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => listConversations(workspaceId, ['waiting', 'assigned']), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const [selected, setSelected] = useState<string>();

  useEffect(() => {
    const timer = setInterval(() => void reload(), LIST_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <>
      <h1>{t('inbox.title')}</h1>
      <p>{t('inbox.intro')}</p>
      <div className="inbox">
        <section className="card" aria-labelledby="inbox-list-heading">
          <h2 id="inbox-list-heading">{t('inbox.list')}</h2>
          <LoadedView loaded={loaded}>
            {({ conversations }) =>
              conversations.length === 0 ? (
                <p className="muted">{t('inbox.empty')}</p>
              ) : (
                <ul className="conversation-list">
                  {conversations.map((conversation) => (
                    <li key={conversation.id}>
                      <button
                        type="button"
                        className={selected === conversation.id ? '' : 'secondary'}
                        aria-pressed={selected === conversation.id}
                        onClick={() => setSelected(conversation.id)}
                      >
                        <span className="badge">
                          {t(`inbox.status.${conversation.status}` as MessageKey)}
                        </span>{' '}
                        {reasonText(t, conversation)} ·{' '}
                        {t('inbox.updated', { time: formatDateTime(conversation.updatedAt) })}
                      </button>
                    </li>
                  ))}
                </ul>
              )
            }
          </LoadedView>
        </section>
        {selected ? (
          <ConversationView key={selected} conversationId={selected} onChanged={reload} />
        ) : (
          <p className="muted">{t('inbox.select')}</p>
        )}
      </div>
    </>
  );
}

function reasonText(t: ReturnType<typeof useLocale>['t'], conversation: Conversation): string {
  const key = `inbox.reason.${conversation.handoverReason ?? ''}`;
  return key in REASONS ? t(key as MessageKey) : '';
}

const REASONS: Record<string, true> = {
  'inbox.reason.asked_for_person': true,
  'inbox.reason.unanswered': true,
  'inbox.reason.taken_by_agent': true,
};

function ConversationView({
  conversationId,
  onChanged,
}: {
  conversationId: string;
  onChanged: () => Promise<void>;
}) {
  const { t, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  const id = useId();
  const load = useCallback(() => getConversation(workspaceId, conversationId), [workspaceId, conversationId]);
  const { loaded, reload } = useLoaded<ConversationDetail>(load);
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string>();

  // New messages (the customer writing, a colleague replying) arrive live.
  useEffect(() => {
    const source = new EventSource(conversationEventsUrl(workspaceId, conversationId));
    const refresh = () => void reload();
    source.addEventListener('message', refresh);
    source.addEventListener('status', refresh);
    return () => source.close();
  }, [workspaceId, conversationId, reload]);

  const act = async (action: 'assign' | 'hand-back' | 'close') => {
    try {
      await conversationAction(workspaceId, conversationId, action);
      setError(undefined);
      await reload();
      await onChanged();
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!reply.trim()) return;
    try {
      await replyToConversation(workspaceId, conversationId, reply);
      setReply('');
      setError(undefined);
      await reload();
      await onChanged();
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <LoadedView loaded={loaded}>
        {(detail) => (
          <>
            <h2 id={`${id}-heading`}>
              {t('inbox.transcript')}{' '}
              <span className="badge">{t(`inbox.status.${detail.conversation.status}` as MessageKey)}</span>
            </h2>
            <h3>{t('inbox.summary')}</h3>
            <p className="summary">{detail.summary}</p>
            <ol className="transcript" aria-label={t('inbox.transcript')}>
              {detail.messages.map((message) => (
                <li key={message.id} className={`transcript-${message.role}`}>
                  <strong>{t(`inbox.role.${message.role}` as MessageKey)}</strong>{' '}
                  <span className="muted">{formatDateTime(message.createdAt)}</span>
                  <p>{message.text}</p>
                </li>
              ))}
            </ol>
            {detail.passages.length > 0 ? (
              <details>
                <summary>{t('inbox.passages', { count: detail.passages.length })}</summary>
                <ul>
                  {detail.passages.map((passage) => (
                    <li key={passage.chunkId}>
                      <strong>{[passage.title, ...passage.headingPath].join(' › ')}</strong>
                      <p>{passage.text}</p>
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
            <div className="actions">
              {detail.conversation.status !== 'assigned' ? (
                <button type="button" className="secondary" onClick={() => void act('assign')}>
                  {t('inbox.assign')}
                </button>
              ) : null}
              <button type="button" className="secondary" onClick={() => void act('hand-back')}>
                {t('inbox.handBack')}
              </button>
              <button type="button" className="secondary" onClick={() => void act('close')}>
                {t('inbox.close')}
              </button>
            </div>
            <form onSubmit={(event) => void send(event)}>
              <div className="field">
                <label htmlFor={`${id}-reply`}>{t('inbox.reply')}</label>
                <textarea
                  id={`${id}-reply`}
                  rows={3}
                  value={reply}
                  onChange={(event) => setReply(event.target.value)}
                />
              </div>
              <div className="actions">
                <button type="submit">{t('inbox.send')}</button>
              </div>
            </form>
            {error ? <Alert kind="error">{t('form.failed', { message: error })}</Alert> : null}
          </>
        )}
      </LoadedView>
    </section>
  );
}

import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import {
  bulkApi,
  contentApi,
  generateContent,
  reviewApi,
  type BulkImportDto,
  type TextComment,
  type TextVersion,
  type CheckedTextDto,
  type ContentStatus,
  type FindingDto,
  type ProfileInput,
  type RewriteInstruction,
  type StoredProfileDto,
  type TemplateDto,
  type TextDto,
  type TextState,
} from '../api/content.ts';
import { Alert, FormField } from '../components/form-field.tsx';
import { JobProgress, type JobView } from '../components/job-progress.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { useSignedIn } from '../session.tsx';

const errorText = (caught: unknown) => (caught instanceof Error ? caught.message : String(caught));
const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
const commaList = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
/** Text areas as wide as the inputs beside them, in the page's own font. */
const TEXTAREA_STYLE = { width: '100%', boxSizing: 'border-box', font: 'inherit' } as const;
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

/** The profile form's fields as text, the way a person edits them. */
interface ProfileForm {
  name: string;
  description: string;
  language: 'sv' | 'en';
  adjectives: string;
  examples: string;
  audiences: string;
  bannedWords: string;
  requiredPhrases: string;
  address: 'du' | 'ni' | 'any';
  emojis: boolean;
  maxExclamationMarks: string;
  maxCharacters: string;
  minCharacters: string;
  collections: string;
}

const EMPTY_FORM: ProfileForm = {
  name: '',
  description: '',
  language: 'sv',
  adjectives: '',
  examples: '',
  audiences: '',
  bannedWords: '',
  requiredPhrases: '',
  address: 'du',
  emojis: true,
  maxExclamationMarks: '',
  maxCharacters: '',
  minCharacters: '',
  collections: '',
};

function formOf(stored: StoredProfileDto): ProfileForm {
  const { profile } = stored;
  return {
    name: profile.name,
    description: profile.description,
    language: profile.language,
    adjectives: profile.voice.adjectives.join(', '),
    examples: profile.voice.examples.join('\n\n'),
    audiences: profile.audiences
      .map((audience) => (audience.description ? `${audience.name}: ${audience.description}` : audience.name))
      .join('\n'),
    bannedWords: profile.rules.bannedWords
      .map((banned) => (banned.instead ? `${banned.word} => ${banned.instead}` : banned.word))
      .join('\n'),
    requiredPhrases: profile.rules.requiredPhrases.join('\n'),
    address: profile.rules.address,
    emojis: profile.rules.emojis,
    maxExclamationMarks:
      profile.rules.maxExclamationMarks === null ? '' : String(profile.rules.maxExclamationMarks),
    maxCharacters: profile.rules.maxCharacters === null ? '' : String(profile.rules.maxCharacters),
    minCharacters: profile.rules.minCharacters === null ? '' : String(profile.rules.minCharacters),
    collections: profile.knowledgeCollections.join(', '),
  };
}

function profileOf(form: ProfileForm): ProfileInput {
  return {
    name: form.name,
    description: form.description,
    language: form.language,
    voice: {
      adjectives: commaList(form.adjectives),
      examples: form.examples
        .split(/\n\s*\n/)
        .map((example) => example.trim())
        .filter(Boolean),
    },
    audiences: lines(form.audiences).map((line) => {
      const [name = '', ...rest] = line.split(':');
      return { name: name.trim(), description: rest.join(':').trim() };
    }),
    rules: {
      bannedWords: lines(form.bannedWords).map((line) => {
        const [word = '', instead] = line.split('=>').map((part) => part.trim());
        return instead ? { word, instead } : { word };
      }),
      requiredPhrases: lines(form.requiredPhrases),
      address: form.address,
      emojis: form.emojis,
      maxExclamationMarks: numberOrNull(form.maxExclamationMarks),
      maxCharacters: numberOrNull(form.maxCharacters),
      minCharacters: numberOrNull(form.minCharacters),
    },
    knowledgeCollections: commaList(form.collections),
  };
}

function TextArea({
  label,
  value,
  onChange,
  rows = 3,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  hint?: string;
}) {
  const id = useMemo(() => `content-${Math.random().toString(36).slice(2)}`, []);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        style={TEXTAREA_STYLE}
        onChange={(event) => onChange(event.target.value)}
        {...(hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function TextInput({
  label,
  value,
  onChange,
  type = 'text',
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  hint?: string;
}) {
  const id = useMemo(() => `content-${Math.random().toString(36).slice(2)}`, []);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...(hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function ProfileEditor({
  workspaceId,
  profiles,
  selectedId,
  onSaved,
}: {
  workspaceId: string;
  profiles: StoredProfileDto[];
  selectedId: string | undefined;
  onSaved: (profile: StoredProfileDto) => void;
}) {
  const { t } = useLocale();
  const selected = profiles.find((profile) => profile.id === selectedId);
  const [form, setForm] = useState<ProfileForm>(selected ? formOf(selected) : EMPTY_FORM);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(selected ? formOf(selected) : EMPTY_FORM), [selected]);
  const set =
    <Key extends keyof ProfileForm>(key: Key) =>
    (value: ProfileForm[Key]) =>
      setForm((current) => ({ ...current, [key]: value }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      const profile = profileOf(form);
      const stored = selected
        ? await contentApi.updateProfile(workspaceId, selected.id, profile)
        : await contentApi.createProfile(workspaceId, profile);
      setSaved(true);
      onSaved(stored);
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  return (
    <form onSubmit={(event) => void save(event)} aria-labelledby="content-profile-heading">
      <h2 id="content-profile-heading">
        {selected ? t('content.profile.editTitle', { name: selected.name }) : t('content.profile.newTitle')}
      </h2>
      <TextInput label={t('content.profile.name')} value={form.name} onChange={set('name')} />
      <TextArea
        label={t('content.profile.description')}
        value={form.description}
        onChange={set('description')}
      />
      <div className="field">
        <label htmlFor="content-profile-language">{t('content.profile.language')}</label>
        <select
          id="content-profile-language"
          value={form.language}
          onChange={(event) => set('language')(event.target.value as 'sv' | 'en')}
        >
          <option value="sv">{t('language.sv')}</option>
          <option value="en">{t('language.en')}</option>
        </select>
      </div>
      <TextInput
        label={t('content.profile.adjectives')}
        value={form.adjectives}
        onChange={set('adjectives')}
        hint={t('content.profile.commaHint')}
      />
      <TextArea
        label={t('content.profile.examples')}
        value={form.examples}
        onChange={set('examples')}
        rows={4}
        hint={t('content.profile.examplesHint')}
      />
      <TextArea
        label={t('content.profile.audiences')}
        value={form.audiences}
        onChange={set('audiences')}
        hint={t('content.profile.audiencesHint')}
      />
      <fieldset>
        <legend>{t('content.profile.rules')}</legend>
        <TextArea
          label={t('content.profile.bannedWords')}
          value={form.bannedWords}
          onChange={set('bannedWords')}
          hint={t('content.profile.bannedWordsHint')}
        />
        <TextArea
          label={t('content.profile.requiredPhrases')}
          value={form.requiredPhrases}
          onChange={set('requiredPhrases')}
          hint={t('content.profile.linesHint')}
        />
        <div className="field">
          <label htmlFor="content-profile-address">{t('content.profile.address')}</label>
          <select
            id="content-profile-address"
            value={form.address}
            onChange={(event) => set('address')(event.target.value as ProfileForm['address'])}
          >
            <option value="du">{t('content.profile.addressDu')}</option>
            <option value="ni">{t('content.profile.addressNi')}</option>
            <option value="any">{t('content.profile.addressAny')}</option>
          </select>
        </div>
        <div className="field">
          <label>
            <input
              type="checkbox"
              checked={form.emojis}
              onChange={(event) => set('emojis')(event.target.checked)}
            />{' '}
            {t('content.profile.emojis')}
          </label>
        </div>
        <TextInput
          label={t('content.profile.maxExclamationMarks')}
          type="number"
          value={form.maxExclamationMarks}
          onChange={set('maxExclamationMarks')}
          hint={t('content.profile.emptyNoLimit')}
        />
        <TextInput
          label={t('content.profile.maxCharacters')}
          type="number"
          value={form.maxCharacters}
          onChange={set('maxCharacters')}
          hint={t('content.profile.emptyNoLimit')}
        />
        <TextInput
          label={t('content.profile.minCharacters')}
          type="number"
          value={form.minCharacters}
          onChange={set('minCharacters')}
          hint={t('content.profile.emptyNoLimit')}
        />
      </fieldset>
      <TextInput
        label={t('content.profile.collections')}
        value={form.collections}
        onChange={set('collections')}
        hint={t('content.profile.collectionsHint')}
      />
      {error ? <Alert kind="error">{error}</Alert> : null}
      {saved ? <Alert kind="success">{t('content.profile.saved')}</Alert> : null}
      <button type="submit">{t('content.profile.save')}</button>
    </form>
  );
}

function Findings({
  findings,
  onFix,
  busy,
}: {
  findings: FindingDto[];
  onFix: (finding: FindingDto) => void;
  busy: boolean;
}) {
  const { t, locale } = useLocale();
  if (findings.length === 0) return <p role="status">{t('content.findings.none')}</p>;
  return (
    <ul className="content-findings" aria-label={t('content.findings.title')}>
      {findings.map((finding, index) => (
        <li key={`${finding.rule}-${index}`}>
          <strong>{t(`content.rule.${finding.rule}` as MessageKey)}:</strong> {finding.message[locale]}{' '}
          {finding.fix ? (
            <button type="button" disabled={busy} onClick={() => onFix(finding)}>
              {finding.fix.label[locale]}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

interface Variant {
  text: string;
  done: boolean;
  error?: string;
}

const NEXT_STATES: Record<TextState, TextState[]> = {
  draft: ['in_review'],
  in_review: ['approved', 'draft'],
  approved: ['published', 'draft'],
  published: ['draft'],
};

function ReviewQueue({
  workspaceId,
  texts,
  onChanged,
  state,
  onStateChange,
}: {
  workspaceId: string;
  texts: TextDto[];
  onChanged: () => void;
  /** Which texts to show: one state (in review is the queue proper), or all. */
  state: TextState | '';
  onStateChange: (state: TextState | '') => void;
}) {
  const { t, formatDateTime } = useLocale();
  const [error, setError] = useState<string>();
  const move = async (text: TextDto, state: TextState) => {
    setError(undefined);
    try {
      await contentApi.changeState(workspaceId, text.id, state);
      onChanged();
    } catch (caught) {
      setError(errorText(caught));
    }
  };
  return (
    <section aria-labelledby="content-review-heading">
      <h2 id="content-review-heading">{t('content.review.title')}</h2>
      <div className="field">
        <label htmlFor="content-review-state">{t('content.review.show')}</label>
        <select
          id="content-review-state"
          value={state}
          onChange={(event) => onStateChange(event.target.value as TextState | '')}
        >
          <option value="">{t('content.review.all')}</option>
          {(['draft', 'in_review', 'approved', 'published'] as const).map((option) => (
            <option key={option} value={option}>
              {t(`content.state.${option}`)}
            </option>
          ))}
        </select>
      </div>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {texts.length === 0 ? <p>{t('content.review.empty')}</p> : null}
      <ul className="content-texts">
        {texts.map((text) => (
          <li key={text.id}>
            <h3>{text.title}</h3>
            <p>
              {t(`content.state.${text.state}` as MessageKey)} ·{' '}
              {t('content.review.version', { version: text.version })} · {formatDateTime(text.updatedAt)} ·{' '}
              {t('content.review.findings', { count: text.findings.length })}
            </p>
            <p className="content-text-body">{text.body}</p>
            <div className="actions">
              {NEXT_STATES[text.state].map((state) => (
                <button key={state} type="button" onClick={() => void move(text, state)}>
                  {t(`content.review.to.${state}` as MessageKey)}
                </button>
              ))}
              {(['markdown', 'html', 'text'] as const).map((format) => (
                <a key={format} href={contentApi.exportUrl(workspaceId, text.id, format)} download>
                  {t(`content.export.${format}` as MessageKey, { title: text.title })}
                </a>
              ))}
            </div>
            <TextHistory workspaceId={workspaceId} text={text} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function TextHistory({ workspaceId, text }: { workspaceId: string; text: TextDto }) {
  const { t, formatDateTime } = useLocale();
  const [open, setOpen] = useState(false);
  const [comments, setComments] = useState<TextComment[]>([]);
  const [versions, setVersions] = useState<TextVersion[]>([]);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    Promise.all([reviewApi.comments(workspaceId, text.id), reviewApi.versions(workspaceId, text.id)]).then(
      ([commentList, versionList]) => {
        setComments(commentList.comments);
        setVersions(versionList.versions);
      },
      (caught: unknown) => setError(errorText(caught)),
    );
  }, [workspaceId, text.id]);
  useEffect(() => {
    if (open) load();
  }, [open, load, text.version]);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await reviewApi.addComment(workspaceId, text.id, draft);
      setDraft('');
      load();
    } catch (caught) {
      setError(errorText(caught));
    }
  };
  return (
    <details onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary>{t('content.history.summary', { title: text.title })}</summary>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <h4>{t('content.history.comments')}</h4>
      {comments.length === 0 ? <p>{t('content.history.noComments')}</p> : null}
      <ul>
        {comments.map((comment) => (
          <li key={comment.id}>
            <strong>{comment.author ?? '—'}</strong> ({formatDateTime(comment.createdAt)}): {comment.body}
          </li>
        ))}
      </ul>
      <form onSubmit={(event) => void add(event)}>
        <TextInput
          label={t('content.history.newComment', { title: text.title })}
          value={draft}
          onChange={setDraft}
        />
        <button type="submit" disabled={draft.trim() === ''}>
          {t('content.history.addComment')}
        </button>
      </form>
      <h4>{t('content.history.versions')}</h4>
      <ol reversed>
        {versions.map((version) => (
          <li key={version.version}>
            {t('content.review.version', { version: version.version })} · {formatDateTime(version.createdAt)}
            {version.author ? ` · ${version.author}` : ''}
            {version.note ? ` · ${version.note}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}

function BulkSection({
  workspaceId,
  profileId,
  templates,
  maxTokens,
}: {
  workspaceId: string;
  profileId: string;
  templates: TemplateDto[];
  /** The writing section's token budget, used for every row too. */
  maxTokens: string;
}) {
  const { t, locale } = useLocale();
  const [upload, setUpload] = useState<BulkImportDto>();
  const [templateId, setTemplateId] = useState('product-description');
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [job, setJob] = useState<JobView>();
  const [finished, setFinished] = useState(false);
  const [error, setError] = useState<string>();
  const template = templates.find((candidate) => candidate.id === templateId);

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    setJob(undefined);
    setFinished(false);
    try {
      const uploaded = await bulkApi.upload(workspaceId, file, locale);
      setUpload(uploaded);
      // A column named like a field (or its label) is mapped at once; the rest the person picks.
      const guessed: Record<string, string> = {};
      for (const field of template?.fields ?? []) {
        const column = uploaded.columns.find((candidate) =>
          [field.name, field.label.sv, field.label.en].some(
            (name) => name.toLowerCase() === candidate.toLowerCase(),
          ),
        );
        if (column) guessed[field.name] = column;
      }
      setMapping(guessed);
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  const start = async () => {
    if (!upload) return;
    setError(undefined);
    try {
      const { jobId } = await bulkApi.start(workspaceId, upload.id, {
        profileId,
        templateId,
        mapping,
        ...(maxTokens.trim() === '' ? {} : { maxOutputTokens: Number(maxTokens) }),
      });
      setJob(
        await api.get<JobView>(
          `/api/workspaces/${encodeURIComponent(workspaceId)}/jobs/${encodeURIComponent(jobId)}`,
        ),
      );
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  return (
    <section aria-labelledby="content-bulk-heading">
      <h2 id="content-bulk-heading">{t('content.bulk.title')}</h2>
      <p>{t('content.bulk.intro')}</p>
      <div className="field">
        <label htmlFor="content-bulk-file">{t('content.bulk.file')}</label>
        <input
          id="content-bulk-file"
          type="file"
          accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(event) => void choose(event.target.files?.[0])}
        />
      </div>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {upload ? (
        <>
          <p role="status">
            {t('content.bulk.read', {
              rows: upload.rowCount,
              broken: upload.brokenRows,
              encoding: upload.encoding,
            })}
          </p>
          <div className="field">
            <label htmlFor="content-bulk-template">{t('content.write.template')}</label>
            <select
              id="content-bulk-template"
              value={templateId}
              onChange={(event) => setTemplateId(event.target.value)}
            >
              {templates.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name[locale]}
                </option>
              ))}
            </select>
          </div>
          <fieldset>
            <legend>{t('content.bulk.mapping')}</legend>
            {template?.fields.map((field) => (
              <div className="field" key={field.name}>
                <label htmlFor={`content-bulk-map-${field.name}`}>
                  {field.label[locale]}
                  {field.required ? ` (${t('content.bulk.required')})` : ''}
                </label>
                <select
                  id={`content-bulk-map-${field.name}`}
                  value={mapping[field.name] ?? ''}
                  onChange={(event) =>
                    setMapping((current) => {
                      const next = { ...current };
                      if (event.target.value) next[field.name] = event.target.value;
                      else delete next[field.name];
                      return next;
                    })
                  }
                >
                  <option value="">{t('content.bulk.noColumn')}</option>
                  {upload.columns.map((column) => (
                    <option key={column} value={column}>
                      {column}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </fieldset>
          <button type="button" onClick={() => void start()} disabled={job !== undefined && !finished}>
            {t('content.bulk.start')}
          </button>
        </>
      ) : null}
      {job ? (
        <JobProgress
          initial={job}
          eventsUrl={`/api/workspaces/${encodeURIComponent(workspaceId)}/jobs/${encodeURIComponent(job.id)}/events`}
          onFinished={() => setFinished(true)}
        />
      ) : null}
      {job && finished ? (
        <div className="actions">
          <a href={bulkApi.resultUrl(workspaceId, job.id, 'csv')} download>
            {t('content.bulk.downloadCsv')}
          </a>
          <a href={bulkApi.resultUrl(workspaceId, job.id, 'xlsx')} download>
            {t('content.bulk.downloadXlsx')}
          </a>
        </div>
      ) : null}
    </section>
  );
}

const REWRITES: RewriteInstruction[] = ['shorter', 'longer', 'formal', 'casual', 'audience', 'translate'];

/**
 * The Content page: brand profiles, the template picker, the editor with streamed variants and
 * rule findings with one-click fixes, and the review queue with export.
 */
/**
 * The workspace's own templates: a name, named fields ("namn: Etikett", one a line) and the task
 * for the model with `{{namn}}` placeholders; the server refuses a placeholder that names no field.
 */
function OwnTemplateSection({ workspaceId, onCreated }: { workspaceId: string; onCreated: () => void }) {
  const { t } = useLocale();
  const [name, setName] = useState('');
  const [fields, setFields] = useState('');
  const [instructions, setInstructions] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsedFields = fields
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [fieldName, ...label] = line.split(':');
        return { name: (fieldName ?? '').trim(), label: label.join(':').trim() || (fieldName ?? '').trim() };
      });
    try {
      await contentApi.createTemplate(workspaceId, { name, fields: parsedFields, instructions });
      setMessage({ kind: 'success', text: t('content.ownTemplate.created', { name }) });
      setName('');
      setFields('');
      setInstructions('');
      onCreated();
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  return (
    <section aria-labelledby="content-own-template-heading">
      <h2 id="content-own-template-heading">{t('content.ownTemplate.title')}</h2>
      <p className="hint">{t('content.ownTemplate.intro')}</p>
      <form className="grid-form" onSubmit={(event) => void submit(event)}>
        <FormField
          label={t('content.ownTemplate.name')}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
        />
        <div className="field">
          <label htmlFor="content-own-template-fields">{t('content.ownTemplate.fields')}</label>
          <textarea
            id="content-own-template-fields"
            rows={3}
            value={fields}
            placeholder={'produkt: Produkt\npris: Pris'}
            onChange={(event) => setFields(event.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="content-own-template-instructions">{t('content.ownTemplate.instructions')}</label>
          <textarea
            id="content-own-template-instructions"
            rows={3}
            value={instructions}
            placeholder={'Skriv en kort annons för {{produkt}} som kostar {{pris}}.'}
            onChange={(event) => setInstructions(event.target.value)}
            required
          />
        </div>
        <div className="actions">
          <button type="submit">{t('content.ownTemplate.create')}</button>
        </div>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </form>
    </section>
  );
}

export function ContentPage() {
  const { t, locale } = useLocale();
  const { workspaceId } = useSignedIn();
  const [status, setStatus] = useState<ContentStatus>();
  const [profiles, setProfiles] = useState<StoredProfileDto[]>([]);
  const [profileId, setProfileId] = useState<string>();
  const [templates, setTemplates] = useState<TemplateDto[]>([]);
  const [templateId, setTemplateId] = useState('linkedin-post');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [variantCount, setVariantCount] = useState(2);
  const [maxTokens, setMaxTokens] = useState('');
  const [variants, setVariants] = useState<Variant[]>([]);
  const [editor, setEditor] = useState('');
  const [rewriteAudience, setRewriteAudience] = useState('');
  const [checked, setChecked] = useState<CheckedTextDto>();
  const [title, setTitle] = useState('');
  const [texts, setTexts] = useState<TextDto[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const editorRef = useRef<HTMLTextAreaElement>(null);

  const [queueState, setQueueState] = useState<TextState | ''>('');
  const loadTexts = useCallback(() => {
    contentApi.texts(workspaceId, queueState || undefined).then(
      (answer) => setTexts(answer.texts),
      (caught: unknown) => setError(errorText(caught)),
    );
  }, [workspaceId, queueState]);

  useEffect(() => {
    contentApi.status(workspaceId).then(setStatus, (caught: unknown) => setError(errorText(caught)));
    contentApi.templates(workspaceId).then(
      (answer) => setTemplates(answer.templates),
      (caught: unknown) => setError(errorText(caught)),
    );
    contentApi.profiles(workspaceId).then(
      (answer) => {
        setProfiles(answer.profiles);
        setProfileId((current) => current ?? answer.profiles[0]?.id);
      },
      (caught: unknown) => setError(errorText(caught)),
    );
    loadTexts();
    // Insights links here with ?reply=<feedbackId>: the review reply opens with the review filled in.
    const reply = new URLSearchParams(window.location.search).get('reply');
    if (reply) {
      contentApi.reviewReply(workspaceId, reply).then(
        (prefill) => {
          setTemplateId(prefill.templateId);
          setFields(prefill.fields);
        },
        (caught: unknown) => setError(errorText(caught)),
      );
    }
  }, [workspaceId, loadTexts]);

  const template = templates.find((candidate) => candidate.id === templateId);
  const profile = profiles.find((candidate) => candidate.id === profileId);
  const language = profile?.profile.language ?? 'sv';

  const runCheck = async (text: string) => {
    if (!profileId) return;
    // Facts are checked against the knowledge base too: the editor sees citations and unsupported claims.
    setChecked(await contentApi.check(workspaceId, { text, profileId, templateId, facts: true }));
  };

  const generate = async (likeText?: string) => {
    if (!profileId) return;
    setError(undefined);
    setBusy(true);
    setVariants(Array.from({ length: likeText ? 1 : variantCount }, () => ({ text: '', done: false })));
    try {
      await generateContent(
        workspaceId,
        {
          profileId,
          templateId,
          fields,
          variants: likeText ? 1 : variantCount,
          ...(likeText ? { likeText } : {}),
          ...(maxTokens.trim() === '' ? {} : { maxOutputTokens: Number(maxTokens) }),
        },
        (event) => {
          if (event.type === 'text-delta')
            setVariants((current) =>
              current.map((variant, index) =>
                index === event.variant ? { ...variant, text: variant.text + event.delta } : variant,
              ),
            );
          if (event.type === 'variant-end')
            setVariants((current) =>
              current.map((variant, index) =>
                index === event.variant ? { text: event.text, done: true } : variant,
              ),
            );
          if (event.type === 'variant-error')
            setVariants((current) =>
              current.map((variant, index) =>
                index === event.variant ? { ...variant, done: true, error: event.message[locale] } : variant,
              ),
            );
        },
        { locale },
      );
    } catch (caught) {
      setError(errorText(caught));
      setVariants([]);
    } finally {
      setBusy(false);
    }
  };

  const fillDraft = async () => {
    setError(undefined);
    try {
      const { text } = await contentApi.draft(workspaceId, {
        templateId,
        fields,
        ...(profileId ? { profileId } : {}),
      });
      setEditor(text);
      await runCheck(text);
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  const useVariant = async (text: string) => {
    setEditor(text);
    await runCheck(text).catch((caught: unknown) => setError(errorText(caught)));
    editorRef.current?.focus();
  };

  const applyFinding = async (finding: FindingDto) => {
    if (!profileId || !finding.fix) return;
    setBusy(true);
    try {
      const result = await contentApi.fix(workspaceId, {
        text: editor,
        profileId,
        templateId,
        facts: true,
        fix: finding.fix.edit,
      });
      setEditor(result.text);
      setChecked(result);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  const rewrite = async (instruction: RewriteInstruction) => {
    if (!profileId) return;
    const area = editorRef.current;
    const start = area?.selectionStart ?? 0;
    const end = area?.selectionEnd ?? 0;
    setBusy(true);
    setError(undefined);
    try {
      const target = instruction === 'translate' ? (language === 'sv' ? 'en' : 'sv') : language;
      const result = await contentApi.rewrite(workspaceId, {
        profileId,
        templateId,
        text: editor,
        instruction,
        language: target,
        ...(instruction === 'audience' ? { audience: rewriteAudience.trim() } : {}),
        ...(end > start ? { selection: { start, end } } : {}),
      });
      setEditor(result.text);
      setChecked(result);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  const saveText = async (event: FormEvent) => {
    event.preventDefault();
    if (!profileId) return;
    setError(undefined);
    try {
      await contentApi.createText(workspaceId, {
        profileId,
        templateId,
        title: title || template?.name[locale] || '',
        body: editor,
        origin: variants.length > 0 ? 'generated' : 'written',
        ...(checked && checked.text === editor ? { citations: checked.citations } : {}),
      });
      setNotice(t('content.editor.savedNotice'));
      loadTexts();
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  return (
    <div className="content-page">
      <h1>{t('content.title')}</h1>
      <p>{t('content.intro')}</p>
      {status && !status.chatModel && status.hint ? <Alert kind="info">{status.hint[locale]}</Alert> : null}
      {error ? <Alert kind="error">{error}</Alert> : null}

      <section aria-labelledby="content-profiles-heading">
        <h2 id="content-profiles-heading">{t('content.profiles.title')}</h2>
        {profiles.length > 0 ? (
          <div className="field">
            <label htmlFor="content-profile-picker">{t('content.profiles.choose')}</label>
            <select
              id="content-profile-picker"
              value={profileId ?? ''}
              onChange={(event) => setProfileId(event.target.value || undefined)}
            >
              {profiles.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name}
                </option>
              ))}
              <option value="">{t('content.profiles.new')}</option>
            </select>
          </div>
        ) : (
          <p>{t('content.profiles.none')}</p>
        )}
        <ProfileEditor
          workspaceId={workspaceId}
          profiles={profiles}
          selectedId={profileId}
          onSaved={(stored) => {
            setProfiles((current) => [...current.filter((candidate) => candidate.id !== stored.id), stored]);
            setProfileId(stored.id);
          }}
        />
      </section>

      {profile ? (
        <section aria-labelledby="content-write-heading">
          <h2 id="content-write-heading">{t('content.write.title')}</h2>
          <div className="field">
            <label htmlFor="content-template">{t('content.write.template')}</label>
            <select
              id="content-template"
              value={templateId}
              onChange={(event) => {
                setTemplateId(event.target.value);
                setFields({});
              }}
            >
              {templates.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name[locale]}
                </option>
              ))}
            </select>
            {template ? <p className="hint">{template.description[locale]}</p> : null}
          </div>
          {template?.fields.map((field) =>
            field.multiline ? (
              <TextArea
                key={`${template.id}-${field.name}`}
                label={field.label[locale]}
                value={fields[field.name] ?? ''}
                onChange={(value) => setFields((current) => ({ ...current, [field.name]: value }))}
              />
            ) : (
              <TextInput
                key={`${template.id}-${field.name}`}
                label={field.label[locale]}
                value={fields[field.name] ?? ''}
                onChange={(value) => setFields((current) => ({ ...current, [field.name]: value }))}
              />
            ),
          )}
          <div className="field">
            <label htmlFor="content-variants">{t('content.write.variants')}</label>
            <select
              id="content-variants"
              value={variantCount}
              onChange={(event) => setVariantCount(Number(event.target.value))}
            >
              {[1, 2, 3].map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </select>
          </div>
          <TextInput
            label={t('content.write.maxTokens')}
            type="number"
            value={maxTokens}
            onChange={setMaxTokens}
            hint={t('content.write.maxTokensHint')}
          />
          <div className="actions">
            <button type="button" disabled={busy || !status?.chatModel} onClick={() => void generate()}>
              {t('content.write.generate')}
            </button>
            <button type="button" disabled={busy} onClick={() => void fillDraft()}>
              {t('content.write.fillDraft')}
            </button>
          </div>

          {variants.length > 0 ? (
            <ol
              className="content-variants"
              aria-label={t('content.variants.title')}
              aria-live="polite"
              aria-busy={busy}
            >
              {variants.map((variant, index) => (
                <li key={index}>
                  <h3>{t('content.variants.variant', { number: index + 1 })}</h3>
                  {variant.error ? (
                    <Alert kind="error">{variant.error}</Alert>
                  ) : (
                    <p className="content-text-body">{variant.text || t('content.variants.waiting')}</p>
                  )}
                  {variant.done && !variant.error ? (
                    <div className="actions">
                      <button type="button" onClick={() => void useVariant(variant.text)}>
                        {t('content.variants.use', { number: index + 1 })}
                      </button>
                      <button type="button" disabled={busy} onClick={() => void generate(variant.text)}>
                        {t('content.variants.moreLikeThis', { number: index + 1 })}
                      </button>
                    </div>
                  ) : null}
                </li>
              ))}
            </ol>
          ) : null}

          <form onSubmit={(event) => void saveText(event)} aria-labelledby="content-editor-heading">
            <h3 id="content-editor-heading">{t('content.editor.title')}</h3>
            <div className="field">
              <label htmlFor="content-editor">{t('content.editor.text')}</label>
              <textarea
                id="content-editor"
                ref={editorRef}
                rows={8}
                style={TEXTAREA_STYLE}
                value={editor}
                onChange={(event) => setEditor(event.target.value)}
              />
            </div>
            <FormField
              label={t('content.editor.rewriteAudience')}
              value={rewriteAudience}
              onChange={(event) => setRewriteAudience(event.target.value)}
            />
            <div className="actions" role="group" aria-label={t('content.editor.rewriteGroup')}>
              {REWRITES.map((instruction) => (
                <button
                  key={instruction}
                  type="button"
                  disabled={
                    busy ||
                    !status?.chatModel ||
                    editor === '' ||
                    (instruction === 'audience' && rewriteAudience.trim() === '')
                  }
                  onClick={() => void rewrite(instruction)}
                >
                  {t(`content.rewrite.${instruction}` as MessageKey)}
                </button>
              ))}
              <button
                type="button"
                disabled={editor === ''}
                onClick={() => void runCheck(editor).catch((caught: unknown) => setError(errorText(caught)))}
              >
                {t('content.editor.check')}
              </button>
            </div>
            {checked && checked.text === editor ? (
              <section aria-labelledby="content-findings-heading">
                <h4 id="content-findings-heading">{t('content.findings.title')}</h4>
                <Findings
                  findings={checked.findings}
                  onFix={(finding) => void applyFinding(finding)}
                  busy={busy}
                />
                {checked.citations.length > 0 ? (
                  <>
                    <h4>{t('content.citations.title')}</h4>
                    <ul aria-label={t('content.citations.title')}>
                      {checked.citations.map((citation, index) => (
                        <li key={index}>
                          {t('content.citations.entry', {
                            sentence: citation.sentence,
                            title: citation.title,
                          })}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </section>
            ) : null}
            <TextInput label={t('content.editor.titleField')} value={title} onChange={setTitle} />
            {notice ? <Alert kind="success">{notice}</Alert> : null}
            <button type="submit" disabled={editor === ''}>
              {t('content.editor.save')}
            </button>
          </form>
        </section>
      ) : null}

      <OwnTemplateSection
        workspaceId={workspaceId}
        onCreated={() =>
          void contentApi.templates(workspaceId).then(
            (answer) => setTemplates(answer.templates),
            (caught: unknown) => setError(errorText(caught)),
          )
        }
      />

      {profileId && profile ? (
        <BulkSection
          workspaceId={workspaceId}
          profileId={profileId}
          templates={templates}
          maxTokens={maxTokens}
        />
      ) : null}

      <ReviewQueue
        workspaceId={workspaceId}
        texts={texts}
        onChanged={loadTexts}
        state={queueState}
        onStateChange={setQueueState}
      />
    </div>
  );
}
